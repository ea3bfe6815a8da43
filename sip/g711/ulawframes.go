package g711

import "github.com/confgw/confgw/conference/mixer"

type ulawFrames struct{}

func (ulawFrames) Codec() Codec { return PCMU }

func (ulawFrames) EncodeFrame(dst *[FrameBytes]byte, src *mixer.Frame) {
	EncodeUlaw(dst[:], src[:])
}

func (ulawFrames) DecodeFrame(dst *mixer.Frame, payload []byte) error {
	if len(payload) != FrameBytes {
		return ErrPayloadSize
	}
	DecodeUlaw(dst[:], payload)
	return nil
}
