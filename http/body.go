package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/confgw/confgw/conference"
)

// MaxBodyBytes bounds every request body.
const MaxBodyBytes = 64 << 10

var errTooLarge = &conference.Error{Code: codeTooLarge, Msg: fmt.Sprintf("request body is over %d bytes", MaxBodyBytes)}

// decode reads a JSON body strictly: unknown fields, trailing data and
// oversized bodies are refused, so a typo in a script is an error rather
// than a silently ignored setting. An empty body decodes as {}; any other
// body must be an object, as the API's document has it: a null, or a body
// of nothing but white space, would otherwise decode as {} too.
func decode(c *gin.Context, v any) error {
	body := &countingReader{r: http.MaxBytesReader(c.Writer, c.Request.Body, MaxBodyBytes)}
	c.Request.Body = io.NopCloser(body)
	dec := json.NewDecoder(body)
	var raw json.RawMessage
	err := dec.Decode(&raw)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return errTooLarge
	case errors.Is(err, io.EOF) && body.n == 0:
		return nil
	case errors.Is(err, io.EOF):
		return invalid("request body holds no JSON: send an object, or nothing at all")
	case err != nil:
		return invalid("request body is not valid JSON for this route: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if errors.As(err, &tooBig) {
			return errTooLarge
		}
		return invalid("request body has data after its JSON object")
	}
	if raw[0] != '{' {
		return invalid("request body must be a JSON object")
	}
	strict := json.NewDecoder(bytes.NewReader(raw))
	strict.DisallowUnknownFields()
	if err := strict.Decode(v); err != nil {
		return invalid("request body is not valid JSON for this route: %v", err)
	}
	return nil
}

// countingReader counts what it reads, to tell an empty body from one of
// white space.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
