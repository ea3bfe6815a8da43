package g711

import (
	"strings"

	"github.com/confgw/confgw/conference/mixer"
)

// FrameBytes is the size of the RTP payload carrying one mixer frame: G.711
// spends one byte per sample, so 20 ms is 160 bytes.
const FrameBytes = mixer.FrameSamples

// FrameCodec converts between mixer frames and RTP payloads, so that a leg
// picks its codec once, at SDP negotiation, and then calls it per packet
// without switching on the name.
type FrameCodec interface {
	Codec() Codec
	// EncodeFrame writes src as one RTP payload. A fixed-size destination
	// lets the caller encode straight into a reused packet buffer.
	EncodeFrame(dst *[FrameBytes]byte, src *mixer.Frame)
	// DecodeFrame fills dst from one RTP payload; it returns
	// ErrPayloadSize, leaving dst untouched, unless the payload is exactly
	// FrameBytes long.
	DecodeFrame(dst *mixer.Frame, payload []byte) error
}

// Lookup returns the FrameCodec for an SDP encoding name, which RFC 8866
// makes case-insensitive, or ErrUnknownCodec.
func Lookup(name string) (FrameCodec, error) {
	switch {
	case strings.EqualFold(name, PCMU.Name):
		return ulawFrames{}, nil
	case strings.EqualFold(name, PCMA.Name):
		return alawFrames{}, nil
	}
	return nil, ErrUnknownCodec
}
