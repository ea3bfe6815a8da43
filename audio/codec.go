package audio

import "strings"

// Codec describes an RTP payload format as SDP and RTP name it: one value
// serves the SDP offer and answer, the RTP session and the codec lookup.
type Codec struct {
	// PayloadType is the RTP payload type, static (RFC 3551) or dynamic.
	PayloadType uint8
	// Name is the encoding name as written in the SDP; compare it with
	// strings.EqualFold, as RFC 8866 makes it case-insensitive.
	Name string
	// ClockRate is the RTP timestamp's units per second.
	ClockRate uint32
	// Fmtp holds the format parameters, such as "0-15" for telephone-event.
	Fmtp string
}

// TelephoneEvent is the RFC 4733 encoding name for DTMF and other events.
const TelephoneEvent = "telephone-event"

// The G.711 codecs have static payload types, so peers may use them without
// an rtpmap line; these values must match RFC 3551 exactly.
var (
	PCMU = Codec{PayloadType: 0, Name: "PCMU", ClockRate: 8000}
	PCMA = Codec{PayloadType: 8, Name: "PCMA", ClockRate: 8000}
)

// Is reports whether c carries the encoding named like other, at the same
// clock rate; payload types and parameters are a session's choice and are
// not compared.
func (c Codec) Is(other Codec) bool {
	return strings.EqualFold(c.Name, other.Name) && c.ClockRate == other.ClockRate
}

// IsTelephoneEvent reports whether c carries RFC 4733 events at 8 kHz, the
// only event clock the gateway's phone legs speak.
func (c Codec) IsTelephoneEvent() bool {
	return strings.EqualFold(c.Name, TelephoneEvent) && c.ClockRate == 8000
}

// FrameTicks is how far c's RTP timestamp advances over one frame.
func (c Codec) FrameTicks() uint32 {
	return uint32(uint64(c.ClockRate) * uint64(FrameDuration) / uint64(1e9))
}
