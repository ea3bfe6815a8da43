package mixer

// slot is one attached endpoint with the buffer its frames are read into,
// allocated once at Attach so that ticks allocate nothing.
type slot struct {
	id      string
	ep      Endpoint
	in      Frame
	talking bool
}
