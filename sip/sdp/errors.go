package sdp

import "errors"

// The texts of these errors, and of every error this package returns, never
// echo the input: they are safe to send as a SIP reason phrase.
var (
	// ErrMalformed means the body is not a usable SDP offer or answer; the
	// gateway answers 400.
	ErrMalformed = errors.New("malformed SDP")
	// ErrNoCommonCodec means the two sides share no audio codec; the gateway
	// answers 488.
	ErrNoCommonCodec = errors.New("no common codec")
	// ErrUnsupportedTransport means audio is offered only over a transport
	// the gateway does not speak, such as DTLS-SRTP, or an answer's
	// transport is not the one offered; the gateway answers 488.
	ErrUnsupportedTransport = errors.New("unsupported media transport")
	// ErrNoCommonCrypto means an SRTP offer or answer has no a=crypto line
	// the gateway can use; the gateway answers 488.
	ErrNoCommonCrypto = errors.New("no common crypto suite")
)
