package http_test

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	confhttp "github.com/confgw/confgw/http"
	"github.com/confgw/confgw/internal/apitest"
)

// ginParam is a Gin path parameter (":cid") or catch-all ("*path"), which
// the document writes "{cid}".
var ginParam = regexp.MustCompile(`[:*]([^/]+)`)

func TestEveryRouteServedIsDocumentedAndEveryDocumentedRouteServed(t *testing.T) {
	env := apitest.Start(t)
	engine, ok := env.API.Handler().(*gin.Engine)
	if !ok {
		t.Fatalf("the handler is a %T, not Gin's engine", env.API.Handler())
	}
	var served []string
	for _, r := range engine.Routes() {
		served = append(served, r.Method+" "+ginParam.ReplaceAllString(r.Path, "{$1}"))
	}
	slices.Sort(served)
	documented := env.Contract.Operations()
	for _, op := range served {
		if !slices.Contains(documented, op) {
			t.Errorf("%s is served but not in the document", op)
		}
	}
	for _, op := range documented {
		if !slices.Contains(served, op) {
			t.Errorf("%s is in the document but not served", op)
		}
	}
}

func TestTheDocumentIsServedAsCheckedIn(t *testing.T) {
	file, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(confhttp.OpenAPI(), file) {
		t.Fatal("the embedded document differs from openapi.json")
	}
	env := apitest.Start(t)
	r := env.Do("GET", "/v1/openapi.json", "", nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /v1/openapi.json: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	if !bytes.Equal(r.Body, file) {
		t.Fatal("GET /v1/openapi.json serves other bytes than openapi.json")
	}
}

// Throttling stands before every credential check, so every route that
// takes one may answer 429, and the document must say so with the wait.
func TestEveryAuthenticatedRouteDocumentsTooManyAttemptsWithRetryAfter(t *testing.T) {
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Responses map[string]struct {
				Headers map[string]any `json:"headers"`
			} `json:"responses"`
		} `json:"components"`
	}
	if err := json.Unmarshal(confhttp.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	shared, ok := doc.Components.Responses["TooManyAttempts"]
	if !ok || shared.Headers["Retry-After"] == nil {
		t.Fatal("no shared TooManyAttempts response with Retry-After")
	}
	for path, item := range doc.Paths {
		for method, raw := range item {
			if method == "parameters" {
				continue
			}
			var op struct {
				Security  *[]any                    `json:"security"`
				Responses map[string]map[string]any `json:"responses"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			if op.Security != nil && len(*op.Security) == 0 {
				continue
			}
			r, ok := op.Responses["429"]
			if !ok {
				t.Errorf("%s %s takes a credential but documents no 429", method, path)
				continue
			}
			if r["$ref"] == "#/components/responses/TooManyAttempts" {
				continue
			}
			if !strings.Contains(string(must(json.Marshal(r))), "too_many_attempts") {
				t.Errorf("%s %s documents a 429 without too_many_attempts", method, path)
			}
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
