package webrtcpeer

import (
	"fmt"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/g711"
	"github.com/confgw/confgw/audio/opus"
)

// coder is the peer's codec, as a browser's would be: one encoder for what
// it says, one decoder for what it hears.
type coder struct {
	rate   audio.Rate
	encode func(f *audio.Frame, out []byte) (int, error)
	decode func(payload []byte, f *audio.Frame) error
}

func newCoder(c audio.Codec) (coder, error) {
	if c.Is(opus.Codec) {
		enc, err := opus.NewEncoder(audio.WidebandHz, opus.DefaultBitrate)
		if err != nil {
			return coder{}, err
		}
		dec, err := opus.NewDecoder(audio.WidebandHz)
		if err != nil {
			return coder{}, err
		}
		return coder{
			rate:   audio.Wideband,
			encode: func(f *audio.Frame, out []byte) (int, error) { return enc.Encode(f.Samples(), out) },
			decode: func(payload []byte, f *audio.Frame) error {
				f.Rate = audio.Wideband
				_, err := dec.Decode(payload, f.Samples())
				return err
			},
		}, nil
	}
	fc, err := g711.Lookup(c.Name)
	if err != nil {
		return coder{}, fmt.Errorf("webrtcpeer: %s: %w", c.Name, err)
	}
	var buf [g711.FrameBytes]byte
	return coder{
		rate: audio.Narrowband,
		encode: func(f *audio.Frame, out []byte) (int, error) {
			fc.EncodeFrame(&buf, f)
			return copy(out, buf[:]), nil
		},
		decode: func(payload []byte, f *audio.Frame) error { return fc.DecodeFrame(f, payload) },
	}, nil
}
