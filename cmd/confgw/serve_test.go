package main

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer lets the test read what serve prints while it runs.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var (
	httpLine  = regexp.MustCompile(`HTTP API:\s+(http://\S+)`)
	tokenLine = regexp.MustCompile(`host token: (\S+)`)
)

// TestServeEmbeddedDefault runs serve as a newcomer would, on free ports,
// uses the demo conference it prints, and stops it as SIGTERM would.
func TestServeEmbeddedDefault(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out lockedBuffer
	root := newRoot()
	root.SetArgs([]string{"serve", "--http", "127.0.0.1:0", "--sip", "127.0.0.1:0", "--data-dir", t.TempDir(), "--log-level", "warn"})
	root.SetOut(&out)
	root.SetErr(&out)
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()

	var url, token string
	deadline := time.Now().Add(30 * time.Second)
	for url == "" || token == "" {
		select {
		case err := <-done:
			t.Fatalf("serve returned early: %v\n%s", err, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve printed no address and token:\n%s", out.String())
		}
		if m := httpLine.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		}
		if m := tokenLine.FindStringSubmatch(out.String()); m != nil {
			token = m[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(out.String(), "admin key: cgw_") {
		t.Fatalf("no generated admin key printed:\n%s", out.String())
	}
	resp, err := http.Get(url + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()

	rooms, err := execute(ctx, "rooms", "add", "--server", url, "--token", token)
	if err != nil || !strings.Contains(rooms, "Breakout room 1") {
		t.Fatalf("demo host adding a room: %v\n%s", err, rooms)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve did not stop cleanly: %v\n%s", err, out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func TestServeRejectsBadSettings(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--log-format", "xml"},
		{"serve", "--min-client-version", "four"},
		{"serve", "--http", "256.0.0.1:1"},
	} {
		root := newRoot()
		root.SetArgs(append(args, "--data-dir", t.TempDir(), "--sip", "127.0.0.1:0"))
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&out)
		if err := root.ExecuteContext(context.Background()); err == nil {
			t.Errorf("%v started", args)
		}
	}
}
