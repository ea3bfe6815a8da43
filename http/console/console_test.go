package console_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/confgw/confgw/http/console"
)

func serve(t *testing.T) http.Handler {
	t.Helper()
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	console.New().Register(e)
	e.GET("/v1/ping", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"ok": true}) })
	return e
}

func get(h http.Handler, path string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func TestServesFiles(t *testing.T) {
	h := serve(t)
	tests := []struct {
		name, path  string
		status      int
		ctype       string
		cache       string
		bodyHas     string
		wantsPolicy bool
	}{
		{"page", "/", 200, "text/html; charset=utf-8", "no-store", `<script type="module" src="/console/main.js">`, true},
		{"page opened from the printed link", "/?token=abc.def.ghi", 200, "text/html; charset=utf-8", "no-store", "Participants", true},
		{"entry module", "/console/main.js", 200, "text/javascript; charset=utf-8", "no-cache", "import", true},
		{"api module", "/console/api.js", 200, "text/javascript; charset=utf-8", "no-cache", "Authorization", true},
		{"style", "/console/style.css", 200, "text/css; charset=utf-8", "no-cache", ".panel", true},
		{"icon", "/console/favicon.svg", 200, "image/svg+xml", "no-cache", "<svg", true},
		{"unknown file", "/console/nope.js", 404, "application/json; charset=utf-8", "", `"code":"not_found"`, false},
		{"page only at the root", "/console/index.html", 404, "application/json; charset=utf-8", "", `"code":"not_found"`, false},
		{"api untouched", "/v1/ping", 200, "application/json; charset=utf-8", "", `"ok":true`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := get(h, tt.path)
			if w.Code != tt.status {
				t.Fatalf("GET %s = %d, want %d: %s", tt.path, w.Code, tt.status, w.Body)
			}
			if got := w.Header().Get("Content-Type"); got != tt.ctype {
				t.Errorf("Content-Type = %q, want %q", got, tt.ctype)
			}
			if got := w.Header().Get("Cache-Control"); got != tt.cache {
				t.Errorf("Cache-Control = %q, want %q", got, tt.cache)
			}
			if !strings.Contains(w.Body.String(), tt.bodyHas) {
				t.Errorf("body lacks %q", tt.bodyHas)
			}
			csp := w.Header().Get("Content-Security-Policy")
			if tt.wantsPolicy {
				for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"} {
					if !strings.Contains(csp, want) {
						t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
					}
				}
				if got := w.Header().Get("Referrer-Policy"); got != "no-referrer" {
					t.Errorf("Referrer-Policy = %q: the token in the link could leak", got)
				}
				if got := w.Header().Get("X-Content-Type-Options"); got != "nosniff" {
					t.Errorf("X-Content-Type-Options = %q", got)
				}
			}
		})
	}
}

func TestAssetsRevalidate(t *testing.T) {
	h := serve(t)
	first := get(h, "/console/main.js")
	etag := first.Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag on an asset")
	}
	again := get(h, "/console/main.js", "If-None-Match", etag)
	if again.Code != http.StatusNotModified {
		t.Fatalf("revalidation = %d, want 304", again.Code)
	}
}

// The page must run offline and under its own policy: no script, style or
// font may come from another origin, and no inline script may be needed.
func TestPageFetchesNothingElsewhere(t *testing.T) {
	h := serve(t)
	// Every file the binary embeds is checked, one added later included;
	// index.html is the page at /.
	entries, err := os.ReadDir("assets")
	if err != nil {
		t.Fatal(err)
	}
	files := []string{"/"}
	for _, e := range entries {
		if e.Name() != "index.html" {
			files = append(files, e.Name())
		}
	}
	for _, name := range files {
		if name != "/" {
			name = "/console/" + name
		}
		w := get(h, name)
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s = %d", name, w.Code)
		}
		// SVG's namespace is a name, not something fetched.
		body := strings.ReplaceAll(w.Body.String(), "http://www.w3.org/2000/svg", "")
		for _, bad := range []string{"http://", "https://", "@import", "<script>", "eval("} {
			if strings.Contains(body, bad) {
				t.Errorf("%s contains %q", name, bad)
			}
		}
	}
}
