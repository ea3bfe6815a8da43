package webrtc

import "errors"

// Offers are refused with one of these, wrapped with what was wrong, so the
// API can tell a malformed offer from one it cannot serve.
var (
	// ErrInvalidSDP is an offer that does not parse or has no audio.
	ErrInvalidSDP = errors.New("invalid SDP offer")
	// ErrNoSupportedCodec is an audio offer none of whose codecs the
	// gateway can decode.
	ErrNoSupportedCodec = errors.New("no supported codec")
	// ErrFull is an offer made while the server holds as many sessions
	// as Config.MaxSessions allows.
	ErrFull = errors.New("too many app audio sessions")
	// ErrClosed is an offer made to a server that has shut down.
	ErrClosed = errors.New("webrtc server closed")
)
