package http

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/http/wire"
)

// answer is what fail sends for err.
func answer(t *testing.T, err error) (int, conference.Code) {
	t.Helper()
	gin.SetMode(gin.ReleaseMode)
	s := &Server{log: slog.New(slog.DiscardHandler)}
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	c.Request = httptest.NewRequest(http.MethodGet, "/", nil)
	s.fail(c, err)
	var b wire.ErrorBody
	if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
		t.Fatalf("error body %q: %v", w.Body, err)
	}
	return w.Code, b.Error.Code
}

func TestAnAppOnlyRefusalIsForbidden(t *testing.T) {
	status, code := answer(t, conference.ErrAppOnly)
	if status != http.StatusForbidden || code != "app_participant_only" {
		t.Fatalf("ErrAppOnly answered %d %q", status, code)
	}
}

// TestEveryConferenceCodeHasAStatus reads the conference package's source,
// so that a code added there cannot reach clients as a 500 by omission.
func TestEveryConferenceCodeHasAStatus(t *testing.T) {
	files, err := filepath.Glob("../conference/*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	n := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
					continue
				}
				for i, v := range vs.Values {
					lit, ok := v.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						t.Fatalf("conference.%s is not a string literal", vs.Names[i])
					}
					n++
					code := conference.Code(lit.Value[1 : len(lit.Value)-1])
					if _, ok := statusOf[code]; !ok {
						t.Errorf("conference.%s (%q) has no HTTP status: it would answer 500", vs.Names[i], code)
					}
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("found no codes in the conference package")
	}
}
