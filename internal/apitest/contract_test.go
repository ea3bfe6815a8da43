package apitest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/confgw/confgw/internal/apitest"
)

func contract(t *testing.T) *apitest.Contract {
	t.Helper()
	c, err := apitest.LoadContract()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func jsonAnswer(status int, body string, extra ...string) apitest.Response {
	h := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	for i := 0; i+1 < len(extra); i += 2 {
		h.Set(extra[i], extra[i+1])
	}
	return apitest.Response{Status: status, Body: []byte(body), Header: h}
}

func request(t *testing.T, method, path, token, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, "http://gateway.test"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

func offer(t *testing.T) *http.Request {
	t.Helper()
	req := request(t, "POST", "/v1/conferences/c/media", "k", "")
	req.Header.Set("Content-Type", "application/sdp")
	return req
}

func TestTheServersDocumentIsValidOpenAPI31(t *testing.T) {
	c := contract(t)
	if ops := c.Operations(); len(ops) == 0 || !strings.HasPrefix(ops[0], "DELETE /v1/conferences/{cid}") {
		t.Fatalf("operations %v", ops)
	}
}

func TestExchangesTheDocumentDescribesPass(t *testing.T) {
	c := contract(t)
	for _, tt := range []struct {
		name   string
		req    *http.Request
		body   string
		answer apitest.Response
	}{
		{"health", request(t, "GET", "/healthz", "", ""), "", jsonAnswer(200, `{"status":"ok","parts":{"http":"ok"}}`)},
		{"an unknown path refused", request(t, "GET", "/v2/x", "", ""), "",
			jsonAnswer(404, `{"error":{"code":"not_found","message":"no such route"}}`)},
		{"an unserved method refused", request(t, "PUT", "/healthz", "", ""), "",
			jsonAnswer(405, `{"error":{"code":"method_not_allowed","message":"no"}}`)},
		{"a request the document refuses, refused", request(t, "POST", "/v1/conferences", "k", `{"colour":"red"}`), `{"colour":"red"}`,
			jsonAnswer(400, `{"error":{"code":"invalid_request","message":"unknown field"}}`)},
		{"no token, refused", request(t, "GET", "/v1/conferences/c", "", ""), "",
			jsonAnswer(401, `{"error":{"code":"unauthorized","message":"send a token"}}`)},
		{"a room deleted", request(t, "DELETE", "/v1/conferences/c/rooms/1", "k", ""), "",
			apitest.Response{Status: 204, Header: http.Header{}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := c.Check(tt.req, []byte(tt.body), tt.answer); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestExchangesTheDocumentDoesNotDescribeFail(t *testing.T) {
	c := contract(t)
	for _, tt := range []struct {
		name   string
		req    *http.Request
		body   string
		answer apitest.Response
		want   string
	}{
		{"an undocumented route served", request(t, "GET", "/v2/x", "", ""), "", jsonAnswer(200, `{}`), "not in the document"},
		{"an undocumented method served", request(t, "PUT", "/healthz", "", ""), "", jsonAnswer(200, `{}`), "not in the document"},
		{"an undocumented status", request(t, "GET", "/healthz", "", ""), "",
			jsonAnswer(418, `{"error":{"code":"invalid_request","message":"teapot"}}`), "status 418 is not documented"},
		{"an undocumented header", request(t, "GET", "/healthz", "", ""), "",
			jsonAnswer(200, `{"status":"ok","parts":{"http":"ok"}}`, "X-Debug", "1"), "header X-Debug"},
		{"a missing header", offer(t), "v=0\r\n",
			apitest.Response{Status: 201, Body: []byte("v=0\r\n"), Header: http.Header{"Content-Type": {"application/sdp"}}}, "Location"},
		{"an undocumented field", request(t, "GET", "/healthz", "", ""), "", jsonAnswer(200, `{"status":"ok","parts":{"http":"ok"},"load":1}`), "does not match"},
		{"a missing field", request(t, "GET", "/v1/conferences/c/participants", "k", ""), "", jsonAnswer(200, `{}`), "does not match"},
		{"a code the route does not give", request(t, "DELETE", "/v1/conferences/c/rooms/1", "k", ""), "",
			jsonAnswer(409, `{"error":{"code":"already_exists","message":"x"}}`), "does not match"},
		{"an undocumented content type", request(t, "GET", "/healthz", "", ""), "",
			apitest.Response{Status: 200, Body: []byte("ok"), Header: http.Header{"Content-Type": {"text/plain"}}}, "does not match"},
		{"a body where none is documented", request(t, "DELETE", "/v1/conferences/c/rooms/1", "k", ""), "",
			jsonAnswer(204, `{}`), "without a body"},
		{"a request the document refuses, accepted", request(t, "POST", "/v1/conferences", "k", `{"colour":"red"}`), `{"colour":"red"}`,
			jsonAnswer(201, `{}`), "request the document refuses"},
		{"a request without its token, accepted", request(t, "GET", "/v1/conferences/c/participants", "", ""), "",
			jsonAnswer(200, `{"participants":[]}`), "request the document refuses"},
		{"an unserved route refused with another code", request(t, "GET", "/v2/x", "", ""), "",
			jsonAnswer(404, `{"error":{"code":"conference_ended","message":"x"}}`), "want 404 not_found"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := c.Check(tt.req, []byte(tt.body), tt.answer)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error saying %q", err, tt.want)
			}
		})
	}
}
