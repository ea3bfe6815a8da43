// Package sipptest runs sipp scenarios against code under test. Each run is
// one sipp process, one call (-m 1), bounded by a global timeout so that a
// scenario waiting for a message that never comes fails instead of hanging.
//
// Scenarios that play captures need root or CAP_NET_RAW: sipp sends them
// through a raw socket, and says so in its logs when it cannot open one.
package sipptest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// DefaultTimeout bounds a whole sipp run.
const DefaultTimeout = 30 * time.Second

// Options describe one sipp run.
type Options struct {
	// Scenario is the XML file; pcaps it plays are looked up beside it.
	Scenario string
	// Target is the host:port a client scenario calls; empty for a server
	// scenario.
	Target string
	// Service is the Request-URI's user part ([service]).
	Service string
	// LocalPort is sipp's SIP port; 0 picks a free one.
	LocalPort int
	// MediaPort is sipp's RTP port ([media_port]); 0 picks a free one.
	MediaPort int
	// Transport is "u1" (UDP, the default) or "t1" (TCP).
	Transport string
	// Timeout bounds the run; DefaultTimeout when zero.
	Timeout time.Duration
	// ExtraArgs are appended to the command line.
	ExtraArgs []string
}

// Sipp is a running sipp.
type Sipp struct {
	opts    Options
	dir     string
	cmd     *exec.Cmd
	stdout  *os.File
	done    chan struct{}
	waitErr error
}

// Run starts sipp and returns at once; Wait tells how the scenario ended.
// Ending ctx kills sipp. When the test fails, sipp's logs are printed.
// A missing sipp fails the test: the suite installs it, so its absence is a
// broken environment, not a reason to skip.
func Run(ctx context.Context, t testing.TB, o Options) *Sipp {
	t.Helper()
	bin, err := exec.LookPath("sipp")
	if err != nil {
		t.Fatalf("sipptest: sipp is not installed (apt-get install sip-tester): %v", err)
		return nil
	}
	scenario, err := filepath.Abs(o.Scenario)
	if err != nil {
		t.Fatalf("sipptest: %v", err)
		return nil
	}
	if _, err := os.Stat(scenario); err != nil {
		t.Fatalf("sipptest: scenario: %v", err)
		return nil
	}
	o.Scenario = scenario
	if o.Transport == "" {
		o.Transport = "u1"
	}
	if o.Transport != "u1" && o.Transport != "t1" {
		t.Fatalf("sipptest: transport %q must be u1 or t1", o.Transport)
		return nil
	}
	if o.LocalPort == 0 {
		o.LocalPort = FreeSIPPort(t)
	}
	if o.MediaPort == 0 {
		o.MediaPort = FreeMediaPort(t)
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}

	s := &Sipp{opts: o, dir: t.TempDir(), done: make(chan struct{})}
	s.stdout, err = os.Create(s.path("stdout.log"))
	if err != nil {
		t.Fatalf("sipptest: %v", err)
		return nil
	}
	s.cmd = exec.CommandContext(ctx, bin, s.args(FreePort(t, "udp"))...)
	// Relative pcap paths in scenarios resolve from here as well as from
	// the scenario's directory, whichever sipp version reads them.
	s.cmd.Dir = filepath.Dir(scenario)
	s.cmd.Stdout, s.cmd.Stderr = s.stdout, s.stdout
	s.cmd.WaitDelay = 5 * time.Second
	if err := s.cmd.Start(); err != nil {
		_ = s.stdout.Close()
		t.Fatalf("sipptest: starting sipp: %v", err)
		return nil
	}
	go s.wait()
	t.Cleanup(func() {
		if s.cmd.Process != nil {
			select {
			case <-s.done:
			default:
				_ = s.cmd.Process.Kill()
			}
		}
		<-s.done
		if t.Failed() {
			t.Logf("sipp %s:\n%s", filepath.Base(scenario), s.Logs())
		}
	})
	return s
}

