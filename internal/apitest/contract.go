package apitest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	confhttp "github.com/confgw/confgw/http"
)

// Contract is the API's OpenAPI document, ready to hold exchanges to it.
type Contract struct {
	doc     *openapi3.T
	router  routers.Router
	schemas *schemas
}

var (
	loadOnce     sync.Once
	loaded       *Contract
	errLoad      error
	decodersOnce sync.Once
)

// LoadContract parses and validates the document the server embeds. It is
// read once per test binary: every Env shares it.
func LoadContract() (*Contract, error) {
	loadOnce.Do(func() { loaded, errLoad = ParseContract(confhttp.OpenAPI()) })
	return loaded, errLoad
}

// ParseContract parses and validates an OpenAPI document.
func ParseContract(doc []byte) (*Contract, error) {
	decodersOnce.Do(registerDecoders)
	loader := openapi3.NewLoader()
	t, err := loader.LoadFromData(doc)
	if err != nil {
		return nil, fmt.Errorf("load the OpenAPI document: %w", err)
	}
	if err := t.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("the OpenAPI document is invalid: %w", err)
	}
	r, err := gorillamux.NewRouter(t)
	if err != nil {
		return nil, fmt.Errorf("route the OpenAPI document: %w", err)
	}
	s, err := newSchemas(doc)
	if err != nil {
		return nil, fmt.Errorf("the OpenAPI document's schemas: %w", err)
	}
	return &Contract{doc: t, router: r, schemas: s}, nil
}

// registerDecoders lets the validator read the bodies that are not JSON: it
// refuses a documented body it has no decoder for. They are all read as
// text, which is all their schemas ask of them.
func registerDecoders() {
	for _, ct := range []string{
		"application/sdp", "text/event-stream", "text/html", "text/javascript", "text/css",
		"image/svg+xml", "application/openmetrics-text", "audio/wav",
	} {
		if openapi3filter.RegisteredBodyDecoder(ct) == nil {
			openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
		}
	}
}

// Operations lists the document's operations as "METHOD /path/{param}",
// sorted.
func (c *Contract) Operations() []string {
	var out []string
	for path, item := range c.doc.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, method+" "+path)
		}
	}
	slices.Sort(out)
	return out
}

// genericHeaders are set by net/http on any answer; every other header an
// answer carries must be in the document.
var genericHeaders = map[string]bool{
	"Content-Type": true, "Content-Length": true, "Date": true, "Transfer-Encoding": true, "Connection": true,
}

// Check tells whether one exchange keeps to the document: req, sent with
// body, answered with resp. A request the document refuses may be sent,
// to see it refused: the server must then answer it with a documented 4xx.
func (c *Contract) Check(req *http.Request, body []byte, resp Response) error {
	route, params, err := c.router.FindRoute(req)
	switch {
	case errors.Is(err, routers.ErrPathNotFound):
		return c.checkUnserved(resp, http.StatusNotFound, "not_found")
	case errors.Is(err, routers.ErrMethodNotAllowed):
		return c.checkUnserved(resp, http.StatusMethodNotAllowed, "method_not_allowed")
	case err != nil:
		return fmt.Errorf("routing by the document: %w", err)
	}

	ctx := context.Background()
	sent := req.Clone(ctx)
	// The validator reads the body more than once, through GetBody.
	sent.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	sent.Body, _ = sent.GetBody()
	sent.ContentLength = int64(len(body))
	in := &openapi3filter.RequestValidationInput{
		Request: sent, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: credentialsPresent, ExcludeRequestBody: true},
	}
	reqErr := openapi3filter.ValidateRequest(ctx, in)
	if reqErr == nil {
		reqErr = c.checkRequestBody(route, req.Header.Get("Content-Type"), body)
	}
	if reqErr != nil && (resp.Status < 400 || resp.Status >= 500) {
		return fmt.Errorf("the server answered %d to a request the document refuses: %w", resp.Status, reqErr)
	}

	documented := route.Operation.Responses.Status(resp.Status)
	if documented == nil || documented.Value == nil {
		return fmt.Errorf("status %d is not documented for %s %s: %s", resp.Status, route.Method, route.Path, resp.Body)
	}
	for name := range resp.Header {
		if genericHeaders[name] {
			continue
		}
		if !hasHeader(documented.Value.Headers, name) {
			return fmt.Errorf("header %s of %d is not documented for %s %s", name, resp.Status, route.Method, route.Path)
		}
	}
	if len(documented.Value.Content) == 0 && len(resp.Body) > 0 {
		return fmt.Errorf("%d of %s %s is documented without a body but has one: %s", resp.Status, route.Method, route.Path, resp.Body)
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: resp.Status, Header: resp.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, ExcludeResponseBody: true},
	}
	out.SetBodyBytes(resp.Body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return fmt.Errorf("the answer %d does not match the document: %w", resp.Status, err)
	}
	if len(documented.Value.Content) == 0 {
		return nil
	}
	at := pointer("paths", route.Path, strings.ToLower(route.Method), "responses", strconv.Itoa(resp.Status))
	if documented.Ref != "" {
		at = strings.TrimPrefix(documented.Ref, "#")
	}
	if err := c.checkBody(at, documented.Value.Content, resp.Header.Get("Content-Type"), resp.Body); err != nil {
		return fmt.Errorf("the answer %d does not match the document: %w", resp.Status, err)
	}
	return nil
}

