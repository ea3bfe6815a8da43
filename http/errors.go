package http

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/http/wire"
)

// Codes the API adds to the conference's own.
const (
	codeTooLarge         conference.Code = "request_too_large"
	codeMethodNotAllowed conference.Code = "method_not_allowed"
	codeInternal         conference.Code = "internal_error"
	codeTooManyStreams   conference.Code = "too_many_streams"
	codeStreamsFull      conference.Code = "streams_full"
)

var statusOf = map[conference.Code]int{
	conference.CodeInvalid:            http.StatusBadRequest,
	conference.CodeUnauthorized:       http.StatusUnauthorized,
	conference.CodeHostRequired:       http.StatusForbidden,
	conference.CodeAdminRequired:      http.StatusForbidden,
	conference.CodeBreakoutDisabled:   http.StatusForbidden,
	conference.CodeAppOnly:            http.StatusForbidden,
	conference.CodeMuteLocked:         http.StatusForbidden,
	conference.CodeSelfOnly:           http.StatusForbidden,
	conference.CodeBanned:             http.StatusForbidden,
	conference.CodeBanLimit:           http.StatusConflict,
	conference.CodeNoCallerNumber:     http.StatusConflict,
	conference.CodeNotFound:           http.StatusNotFound,
	conference.CodeRenameNotSupported: http.StatusMethodNotAllowed,
	codeMethodNotAllowed:              http.StatusMethodNotAllowed,
	conference.CodeRoomLimit:          http.StatusConflict,
	conference.CodePhonePinned:        http.StatusConflict,
	conference.CodeClientTooOld:       http.StatusConflict,
	conference.CodeHostInsideRoom:     http.StatusConflict,
	conference.CodeMainRoomPermanent:  http.StatusConflict,
	conference.CodeRecordingMainOnly:  http.StatusConflict,
	conference.CodeNotPhone:           http.StatusConflict,
	conference.CodePhoneCannotHost:    http.StatusConflict,
	conference.CodeNoOutboundTrunk:    http.StatusConflict,
	conference.CodeAlreadyExists:      http.StatusConflict,
	conference.CodeEnded:              http.StatusGone,
	codeRecordingInProgress:           http.StatusConflict,
	codeTooLarge:                      http.StatusRequestEntityTooLarge,
	codeInternal:                      http.StatusInternalServerError,
	codeInvalidSDP:                    http.StatusBadRequest,
	codeUnsupportedMediaType:          http.StatusUnsupportedMediaType,
	codeNoSupportedCodec:              http.StatusUnprocessableEntity,
	codeAudioUnavailable:              http.StatusServiceUnavailable,
	codeAudioFull:                     http.StatusServiceUnavailable,
	codeTooManyOffers:                 http.StatusTooManyRequests,
	codeTooManyStreams:                http.StatusTooManyRequests,
	codeStreamsFull:                   http.StatusServiceUnavailable,
	codeTooManyAttempts:               http.StatusTooManyRequests,
	conference.CodeShuttingDown:       http.StatusServiceUnavailable,
	conference.CodeStorageUnavailable: http.StatusServiceUnavailable,
}

// retryAfterOf is the Retry-After, in seconds, of refusals that go away by
// themselves. A gateway shutting down is restarted or replaced within about
// its default shutdown timeout, so a client waiting that long finds one
// serving again rather than hammering one that is leaving.
var retryAfterOf = map[conference.Code]string{
	conference.CodeShuttingDown: "10",
	// A session ends within seconds of its page closing.
	codeAudioFull: "5",
	// A console closes its stream with its tab; a client that lost track
	// of its streams sees the server drop them within a keep-alive or a
	// write timeout.
	codeTooManyStreams: "5",
	codeStreamsFull:    "10",
	// A full or failing disk takes an operator; a client retrying every
	// few seconds is back as soon as it is fixed.
	conference.CodeStorageUnavailable: "5",
}

// fail answers with the error's code and status. Errors without a code are
// the server's own fault: they are logged here and hidden from the client.
func (s *Server) fail(c *gin.Context, err error) {
	var ce *conference.Error
	if !errors.As(err, &ce) {
		s.log.Error("request failed", "method", c.Request.Method, "route", c.FullPath(), "err", err)
		ce = &conference.Error{Code: codeInternal, Msg: "internal error"}
	}
	status, ok := statusOf[ce.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if after, ok := retryAfterOf[ce.Code]; ok {
		c.Header("Retry-After", after)
	}
	c.AbortWithStatusJSON(status, wire.ErrorBody{Error: wire.ErrorDetail{Code: ce.Code, Message: ce.Msg}})
}

func invalid(format string, args ...any) error {
	return &conference.Error{Code: conference.CodeInvalid, Msg: fmt.Sprintf(format, args...)}
}

func logAttrs(c *gin.Context) []any {
	return []any{slog.String("method", c.Request.Method), slog.String("route", c.FullPath())}
}