func (s *Sipp) args(controlPort int) []string {
	o := s.opts
	a := []string{"-sf", o.Scenario}
	if o.Target != "" {
		a = append(a, o.Target)
	}
	if o.Service != "" {
		a = append(a, "-s", o.Service)
	}
	a = append(a,
		"-t", o.Transport,
		"-i", "127.0.0.1",
		"-p", strconv.Itoa(o.LocalPort),
		"-mp", strconv.Itoa(o.MediaPort),
		// Parallel sipps would otherwise contend for the default 8888.
		"-cp", strconv.Itoa(controlPort),
		"-m", "1",
		"-nostdin",
		"-timeout", strconv.Itoa(int(o.Timeout.Seconds()))+"s",
		"-timeout_error",
		"-trace_msg", "-message_file", s.path("messages.log"),
		"-trace_err", "-error_file", s.path("errors.log"),
		"-trace_calldebug", "-calldebug_file", s.path("calldebug.log"),
		"-trace_logs", "-log_file", s.path("actions.log"),
	)
	return append(a, o.ExtraArgs...)
}

func (s *Sipp) path(name string) string { return filepath.Join(s.dir, name) }

func (s *Sipp) wait() {
	defer close(s.done)
	s.waitErr = s.cmd.Wait()
	_ = s.stdout.Close()
}

// Addr is the address sipp's SIP listens on.
func (s *Sipp) Addr() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.opts.LocalPort))
}

// MediaPort is sipp's RTP port.
func (s *Sipp) MediaPort() int { return s.opts.MediaPort }

// Ready waits until sipp listens for SIP, for server scenarios that must be
// up before the code under test calls them.
func (s *Sipp) Ready(ctx context.Context) error {
	network := "udp"
	if s.opts.Transport == "t1" {
		network = "tcp"
	}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, err := listening(network, s.opts.LocalPort)
		if err != nil {
			return fmt.Errorf("sipptest: %w", err)
		}
		if ok {
			return nil
		}
		select {
		case <-s.done:
			return fmt.Errorf("sipptest: sipp ended before listening: %w", s.exitErr())
		case <-ctx.Done():
			return fmt.Errorf("sipptest: waiting for sipp to listen on %s %d: %w", network, s.opts.LocalPort, ctx.Err())
		case <-tick.C:
		}
	}
}

// Done is closed when sipp has exited.
func (s *Sipp) Done() <-chan struct{} { return s.done }

// Wait waits for sipp to exit and returns nil when the scenario passed.
func (s *Sipp) Wait() error {
	<-s.done
	return s.exitErr()
}

// ExitError is a sipp run that did not pass.
type ExitError struct {
	Code int
	err  error
}

func (e *ExitError) Error() string {
	return fmt.Sprintf("sipp exited with %d (%s)", e.Code, exitMeaning(e.Code))
}

func (e *ExitError) Unwrap() error { return e.err }

func (s *Sipp) exitErr() error {
	var ee *exec.ExitError
	switch {
	case s.waitErr == nil:
		return nil
	case errors.As(s.waitErr, &ee) && ee.Exited():
		return &ExitError{Code: ee.ExitCode(), err: s.waitErr}
	}
	return fmt.Errorf("sipp: %w", s.waitErr)
}

// exitMeaning follows sipp's documented exit codes.
func exitMeaning(code int) string {
	switch code {
	case 1:
		return "the call failed, or the scenario did not load"
	case 97:
		return "stopped by an internal command"
	case 99:
		return "no call was processed"
	case 254:
		return "could not bind a socket"
	case 255:
		return "fatal error"
	}
	return "unknown"
}

// Logs returns what sipp wrote: errors, aborted-call details, SIP messages
// and the end of its screen.
func (s *Sipp) Logs() string {
	var b strings.Builder
	for _, f := range []struct{ name, title string }{
		{"errors.log", "unexpected messages"},
		{"calldebug.log", "aborted call"},
		{"actions.log", "log actions"},
		{"messages.log", "SIP messages"},
		{"stdout.log", "output"},
	} {
		data, err := os.ReadFile(s.path(f.name))
		if err != nil || len(strings.TrimSpace(string(data))) == 0 {
			continue
		}
		text := string(data)
		if f.name == "stdout.log" && len(text) > 4000 {
			text = "...\n" + text[len(text)-4000:]
		}
		fmt.Fprintf(&b, "--- %s (%s)\n%s\n", f.title, f.name, text)
	}
	return b.String()
}
