package mixer

import "errors"

var (
	// ErrNilEndpoint is returned by Attach for a nil endpoint, which would
	// otherwise only fail later, inside a tick shared by the whole room.
	ErrNilEndpoint = errors.New("mixer: nil endpoint")
	// ErrFull is returned by Attach once a room holds MaxEndpoints.
	ErrFull = errors.New("mixer: room is full")
)
