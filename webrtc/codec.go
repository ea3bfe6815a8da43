package webrtc

import (
	"fmt"
	"strings"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/sip/g711"
	"github.com/confgw/confgw/sip/jitter"
	pion "github.com/pion/webrtc/v4"
)

// frameCodec turns one session's RTP payloads into room frames and back.
// A session's receiver decodes and conceals and its sender encodes, so an
// implementation may keep state per direction but is never shared.
type frameCodec interface {
	decode(payload []byte, f *audio.Frame) error
	// conceal fills f for a frame that never came and reports whether
	// it carries sound.
	conceal(f *audio.Frame) bool
	encode(f *audio.Frame, out []byte) (int, error)
}

// codecSupport is a codec the gateway answers with, in the order it
// prefers them when the offer does not say.
type codecSupport struct {
	codec    audio.Codec
	channels uint16
	fmtp     string
	newCodec func() (frameCodec, error)
}

var supported = []codecSupport{
	{codec: audio.PCMU, channels: 1, newCodec: newG711(audio.PCMU.Name)},
	{codec: audio.PCMA, channels: 1, newCodec: newG711(audio.PCMA.Name)},
}

func supportFor(c audio.Codec) codecSupport {
	for _, s := range supported {
		if s.codec.Is(c) {
			return s
		}
	}
	panic("webrtc: no support for a chosen codec " + c.Name)
}

// capability describes c to pion's media engine with the offer's payload
// type, so the answer keeps the number the browser chose.
func (s codecSupport) capability() pion.RTPCodecCapability {
	return pion.RTPCodecCapability{
		MimeType:    "audio/" + s.codec.Name,
		ClockRate:   s.codec.ClockRate,
		Channels:    s.channels,
		SDPFmtpLine: s.fmtp,
	}
}

// g711Codec is PCMU or PCMA for a browser that offers no Opus; the repeat
// and fade concealer stands in for the packet loss concealment G.711 lacks.
type g711Codec struct {
	fc     g711.FrameCodec
	hidden jitter.Concealer
	buf    [g711.FrameBytes]byte
}

func newG711(name string) func() (frameCodec, error) {
	return func() (frameCodec, error) {
		fc, err := g711.Lookup(name)
		if err != nil {
			return nil, err
		}
		return &g711Codec{fc: fc}, nil
	}
}

func (c *g711Codec) decode(payload []byte, f *audio.Frame) error {
	if err := c.fc.DecodeFrame(f, payload); err != nil {
		return err
	}
	c.hidden.Good(f)
	return nil
}

func (c *g711Codec) conceal(f *audio.Frame) bool { return c.hidden.Conceal(f) }

func (c *g711Codec) encode(f *audio.Frame, out []byte) (int, error) {
	if len(out) < g711.FrameBytes {
		return 0, fmt.Errorf("webrtc: %d bytes cannot hold a %s frame", len(out), strings.ToUpper(c.fc.Codec().Name))
	}
	c.fc.EncodeFrame(&c.buf, f)
	return copy(out, c.buf[:]), nil
}
