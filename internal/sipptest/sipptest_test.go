package sipptest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

const scenarios = "../../testdata/sipp/"

// pair starts the server scenario, waits until it listens, and calls it
// with the client scenario.
func pair(t *testing.T, server, client Options) (srv, cli *Sipp) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	srv = Run(ctx, t, server)
	if err := srv.Ready(ctx); err != nil {
		t.Fatal(err)
	}
	client.Target = srv.Addr()
	return srv, Run(ctx, t, client)
}

func TestPassingPair(t *testing.T) {
	t.Parallel()
	srv, cli := pair(t,
		Options{Scenario: scenarios + "uas_busy.xml"},
		Options{Scenario: "testdata/gateway_dials_busy.xml", Service: "5551234"})
	if err := cli.Wait(); err != nil {
		t.Errorf("client: %v", err)
	}
	if err := srv.Wait(); err != nil {
		t.Errorf("server: %v", err)
	}
}

func TestFailedScenario(t *testing.T) {
	t.Parallel()
	// The client expects an answer, the server is busy.
	_, cli := pair(t,
		Options{Scenario: scenarios + "uas_busy.xml"},
		Options{Scenario: "testdata/gateway_dials.xml", Service: "5551234"})
	err := cli.Wait()
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != 1 {
		t.Fatalf("client error %v, want exit code 1", err)
	}
	if !strings.Contains(ee.Error(), "the call failed") {
		t.Errorf("error %q does not say the call failed", ee)
	}
	logs := cli.Logs()
	for _, want := range []string{"SIP/2.0 486 Busy Here", "unexpected messages", "INVITE sip:5551234@"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

func TestGlobalTimeoutFails(t *testing.T) {
	t.Parallel()
	// A server no one calls would wait for ever without the timeout.
	s := Run(t.Context(), t, Options{Scenario: scenarios + "uas_busy.xml", Timeout: time.Second})
	select {
	case <-s.Done():
	case <-time.After(30 * time.Second):
		t.Fatal("sipp outlived its one-second timeout by far")
	}
	if err := s.Wait(); err == nil {
		t.Error("a run cut short by its timeout passed")
	}
}

func TestContextKillsSipp(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	s := Run(ctx, t, Options{Scenario: scenarios + "uas_busy.xml"})
	if err := s.Ready(ctx); err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case <-s.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("sipp still runs after its context ended")
	}
	var ee *ExitError
	if err := s.Wait(); err == nil || errors.As(err, &ee) {
		t.Errorf("error %v, want a killed process", err)
	}
}

func TestReadyReportsEarlyExit(t *testing.T) {
	t.Parallel()
	// An unknown option makes sipp exit at once.
	s := Run(t.Context(), t, Options{Scenario: scenarios + "uas_busy.xml", ExtraArgs: []string{"-no_such_option"}})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	err := s.Ready(ctx)
	if err == nil || !strings.Contains(err.Error(), "ended before listening") {
		t.Errorf("Ready: %v, want sipp's early end", err)
	}
}

// fatalRecorder stands in for a test to see Run fail it.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Helper() {}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (f *fatalRecorder) Fatal(args ...any) {
	f.msg = fmt.Sprint(args...)
	runtime.Goexit()
}

func TestMissingSippFailsTheTest(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Run(t.Context(), rec, Options{Scenario: scenarios + "uas_busy.xml"})
		rec.msg = "Run returned"
	}()
	<-done
	if !strings.Contains(rec.msg, "sipp is not installed") {
		t.Errorf("Run without sipp: %q, want a fatal failure", rec.msg)
	}
}

func TestRejectsUnknownTransport(t *testing.T) {
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Run(t.Context(), rec, Options{Scenario: scenarios + "uas_busy.xml", Transport: "s1"})
		rec.msg = "Run returned"
	}()
	<-done
	if !strings.Contains(rec.msg, "must be u1 or t1") {
		t.Errorf("Run over SCTP: %q, want a fatal failure", rec.msg)
	}
}
