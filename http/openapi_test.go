package http_test

import (
	"bytes"
	"os"
	"regexp"
	"slices"
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
