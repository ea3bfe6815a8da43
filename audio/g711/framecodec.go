package g711

import (
	"strings"

	"github.com/confgw/confgw/audio"
)

// FrameBytes is the size of the RTP payload carrying one mixer frame: G.711
// spends one byte per sample, so 20 ms is 160 bytes.
const FrameBytes = audio.NarrowbandFrameSamples

// FrameCodec converts between mixer frames and RTP payloads, so that a leg
// picks its codec once, at SDP negotiation, and then calls it per packet
// without switching on the name.
type FrameCodec interface {
	Codec() audio.Codec
	// EncodeFrame writes src, a narrowband frame, as one RTP payload. A
	// fixed-size destination lets the caller encode straight into a reused
	// packet buffer.
	EncodeFrame(dst *[FrameBytes]byte, src *audio.Frame)
	// DecodeFrame fills dst, made narrowband, from one RTP payload; it returns
	// ErrPayloadSize, leaving dst untouched, unless the payload is exactly
	// FrameBytes long.
	DecodeFrame(dst *audio.Frame, payload []byte) error
}

// Lookup returns the FrameCodec for an SDP encoding name, which RFC 8866
// makes case-insensitive, or ErrUnknownCodec.
func Lookup(name string) (FrameCodec, error) {
	switch {
	case strings.EqualFold(name, audio.PCMU.Name):
		return ulawFrames{}, nil
	case strings.EqualFold(name, audio.PCMA.Name):
		return alawFrames{}, nil
	}
	return nil, ErrUnknownCodec
}
