package mixer_test

import "github.com/confgw/confgw/conference/mixer"

type tapRecorder struct {
	mixes []mixer.Frame
}

func (r *tapRecorder) WriteMix(f *mixer.Frame) { r.mixes = append(r.mixes, *f) }
