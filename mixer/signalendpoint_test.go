package mixer_test

import "github.com/confgw/confgw/audio"

// signalEndpoint reports its first frame on a channel so a test can wait
// for a live tick without sleeping.
type signalEndpoint struct {
	wrote chan struct{}
}

func (e *signalEndpoint) ReadFrame(*audio.Frame) bool { return false }

func (e *signalEndpoint) WriteFrame(*audio.Frame) {
	select {
	case e.wrote <- struct{}{}:
	default:
	}
}
