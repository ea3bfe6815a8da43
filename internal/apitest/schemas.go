package apitest

import (
	"bytes"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// docURL names the document as a JSON Schema resource: OpenAPI 3.1 schemas
// are JSON Schema 2020-12, so each schema in the document is compiled in
// place, and its $refs resolve within the document.
const docURL = "file:///openapi.json"

// schemas compiles the document's schemas once each. kin-openapi compiles
// a schema afresh for every value it validates under OpenAPI 3.1, a few
// milliseconds each, which made every request of the test suites slow.
type schemas struct {
	mu       sync.Mutex
	compiler *jsonschema.Compiler
	compiled map[string]*jsonschema.Schema
}

func newSchemas(doc []byte) (*schemas, error) {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	// date-time and the other formats are assertions here, as kin-openapi
	// has them.
	c.AssertFormat()
	if err := c.AddResource(docURL, v); err != nil {
		return nil, err
	}
	return &schemas{compiler: c, compiled: map[string]*jsonschema.Schema{}}, nil
}

// validate checks a JSON value against the schema at pointer, a JSON
// pointer into the document.
func (s *schemas) validate(pointer string, body []byte) error {
	sch, err := s.at(pointer)
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("not JSON: %w: %s", err, body)
	}
	if err := sch.Validate(v); err != nil {
		return fmt.Errorf("%w: %s", err, body)
	}
	return nil
}

func (s *schemas) at(pointer string) (*jsonschema.Schema, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sch, ok := s.compiled[pointer]; ok {
		return sch, nil
	}
	sch, err := s.compiler.Compile(docURL + "#" + pointer)
	if err != nil {
		return nil, fmt.Errorf("compiling the document's schema at %s: %w", pointer, err)
	}
	s.compiled[pointer] = sch
	return sch, nil
}

var pointerEscape = strings.NewReplacer("~", "~0", "/", "~1")

// pointer joins JSON pointer tokens, escaping them.
func pointer(tokens ...string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(pointerEscape.Replace(t))
	}
	return b.String()
}
