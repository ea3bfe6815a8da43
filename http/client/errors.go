package client

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/http/wire"
)

// APIError is a refusal by the server: its HTTP status with the code and
// message of its error body. Code is empty when the body was not the API's
// (a proxy's error page, say).
type APIError struct {
	Status  int
	Code    string
	Message string
}

// Error reads like the server's own errors ("client_too_old: Carl uses
// client 4.9; …"), so a tool can show it as it is.
func (e *APIError) Error() string {
	if e.Code == "" {
		return "HTTP " + strconv.Itoa(e.Status) + ": " + e.Message
	}
	return e.Code + ": " + e.Message
}

// Is lets callers test a refusal against the conference package's
// sentinels, as they would in-process: errors.Is(err, conference.ErrClientTooOld).
func (e *APIError) Is(target error) bool {
	t, ok := target.(*conference.Error)
	return ok && e.Code != "" && string(t.Code) == e.Code
}

// maxErrorText keeps a foreign error page from flooding a terminal.
const maxErrorText = 200

func apiError(status int, body []byte) *APIError {
	var b wire.ErrorBody
	if err := json.Unmarshal(body, &b); err == nil && b.Error.Code != "" {
		return &APIError{Status: status, Code: string(b.Error.Code), Message: b.Error.Message}
	}
	msg := strings.TrimSpace(string(body))
	if len(msg) > maxErrorText {
		msg = msg[:maxErrorText] + "…"
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	return &APIError{Status: status, Message: msg}
}
