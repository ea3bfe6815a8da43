// Package sipvicious runs the SIPVicious scanners (svmap, svwar, svcrack),
// a SIP attack toolkit that shares no code with ours, against a server on
// loopback. Every run binds to 127.0.0.1, puts 127.0.0.1 in its Via and
// Contact, and is bounded by its context, so a scan never leaves the machine
// and never outlives the test.
package sipvicious

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// Tools are the scanners a hostile-peer test runs.
var Tools = []string{"svmap", "svwar", "svcrack"}

// Path finds tool as Debian installs it (svwar) or as pip does
// (sipvicious_svwar).
func Path(tool string) (string, error) {
	p, err := exec.LookPath(tool)
	if err == nil {
		return p, nil
	}
	if p, perr := exec.LookPath("sipvicious_" + tool); perr == nil {
		return p, nil
	}
	return "", err
}

// Require fails t unless every tool in Tools is installed: the suite
// installs them, so their absence is a broken environment, not a reason to
// skip.
func Require(t testing.TB) {
	t.Helper()
	for _, tool := range Tools {
		if _, err := Path(tool); err != nil {
			t.Fatalf("sipvicious: %s is not installed (apt-get install sipvicious): %v", tool, err)
		}
	}
}

// Options describe one run.
type Options struct {
	// Tool is "svmap", "svwar" or "svcrack".
	Tool string
	// Target is the host:port scanned; the host must be an IPv4 loopback
	// address.
	Target string
	// LocalPort is the scanner's UDP port; 0 picks a free one.
	LocalPort int
	// Dir is the run's working and home directory (SIPVicious keeps saved
	// sessions under $HOME); a temporary one, removed afterwards, when
	// empty.
	Dir string
	// Args come after the fixed ones (-p, -b, -x, -P) and before the
	// target host.
	Args []string
}

// Run runs the tool to its end or until ctx ends, and returns everything it
// printed. SIPVicious exits 0 on most failures, so callers judge a run by
// its output; the error is for a run that could not start, failed or was
// cut short. Run may be called from any goroutine.
func Run(ctx context.Context, o Options) (string, error) {
	bin, err := Path(o.Tool)
	if err != nil {
		return "", fmt.Errorf("sipvicious: %s is not installed (apt-get install sipvicious): %w", o.Tool, err)
	}
	host, port, err := net.SplitHostPort(o.Target)
	if err != nil {
		return "", fmt.Errorf("sipvicious: target %q: %w", o.Target, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() || ip.To4() == nil {
		return "", fmt.Errorf("sipvicious: target %q is not an IPv4 loopback address", o.Target)
	}
	if o.LocalPort == 0 {
		if o.LocalPort, err = freeUDPPort(); err != nil {
			return "", err
		}
	}
	if o.Dir == "" {
		if o.Dir, err = os.MkdirTemp("", "sipvicious-"); err != nil {
			return "", err
		}
		defer os.RemoveAll(o.Dir)
	}
	args := []string{
		"-p", port,
		"-b", "127.0.0.1",
		"-x", "127.0.0.1",
		"-P", strconv.Itoa(o.LocalPort),
	}
	args = append(args, o.Args...)
	args = append(args, host)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = o.Dir
	cmd.Env = append(os.Environ(), "HOME="+o.Dir, "PYTHONDONTWRITEBYTECODE=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("sipvicious: %s %v: %w", o.Tool, args, errors.Join(err, context.Cause(ctx)))
	}
	return out.String(), nil
}

// freeUDPPort returns a loopback UDP port that was free a moment ago; if
// another process takes it first, the scanner binds the next one.
func freeUDPPort() (int, error) {
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return 0, fmt.Errorf("sipvicious: no free UDP port: %w", err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port, nil
}
