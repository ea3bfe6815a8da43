package g711

import "github.com/confgw/confgw/conference/mixer"

type alawFrames struct{}

func (alawFrames) Codec() Codec { return PCMA }

func (alawFrames) EncodeFrame(dst *[FrameBytes]byte, src *mixer.Frame) {
	EncodeAlaw(dst[:], src[:])
}

func (alawFrames) DecodeFrame(dst *mixer.Frame, payload []byte) error {
	if len(payload) != FrameBytes {
		return ErrPayloadSize
	}
	DecodeAlaw(dst[:], payload)
	return nil
}
