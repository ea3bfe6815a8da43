package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// buildConfgw compiles the gateway from the repository at repo into dir.
func buildConfgw(ctx context.Context, repo, dir string) (string, error) {
	bin := filepath.Join(dir, "confgw")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/confgw")
	cmd.Dir = repo
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build ./cmd/confgw: %w\n%s", err, out)
	}
	return bin, nil
}

// confgw is one `confgw serve` on loopback ports of its own. Every level gets
// a fresh one, so its idle RSS, its peak and its longest tick belong to that
// level alone.
type confgw struct {
	p     *proc
	http  string
	sip   string
	pprof string
	key   string
}

func startConfgw(ctx context.Context, bin, dir, name string, pp *portPicker) (*confgw, error) {
	ports, err := pickN(pp, 3)
	if err != nil {
		return nil, err
	}
	k := make([]byte, 12)
	_, _ = rand.Read(k)
	c := &confgw{
		http:  "http://" + loopback(ports[0]),
		sip:   loopback(ports[1]),
		pprof: "http://" + loopback(ports[2]),
		key:   "bench-" + hex.EncodeToString(k),
	}
	c.p, err = startProc(name, dir, filepath.Join(dir, name+".log"), "", bin, "serve",
		"--http", loopback(ports[0]), "--sip", c.sip, "--api-key", c.key,
		"--rtp-ports", rtpPorts, "--log-level", "warn", "--pprof", loopback(ports[2]),
		"--data-dir", filepath.Join(dir, name+"-data"),
		// The whole load comes from one host: the per-source caps that keep
		// a stranger from exhausting the gateway would measure themselves.
		"--invite-rate-per-source", "0", "--max-unacked-per-source", "0",
		"--max-calls", "0", "--max-unacked", "0",
		"--sip-tcp-max-conns-per-source", "0",
		"--webrtc-udp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	if err := c.ready(ctx); err != nil {
		c.p.stop(5 * time.Second)
		return nil, fmt.Errorf("%s: %w; log: %s", name, err, tail(filepath.Join(dir, name+".log"), 600))
	}
	return c, nil
}

// ready waits for /healthz, then makes sure the demo conference exists (serve
// creates it unless told not to).
func (c *confgw) ready(ctx context.Context) error {
	deadline := time.Now().Add(15 * time.Second)
	for {
		if c.p.exited() {
			return fmt.Errorf("exited with %d", c.p.exitCode())
		}
		resp, err := http.Get(c.http + "/healthz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no /healthz after 15 s")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	status, err := c.api(http.MethodGet, "/v1/conferences/demo", nil)
	if err != nil {
		return err
	}
	if status == http.StatusOK {
		return nil
	}
	status, err = c.api(http.MethodPost, "/v1/conferences", []byte(`{"id":"demo","title":"Load"}`))
	if err != nil {
		return err
	}
	if status != http.StatusCreated {
		return fmt.Errorf("creating the demo conference: %d", status)
	}
	return nil
}

func (c *confgw) api(method, path string, body []byte) (int, error) {
	req, err := http.NewRequest(method, c.http+path, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

// legsUp counts connected phone legs.
func (c *confgw) legsUp(ctx context.Context) (int, error) {
	m, err := scrape(ctx, c.http+"/metrics", 5*time.Second)
	if err != nil {
		return 0, err
	}
	return int(m.sum("confgw_phone_legs", map[string]string{"state": "connected"})), nil
}

// loadtestAvailable reports whether this build has the loadtest command. The
// help text is checked, not the status: a command line that does not know
// the word may still print its own help and exit 0.
func loadtestAvailable(bin string) bool {
	out, err := exec.Command(bin, "loadtest", "--help").CombinedOutput()
	return err == nil && bytes.Contains(out, []byte("--legs")) && bytes.Contains(out, []byte("--cps"))
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			if _, err := os.Stat(filepath.Join(d, "cmd", "confgw")); err == nil {
				return d, nil
			}
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("run from inside the confgw repository (no go.mod with cmd/confgw above %s)", dir)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
