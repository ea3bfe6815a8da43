package webrtc

import (
	"errors"
	"fmt"
	"strings"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/g711"
	"github.com/confgw/confgw/audio/opus"
	"github.com/confgw/confgw/jitter"
	pion "github.com/pion/webrtc/v4"
)

// frameCodec turns one session's RTP payloads into frames at the codec's
// native rate and back.
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
	native   audio.Rate // the rate the codec decodes to and encodes from
	channels uint16
	fmtp     string
	newCodec func() (frameCodec, error)
}

var supported = []codecSupport{
	// RFC 7587 has opus/48000/2 in every SDP, whatever the channels sent.
	{codec: opus.Codec, native: audio.Wideband, channels: 2, fmtp: opus.Codec.Fmtp, newCodec: newOpus},
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

// opusBitrate is what the gateway encodes at. audio/opus measured the
// worst artefact next to a tone, encoded by gopus and decoded by libopus,
// at 16 kHz: 46 dB down at 64 kbit/s, 40 dB at 48 kbit/s.
const opusBitrate = opus.DefaultBitrate

// opusCodec is Opus at the wideband rate, its native one: a browser's
// speech keeps what lies above the telephone band. Its own concealment
// fills a lost packet from the decoder's state, which beats repeating a
// frame.
type opusCodec struct {
	dec *opus.Decoder
	enc *opus.Encoder
}

func newOpus() (frameCodec, error) { return &opusCodec{}, nil }

func (c *opusCodec) decoder() (*opus.Decoder, error) {
	if c.dec == nil {
		d, err := opus.NewDecoder(audio.WidebandHz)
		if err != nil {
			return nil, err
		}
		c.dec = d
	}
	return c.dec, nil
}

func (c *opusCodec) decode(payload []byte, f *audio.Frame) error {
	d, err := c.decoder()
	if err != nil {
		return err
	}
	f.Rate = audio.Wideband
	n, err := d.Decode(payload, f.Samples())
	if err != nil && !errors.Is(err, opus.ErrPacketTooLong) {
		return err
	}
	// A 10 ms packet fills half a frame; silence beats stale samples.
	clear(f.Samples()[n:])
	return nil
}

func (c *opusCodec) conceal(f *audio.Frame) bool {
	d, err := c.decoder()
	if err != nil {
		return false
	}
	f.Rate = audio.Wideband
	d.Conceal(f.Samples())
	return true
}

func (c *opusCodec) encode(f *audio.Frame, out []byte) (int, error) {
	if c.enc == nil {
		e, err := opus.NewEncoder(audio.WidebandHz, opusBitrate)
		if err != nil {
			return 0, err
		}
		c.enc = e
	}
	return c.enc.Encode(f.Samples(), out)
}
