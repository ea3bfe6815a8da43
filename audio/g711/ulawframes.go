package g711

import "github.com/confgw/confgw/audio"

type ulawFrames struct{}

func (ulawFrames) Codec() audio.Codec { return audio.PCMU }

func (ulawFrames) EncodeFrame(dst *[FrameBytes]byte, src *audio.Frame) {
	EncodeUlaw(dst[:], src.PCM[:FrameBytes])
}

func (ulawFrames) DecodeFrame(dst *audio.Frame, payload []byte) error {
	if len(payload) != FrameBytes {
		return ErrPayloadSize
	}
	dst.Rate = audio.Narrowband
	DecodeUlaw(dst.PCM[:FrameBytes], payload)
	return nil
}
