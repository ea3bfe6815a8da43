package sdp

// Direction is an SDP media direction attribute (RFC 3264 section 5.1).
// The zero value is sendrecv, the default when none is given.
type Direction uint8

// The four directions; a side that is put on hold goes sendonly or inactive.
const (
	SendRecv Direction = iota
	SendOnly
	RecvOnly
	Inactive
)

var directionNames = [...]string{"sendrecv", "sendonly", "recvonly", "inactive"}

func (d Direction) String() string {
	if int(d) < len(directionNames) {
		return directionNames[d]
	}
	return "sendrecv"
}

// Reverse is the direction the other side takes: what one sends the other
// receives. It turns an offer's direction into the answer's.
func (d Direction) Reverse() Direction {
	switch d {
	case SendOnly:
		return RecvOnly
	case RecvOnly:
		return SendOnly
	default:
		return d
	}
}

// Sends reports whether the side with this direction sends media.
func (d Direction) Sends() bool { return d == SendRecv || d == SendOnly }

// Receives reports whether the side with this direction receives media.
func (d Direction) Receives() bool { return d == SendRecv || d == RecvOnly }

func directionFrom(attr string) (Direction, bool) {
	for i, n := range directionNames {
		if attr == n {
			return Direction(i), true
		}
	}
	return SendRecv, false
}
