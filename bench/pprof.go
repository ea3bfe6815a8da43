package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// profileResult names the profiles taken during a window and holds the top
// of the CPU one.
type profileResult struct {
	Seconds int    `json:"seconds"`
	CPU     string `json:"cpu,omitempty"`
	Heap    string `json:"heap,omitempty"`
	Allocs  string `json:"allocs,omitempty"`
	Top     string `json:"top,omitempty"`
	Error   string `json:"error,omitempty"`
}

// fetchProfiles takes a CPU profile of secs seconds from serve's --pprof
// listener, then the heap and allocation profiles, into the output
// directory. A profile that cannot be taken is noted, not fatal: the figures
// of the window stand without it.
func (h *harness) fetchProfiles(ctx context.Context, c *confgw, name string, secs int) *profileResult {
	pr := &profileResult{Seconds: secs}
	if secs < 1 {
		pr.Error = "window too short to profile"
		return pr
	}
	dir := h.profileDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		pr.Error = err.Error()
		return pr
	}
	get := func(path, file string, limit time.Duration) (string, error) {
		ctx, cancel := context.WithTimeout(ctx, limit)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.pprof+path, nil)
		if err != nil {
			return "", err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("%s: %s", path, resp.Status)
		}
		out := filepath.Join(dir, file)
		f, err := os.Create(out)
		if err != nil {
			return "", err
		}
		if _, err := io.Copy(f, resp.Body); err != nil {
			_ = f.Close()
			return "", err
		}
		return out, f.Close()
	}
	var err error
	limit := time.Duration(secs)*time.Second + 15*time.Second
	if pr.CPU, err = get(fmt.Sprintf("/debug/pprof/profile?seconds=%d", secs), name+".cpu.pb.gz", limit); err != nil {
		pr.Error = err.Error()
		return pr
	}
	if pr.Heap, err = get("/debug/pprof/heap", name+".heap.pb.gz", 15*time.Second); err != nil {
		pr.Error = err.Error()
	}
	if pr.Allocs, err = get("/debug/pprof/allocs", name+".allocs.pb.gz", 15*time.Second); err != nil {
		pr.Error = err.Error()
	}
	return pr
}

// finish prints the top of the CPU profile and makes the paths relative to
// the output directory. It runs after the window, so that pprof's own work
// does not compete with the server being measured.
func (pr *profileResult) finish(ctx context.Context, out string) {
	if pr.CPU != "" {
		// Go's profiles carry their symbols, so no binary is needed.
		top, err := exec.CommandContext(ctx, "go", "tool", "pprof", "-top", "-nodecount=15", pr.CPU).CombinedOutput()
		if err != nil {
			pr.Error = fmt.Sprintf("go tool pprof: %v: %s", err, top)
		} else {
			pr.Top = string(top)
		}
	}
	for _, p := range []*string{&pr.CPU, &pr.Heap, &pr.Allocs} {
		if rel, err := filepath.Rel(out, *p); err == nil && *p != "" {
			*p = rel
		}
	}
}
