package mixer_test

import "github.com/confgw/confgw/audio"

// benchTap copies the mix as a recorder would, without keeping it.
type benchTap struct {
	last audio.Frame
}

func (t *benchTap) WriteMix(f *audio.Frame) { t.last = *f }
