package apitest

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// checkedHeader marks the requests Do and Send check themselves, against
// the test that made them; the server-side watch leaves those alone.
const checkedHeader = "Apitest-Checked"

// watch holds every other exchange the test server sees (the Go client's,
// the command line's, events streams) to the document, reporting to the
// test that started the server. A fuzz target's own test cannot be failed
// from a handler, so under fuzzing only Do and Send check.
func watch(t testing.TB, c *Contract, next http.Handler) http.Handler {
	if _, fuzz := t.(*testing.F); fuzz {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(checkedHeader) != "" {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("%s %s: reading the request: %v", r.Method, r.URL, err)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		resp := rec.response()
		if err := c.Check(r, body, resp); err != nil {
			t.Errorf("%s %s breaks the API's OpenAPI document: %v", r.Method, r.URL.Path, err)
		}
		if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
			for _, data := range eventData(resp.Body) {
				if err := c.CheckSchema("Event", data); err != nil {
					t.Errorf("%s %s: an event breaks the API's OpenAPI document: %v", r.Method, r.URL.Path, err)
				}
			}
		}
	})
}

// eventData returns the data of each complete event of a server-sent
// events stream; a stream cut by its client may end inside one.
func eventData(stream []byte) [][]byte {
	var out [][]byte
	blocks := strings.Split(string(stream), "\n\n")
	for _, block := range blocks[:len(blocks)-1] {
		var data []string
		for line := range strings.SplitSeq(block, "\n") {
			if v, ok := strings.CutPrefix(line, "data:"); ok {
				data = append(data, strings.TrimPrefix(v, " "))
			}
		}
		if data != nil {
			out = append(out, []byte(strings.Join(data, "\n")))
		}
	}
	return out
}

// recorder keeps a copy of what a handler answers while passing it on, so
// streams still flow and write deadlines still reach the connection.
type recorder struct {
	http.ResponseWriter
	mu     sync.Mutex
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(status int) {
	r.mu.Lock()
	if r.status == 0 {
		r.status = status
	}
	r.mu.Unlock()
	r.ResponseWriter.WriteHeader(status)
}

// Write keeps only what reached the connection: a stream cut off by its
// write deadline goes on rendering events nobody receives.
func (r *recorder) Write(b []byte) (int, error) {
	n, err := r.ResponseWriter.Write(b)
	r.mu.Lock()
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.body.Write(b[:n])
	r.mu.Unlock()
	return n, err
}

// Flush passes a stream's flush on.
func (r *recorder) Flush() { http.NewResponseController(r.ResponseWriter).Flush() }

// Unwrap lets http.ResponseController reach the connection.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *recorder) response() Response {
	r.mu.Lock()
	defer r.mu.Unlock()
	status := r.status
	if status == 0 {
		status = http.StatusOK
	}
	return Response{Status: status, Body: bytes.Clone(r.body.Bytes()), Header: r.Header().Clone()}
}