// checkRequestBody holds a request's body to its operation's; the
// validator's own check is left out for being slow (see schemas).
func (c *Contract) checkRequestBody(route *routers.Route, contentType string, body []byte) error {
	rb := route.Operation.RequestBody
	if rb == nil || rb.Value == nil {
		return nil
	}
	if len(body) == 0 {
		if rb.Value.Required {
			return errors.New("the request has no body but the document requires one")
		}
		return nil
	}
	at := pointer("paths", route.Path, strings.ToLower(route.Method), "requestBody")
	if rb.Ref != "" {
		at = strings.TrimPrefix(rb.Ref, "#")
	}
	if err := c.checkBody(at, rb.Value.Content, contentType, body); err != nil {
		return fmt.Errorf("request body: %w", err)
	}
	return nil
}

// checkBody finds the media type of contentType in content, found at the
// pointer at, and validates a JSON body against its schema. The other
// bodies (SDP, HTML, audio, streams) are documented as strings, which any
// body is.
func (c *Contract) checkBody(at string, content openapi3.Content, contentType string, body []byte) error {
	mt := content.Get(contentType)
	if mt == nil {
		return fmt.Errorf("content type %q is not documented", contentType)
	}
	for key, v := range content {
		if v != mt {
			continue
		}
		base, _, _ := strings.Cut(key, ";")
		if mt.Schema == nil || strings.TrimSpace(base) != "application/json" {
			return nil
		}
		return c.schemas.validate(at+pointer("content", key, "schema"), body)
	}
	return nil
}

// checkUnserved holds the answer to a route the document does not have to
// the API's own refusal of it: anything else is a route served but not
// documented.
func (c *Contract) checkUnserved(resp Response, status int, code string) error {
	if resp.Status != status {
		return fmt.Errorf("the route is not in the document, but the server answered %d: %s", resp.Status, resp.Body)
	}
	if err := c.CheckSchema("Error", resp.Body); err != nil {
		return err
	}
	if got := resp.ErrorCode(); got != code {
		return fmt.Errorf("the route is not in the document: want %d %s, got code %q", status, code, got)
	}
	return nil
}

// CheckSchema validates a JSON value against one of the document's
// schemas, such as the Event each events stream message carries.
func (c *Contract) CheckSchema(name string, body []byte) error {
	if _, ok := c.doc.Components.Schemas[name]; !ok {
		return fmt.Errorf("the document has no schema %s", name)
	}
	if err := c.schemas.validate(pointer("components", "schemas", name), body); err != nil {
		return fmt.Errorf("%s does not match the document: %w", name, err)
	}
	return nil
}

func hasHeader(headers openapi3.Headers, name string) bool {
	for h := range headers {
		if http.CanonicalHeaderKey(h) == name {
			return true
		}
	}
	return false
}

// credentialsPresent only looks for a credential where the scheme says it
// goes: whether it is good is the server's to decide, and the answer's to
// show.
func credentialsPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	req, scheme := in.RequestValidationInput.Request, in.SecurityScheme
	switch {
	case scheme.Type == "http" && strings.EqualFold(scheme.Scheme, "bearer"):
		if tok, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer "); ok && strings.TrimSpace(tok) != "" {
			return nil
		}
	case scheme.Type == "apiKey" && scheme.In == "query":
		if req.URL.Query().Get(scheme.Name) != "" {
			return nil
		}
	}
	return fmt.Errorf("no %s credential", in.SecuritySchemeName)
}
