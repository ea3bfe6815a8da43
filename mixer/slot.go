package mixer

import "github.com/confgw/confgw/audio"

// slot is one attached endpoint with the buffer its frames are read into,
// allocated once at Attach so that ticks allocate nothing.
type slot struct {
	id      string
	ep      Endpoint
	in      audio.Frame
	talking bool
	wide    bool // the endpoint's native rate is wideband
}
