package g711

// Codec describes a codec as SDP and RTP name it.
type Codec struct {
	Name        string // SDP rtpmap encoding name
	PayloadType uint8  // static RTP payload type (RFC 3551)
	ClockRate   int    // RTP timestamp units per second
}

// The G.711 codecs have static payload types, so peers may use them without
// an rtpmap line; these values must match RFC 3551 exactly.
var (
	PCMU = Codec{Name: "PCMU", PayloadType: 0, ClockRate: 8000}
	PCMA = Codec{Name: "PCMA", PayloadType: 8, ClockRate: 8000}
)
