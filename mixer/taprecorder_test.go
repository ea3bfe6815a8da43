package mixer_test

import "github.com/confgw/confgw/audio"

type tapRecorder struct {
	mixes []audio.Frame
}

func (r *tapRecorder) WriteMix(f *audio.Frame) { r.mixes = append(r.mixes, *f) }
