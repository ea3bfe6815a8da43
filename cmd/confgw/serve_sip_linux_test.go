package main

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// A gateway whose SIP side dies on its own must not stay up answering
// /healthz: here a real confgw process runs out of file descriptors, its SIP
// TCP accept fails, and the process logs the failure at ERROR and exits
// non-zero for its supervisor to restart it.
func TestServeExitsNonZeroWhenItsSIPSideDies(t *testing.T) {
	cmd := exec.Command(os.Args[0], "serve", "--http", "127.0.0.1:0", "--sip", "127.0.0.1:0",
		"--webrtc-udp", "127.0.0.1:0", "--data-dir", t.TempDir(), "--log-level", "warn")
	cmd.Env = append(os.Environ(), runMainEnv+"=1")
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})

	var url, sipAddr string
	deadline := time.Now().Add(30 * time.Second)
	for url == "" || sipAddr == "" {
		if time.Now().After(deadline) {
			t.Fatalf("confgw printed no addresses:\n%s", out.String())
		}
		select {
		case err := <-exited:
			t.Fatalf("confgw exited at start: %v\n%s", err, out.String())
		case <-time.After(10 * time.Millisecond):
		}
		if m := httpLine.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		}
		if m := sipLine.FindStringSubmatch(out.String()); m != nil {
			sipAddr = m[1]
		}
	}
	if parts := healthParts(t, url, http.StatusOK); parts["http"] != "ok" || parts["sip"] != "ok" || parts["webrtc"] != "ok" {
		t.Fatalf("healthz of a fresh gateway: %v, want http, sip and webrtc ok", parts)
	}

	// A few descriptors above what it holds now: the SIP connections below
	// take them, and then accept fails with EMFILE.
	fds, err := os.ReadDir("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/fd")
	if err != nil {
		t.Fatal(err)
	}
	limit := uint64(len(fds) + 8)
	if err := unix.Prlimit(cmd.Process.Pid, unix.RLIMIT_NOFILE, &unix.Rlimit{Cur: limit, Max: limit}, nil); err != nil {
		t.Skipf("cannot lower the child's fd limit: %v", err)
	}

	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	deadline = time.Now().Add(60 * time.Second)
	for {
		select {
		case err := <-exited:
			exited <- err
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() == 0 {
				t.Fatalf("confgw exited with %v, want a non-zero status\n%s", err, out.String())
			}
			text := out.String()
			if !strings.Contains(text, "level=ERROR") || !strings.Contains(text, "SIP side stopped") {
				t.Fatalf("no ERROR line about the SIP side:\n%s", text)
			}
			return
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("confgw still running with its SIP side dead (%d connections opened)\n%s", len(conns), out.String())
		}
		if c, err := net.DialTimeout("tcp", sipAddr, time.Second); err == nil {
			conns = append(conns, c)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// healthParts gets /healthz, checks its status and returns its parts.
func healthParts(t *testing.T, url string, want int) map[string]string {
	t.Helper()
	resp, err := http.Get(url + "/healthz")
	if err != nil {
		t.Fatalf("healthz: %v", err)
	}
	defer resp.Body.Close()
	var body struct {
		Status string            `json:"status"`
		Parts  map[string]string `json:"parts"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("healthz body: %v", err)
	}
	if resp.StatusCode != want {
		t.Fatalf("healthz answered %d %+v, want %d", resp.StatusCode, body, want)
	}
	return body.Parts
}
