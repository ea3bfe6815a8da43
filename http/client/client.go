// Package client speaks to a confgw server's API. Every call hands back the
// decoded value together with the body exactly as the server sent it, so a
// tool can show the API's own JSON instead of a re-encoding that could drift
// from it.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxBody bounds what is read of an answer, so a server address pointing at
// the wrong thing cannot make the client buffer without end.
const maxBody = 8 << 20

// Client calls one server with one token: the admin key or a participant
// token. It is safe for concurrent use.
type Client struct {
	server string
	token  string
	hc     *http.Client
}

// Option adjusts a Client.
type Option func(*Client)

// WithHTTPClient sends requests through hc. It should have no overall
// Timeout: the events stream stays open for as long as the caller follows
// it, and every call already ends with its context.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) { c.hc = hc }
}

// New returns a client of the API at server (such as http://127.0.0.1:8080).
func New(server, token string, opts ...Option) *Client {
	c := &Client{server: strings.TrimRight(server, "/"), token: token, hc: http.DefaultClient}
	for _, o := range opts {
		o(c)
	}
	return c
}

// confPath is the path of a conference or of something in it; every
// segment is escaped because ids come from users and tokens.
func confPath(cid string, segments ...string) string {
	var b strings.Builder
	b.WriteString("/v1/conferences/")
	b.WriteString(url.PathEscape(cid))
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}

// send starts a request and leaves the answer to the caller, whatever its
// status; in, when not nil, is sent as JSON.
func (c *Client) send(ctx context.Context, method, path string, in any, header http.Header) (*http.Response, error) {
	var body io.Reader
	if in != nil {
		j, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.server+path, body)
	if err != nil {
		return nil, fmt.Errorf("build %s %s: %w", method, path, err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.hc.Do(req)
}

// do runs a request to its end: an answer outside 2xx becomes an
// *APIError, a 2xx body is decoded into out (when not nil) and returned.
func (c *Client) do(ctx context.Context, method, path string, in, out any) ([]byte, error) {
	resp, err := c.send(ctx, method, path, in, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("read %s %s answer: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, apiError(resp.StatusCode, raw)
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return nil, fmt.Errorf("decode %s %s answer: %w", method, path, err)
		}
	}
	return raw, nil
}

// stream starts a GET whose body the caller reads as it arrives; an
// answer other than 200 becomes an *APIError.
func (c *Client) stream(ctx context.Context, path string, header http.Header) (io.ReadCloser, error) {
	resp, err := c.send(ctx, http.MethodGet, path, nil, header)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusOK {
		return resp.Body, nil
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("read GET %s answer: %w", path, err)
	}
	return nil, apiError(resp.StatusCode, raw)
}

// call is do for answers decoded into a value of their own.
func call[T any](ctx context.Context, c *Client, method, path string, in any) (T, []byte, error) {
	var v T
	raw, err := c.do(ctx, method, path, in, &v)
	if err != nil {
		var zero T
		return zero, nil, err
	}
	return v, raw, nil
}
