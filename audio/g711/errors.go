package g711

import "errors"

var (
	// ErrUnknownCodec is returned by Lookup for a name this package does
	// not implement; SDP negotiation should then try the next offered codec.
	ErrUnknownCodec = errors.New("g711: unknown codec")
	// ErrPayloadSize is returned when an RTP payload does not hold exactly
	// one 20 ms frame; such packets come from a peer that ignored the
	// negotiated ptime and cannot be fed to the mixer as they are.
	ErrPayloadSize = errors.New("g711: payload is not one 20 ms frame")
)
