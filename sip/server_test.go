package sip_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/confgw/confgw/internal/sipraw"
	confsip "github.com/confgw/confgw/sip"
)

const deadline = 20 * time.Second

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// startServer runs a server on a free loopback port until the test ends.
func startServer(t *testing.T, h confsip.Handler, opts ...confsip.Option) *confsip.Server {
	t.Helper()
	opts = append([]confsip.Option{confsip.WithListenAddr("127.0.0.1:0"), confsip.WithLogger(quietLogger())}, opts...)
	srv, err := confsip.NewServer(opts...)
	if err != nil {
		t.Fatal(err)
	}
	if h != nil {
		srv.Handle(h)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(deadline):
			t.Error("Run did not return after cancel")
		}
	})
	select {
	case <-srv.Ready():
	case <-time.After(deadline):
		t.Fatal("server never ready")
	}
	return srv
}

func do(t *testing.T, method sipmsg.RequestMethod, addr, transport string) *sipmsg.Response {
	t.Helper()
	res, err := sipraw.Do(string(method), "demo", addr, strings.ToLower(transport))
	if err != nil {
		t.Fatalf("%s over %s: %v", method, transport, err)
	}
	return res
}

func TestOptionsAnswered(t *testing.T) {
	srv := startServer(t, nil)
	for _, tr := range []string{"UDP", "TCP"} {
		res := do(t, sipmsg.OPTIONS, srv.Addr(), tr)
		if res.StatusCode != 200 {
			t.Errorf("OPTIONS over %s: %d, want 200", tr, res.StatusCode)
		}
		if h := res.GetHeader("Allow"); h == nil || h.Value() == "" {
			t.Errorf("OPTIONS over %s: no Allow header", tr)
		}
	}
}

func TestUnsupportedMethodGets405WithAllow(t *testing.T) {
	srv := startServer(t, nil)
	res := do(t, sipmsg.MESSAGE, srv.Addr(), "UDP")
	if res.StatusCode != 405 {
		t.Fatalf("MESSAGE: %d, want 405", res.StatusCode)
	}
	h := res.GetHeader("Allow")
	if h == nil || h.Value() != "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO" {
		t.Fatalf("Allow = %v", h)
	}
}

func TestStrayByeGets481(t *testing.T) {
	srv := startServer(t, nil)
	res := do(t, sipmsg.BYE, srv.Addr(), "UDP")
	if res.StatusCode != 481 {
		t.Fatalf("BYE outside a dialog: %d, want 481", res.StatusCode)
	}
}

func TestNewServerRefusesBusyPort(t *testing.T) {
	srv, err := confsip.NewServer(confsip.WithListenAddr("127.0.0.1:0"), confsip.WithLogger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	defer func() { _ = srv.Run(ctx) }()
	if _, err := confsip.NewServer(confsip.WithListenAddr(srv.Addr())); err == nil {
		t.Fatal("second server on the same port started")
	}
}

func TestClosedServerFreesItsPortAndRefusesToRun(t *testing.T) {
	srv, err := confsip.NewServer(confsip.WithListenAddr("127.0.0.1:0"), confsip.WithLogger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	addr := srv.Addr()
	if err := srv.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := srv.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := srv.Run(t.Context()); err == nil {
		t.Fatal("a closed server ran")
	}
	again, err := confsip.NewServer(confsip.WithListenAddr(addr), confsip.WithLogger(quietLogger()))
	if err != nil {
		t.Fatalf("port %s still held after Close: %v", addr, err)
	}
	if err := again.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestCloseLeavesARunningServerToRun(t *testing.T) {
	srv := startServer(t, nil)
	if err := srv.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	res := do(t, sipmsg.OPTIONS, srv.Addr(), "UDP")
	if res.StatusCode != 200 {
		t.Fatalf("OPTIONS after Close of a running server: %d, want 200", res.StatusCode)
	}
}
