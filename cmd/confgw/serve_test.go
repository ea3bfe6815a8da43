package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
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

// served is a `confgw serve` running in-process on free ports.
type served struct {
	url, token, sip string
	out             *lockedBuffer
	cancel          context.CancelFunc
	done            chan error
}

var sipLine = regexp.MustCompile(`SIP:\s+(\S+)`)

// startServe runs serve as a newcomer would, with the embedded default
// but free ports, and waits for what it prints.
func startServe(t *testing.T, extra ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{out: &lockedBuffer{}, cancel: cancel, done: make(chan error, 1)}
	root := newRoot()
	root.SetArgs(append([]string{"serve", "--http", "127.0.0.1:0", "--sip", "127.0.0.1:0", "--webrtc-udp", "127.0.0.1:0", "--data-dir", t.TempDir(), "--log-level", "warn"}, extra...))
	root.SetOut(s.out)
	root.SetErr(s.out)
	go func() { s.done <- root.ExecuteContext(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-s.done
	})
	deadline := time.Now().Add(30 * time.Second)
	for s.url == "" || s.token == "" || s.sip == "" {
		select {
		case err := <-s.done:
			s.done <- err
			t.Fatalf("serve returned early: %v\n%s", err, s.out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve printed no address and token:\n%s", s.out.String())
		}
		text := s.out.String()
		if m := httpLine.FindStringSubmatch(text); m != nil {
			s.url = m[1]
		}
		if m := tokenLine.FindStringSubmatch(text); m != nil {
			s.token = m[1]
		}
		if m := sipLine.FindStringSubmatch(text); m != nil {
			s.sip = m[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	return s
}

// stop shuts serve down as SIGTERM does and returns what serve returned.
func (s *served) stop(t *testing.T) error {
	t.Helper()
	s.cancel()
	select {
	case err := <-s.done:
		s.done <- err
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
		return nil
	}
}

func (s *served) run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	return execute(t.Context(), append(args, "--server", s.url, "--token", s.token)...)
}

func TestServeEmbeddedDefault(t *testing.T) {
	s := startServe(t)
	if !strings.Contains(s.out.String(), "admin key: cgw_") {
		t.Fatalf("no generated admin key printed:\n%s", s.out.String())
	}
	resp, err := http.Get(s.url + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	rooms, err := s.run(t, "rooms", "add")
	if err != nil || !strings.Contains(rooms, "Breakout room 1") {
		t.Fatalf("demo host adding a room: %v\n%s", err, rooms)
	}
	if err := s.stop(t); err != nil {
		t.Fatalf("serve did not stop cleanly: %v\n%s", err, s.out.String())
	}
}

func TestServeIssuesTokensThatExpireAfterTheTokenTTL(t *testing.T) {
	s := startServe(t, "--token-ttl", "90m")
	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(s.token, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims struct{ Iat, Exp int64 }
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	if got := time.Duration(claims.Exp-claims.Iat) * time.Second; got != 90*time.Minute {
		t.Fatalf("the host token is good for %s, want the 1h30m of --token-ttl", got)
	}
	if !strings.Contains(s.out.String(), "good until:") {
		t.Fatalf("serve does not say until when the host token is good:\n%s", s.out.String())
	}
}

func TestServeMakesAnAddressThatFailsTooOftenWait(t *testing.T) {
	s := startServe(t, "--auth-failure-burst", "2", "--auth-failure-interval", "1m")
	status := func(key string) int {
		req, _ := http.NewRequest("GET", s.url+"/v1/conferences", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
		return resp.StatusCode
	}
	for _, want := range []int{401, 401, 429} {
		if got := status("wrong"); got != want {
			t.Fatalf("a wrong key: %d, want %d", got, want)
		}
	}
}

// adminStatus is the status of listing conferences with key.
func adminStatus(t *testing.T, url, key string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url+"/v1/conferences", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestServeTakesTheAdminKeyFromAFileAndNeverPrintsIt(t *testing.T) {
	file := filepath.Join(t.TempDir(), "admin-key")
	if err := os.WriteFile(file, []byte("file-kept-admin-key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, "--api-key-file", file, "--log-level", "debug")
	if got := adminStatus(t, s.url, "file-kept-admin-key"); got != http.StatusOK {
		t.Fatalf("the key of the file: %d", got)
	}
	if strings.Contains(s.out.String(), "file-kept-admin-key") {
		t.Fatalf("serve printed the key of the file:\n%s", s.out.String())
	}
}

func TestServeTakesTheAdminKeyFromTheEnvironmentAndNeverPrintsIt(t *testing.T) {
	t.Setenv("CONFGW_API_KEY", "env-kept-admin-key")
	s := startServe(t, "--log-level", "debug")
	if got := adminStatus(t, s.url, "env-kept-admin-key"); got != http.StatusOK {
		t.Fatalf("the key of the environment: %d", got)
	}
	if out := s.out.String(); strings.Contains(out, "env-kept-admin-key") || strings.Contains(out, "visible") {
		t.Fatalf("serve printed the key of the environment, or warned about it:\n%s", out)
	}
}

func TestServeWarnsThatAnAdminKeyOnTheCommandLineIsVisibleYetTakesIt(t *testing.T) {
	s := startServe(t, "--api-key", "typed-admin-key")
	if got := adminStatus(t, s.url, "typed-admin-key"); got != http.StatusOK {
		t.Fatalf("the typed key: %d", got)
	}
	if !regexp.MustCompile(`level=WARN.*visible to every local user`).MatchString(s.out.String()) {
		t.Fatalf("no warning that the typed key is visible:\n%s", s.out.String())
	}
}

// The printed console link opens the host's page: the page is served there
// and the token in it is the host token printed above it.
func TestServePrintsTheConsoleLink(t *testing.T) {
	s := startServe(t)
	m := regexp.MustCompile(`console:\s+(http://\S+)/\?token=(\S+)`).FindStringSubmatch(s.out.String())
	if m == nil || m[1] != s.url || m[2] != s.token {
		t.Fatalf("no console link for %s with the host token:\n%s", s.url, s.out.String())
	}
	resp, err := http.Get(m[1] + "/?token=" + m[2])
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("console link: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

func TestServeRejectsBadSettings(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--log-format", "xml"},
		{"serve", "--min-client-version", "four"},
		{"serve", "--http", "256.0.0.1:1"},
		{"serve", "--http", "127.0.0.1:0", "--pprof", "256.0.0.1:1"},
		{"serve", "--http", "127.0.0.1:0", "--webrtc-public-ip", "not-an-ip"},
		{"serve", "--http", "127.0.0.1:0", "--events-replay", "0"},
		{"serve", "--http", "127.0.0.1:0", "--events-max-per-token", "-1"},
		{"serve", "--http", "127.0.0.1:0", "--token-ttl", "0s"},
		{"serve", "--http", "127.0.0.1:0", "--api-key", "k", "--api-key-file", "/dev/null"},
		{"serve", "--http", "127.0.0.1:0", "--api-key-file", "/nonexistent/admin-key"},
		{"serve", "--http", "127.0.0.1:0", "--api-key-file", "/dev/null"},
		{"serve", "--http", "127.0.0.1:0", "--auth-failure-burst", "-1"},
		{"serve", "--http", "127.0.0.1:0", "--auth-failure-interval", "0s"},
		{"serve", "--http", "127.0.0.1:0", "--mix-gate", "3"},
		{"serve", "--http", "127.0.0.1:0", "--mix-gate-hangover", "-1s"},
		{"serve", "--http", "127.0.0.1:0", "--speaking-level", "3"},
		{"serve", "--http", "127.0.0.1:0", "--srtp", "maybe"},
		{"serve", "--http", "127.0.0.1:0", "--max-bans", "0"},
	} {
		root := newRoot()
		root.SetArgs(append(args, "--data-dir", t.TempDir(), "--sip", "127.0.0.1:0", "--webrtc-udp", "127.0.0.1:0"))
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&out)
		if err := root.ExecuteContext(context.Background()); err == nil {
			t.Errorf("%v started", args)
		}
	}
}

func TestServeProfilesOnTheirOwnAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := startServe(t, "--pprof", addr)
	// The command line may hold the admin key, and profiles need none.
	resp, err := http.Get("http://" + addr + "/debug/pprof/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	cmdline, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Fatalf("/debug/pprof/cmdline answered %d: %s", resp.StatusCode, cmdline)
	}
	resp, err = http.Get("http://" + addr + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatalf("pprof: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "goroutine profile") {
		t.Fatalf("pprof answered %d:\n%.300s", resp.StatusCode, body)
	}
	// The API itself does not serve them.
	resp, err = http.Get(s.url + "/debug/pprof/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Fatal("the API serves profiles")
	}
	if err := s.stop(t); err != nil {
		t.Fatalf("serve did not stop cleanly: %v", err)
	}
	if _, err := http.Get("http://" + addr + "/debug/pprof/"); err == nil {
		t.Fatal("profiles still served after serve stopped")
	}
}

// A serve that fails once the SIP server holds its port (here the gateway
// refuses a public address that is not an IP) gives the port back, so a
// corrected serve can have it.
func TestServeThatFailsAfterBindingSIPFreesItsPort(t *testing.T) {
	probe, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := probe.LocalAddr().String()
	probe.Close()
	root := newRoot()
	root.SetArgs([]string{"serve", "--http", "127.0.0.1:0", "--sip", addr,
		"--sip-public-addr", "pbx.example.com:5060", "--webrtc-udp", "127.0.0.1:0", "--data-dir", t.TempDir(), "--log-level", "warn"})
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	err = root.ExecuteContext(t.Context())
	if err == nil || !strings.Contains(err.Error(), "not an IP address") {
		t.Fatalf("serve with a host name for a public address: %v, want the gateway's refusal after binding SIP\n%s", err, out.String())
	}
	udp, err := net.ListenPacket("udp", addr)
	if err != nil {
		t.Fatalf("SIP port still held over UDP after serve failed: %v", err)
	}
	udp.Close()
	tcp, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("SIP port still held over TCP after serve failed: %v", err)
	}
	tcp.Close()
}

// A gateway at rest takes calls, says so at /readyz, and exports the
// shedding counters before any call was shed, so a dashboard reads zeros.
func TestServeIsReadyAtRestAndExportsTheSheddingMetrics(t *testing.T) {
	s := startServe(t, "--shed-tick-late", "80ms", "--max-setup-calls", "20")
	resp, err := http.Get(s.url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/readyz %d at rest, want 200", resp.StatusCode)
	}
	resp, err = http.Get(s.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`confgw_calls_shed_total{reason="tick_late"} 0`,
		`confgw_calls_shed_total{reason="setup_queue"} 0`,
		"confgw_calls_in_setup 0",
		"confgw_mixer_tick_late_seconds",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if err := s.stop(t); err != nil {
		t.Fatalf("serve did not stop cleanly: %v", err)
	}
}

func TestServeCapsEventsStreamsPerTokenAsItsFlagSays(t *testing.T) {
	s := startServe(t, "--events-max-per-token", "1", "--events-replay", "64", "--events-buffer", "16")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	open := func() *http.Response {
		req, _ := http.NewRequestWithContext(ctx, "GET", s.url+"/v1/conferences/demo/events", nil)
		req.Header.Set("Authorization", "Bearer "+s.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	if first := open(); first.StatusCode != http.StatusOK {
		t.Fatalf("first stream: %d", first.StatusCode)
	}
	second := open()
	body, _ := io.ReadAll(second.Body)
	if second.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(body), "too_many_streams") || second.Header.Get("Retry-After") == "" {
		t.Fatalf("second stream of one token with --events-max-per-token 1: %d %s", second.StatusCode, body)
	}
	cancel()
	if err := s.stop(t); err != nil {
		t.Fatalf("serve did not stop cleanly: %v", err)
	}
}
