package g711

import "github.com/confgw/confgw/audio"

type alawFrames struct{}

func (alawFrames) Codec() audio.Codec { return audio.PCMA }

func (alawFrames) EncodeFrame(dst *[FrameBytes]byte, src *audio.Frame) {
	EncodeAlaw(dst[:], src.PCM[:FrameBytes])
}

func (alawFrames) DecodeFrame(dst *audio.Frame, payload []byte) error {
	if len(payload) != FrameBytes {
		return ErrPayloadSize
	}
	dst.Rate = audio.Narrowband
	DecodeAlaw(dst.PCM[:FrameBytes], payload)
	return nil
}
