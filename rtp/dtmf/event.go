// Package dtmf reads and writes RFC 4733 telephone-event payloads and turns a
// stream of them into digits, each reported once.
package dtmf

import (
	"encoding/binary"
	"errors"
)

// PayloadSize is the size of one telephone-event payload.
const PayloadSize = 4

var (
	// ErrShort is returned for a payload or buffer under PayloadSize bytes.
	ErrShort = errors.New("dtmf: telephone-event payload too short")
	// ErrUnknownEvent is returned for event codes other than the sixteen
	// DTMF keys; the others (flash, modem tones) mean nothing to a conference.
	ErrUnknownEvent = errors.New("dtmf: not a DTMF event")
	// ErrUnknownDigit is returned for a key that is not on a DTMF keypad.
	ErrUnknownDigit = errors.New("dtmf: not a DTMF digit")
)

// digits maps event codes 0-15 to keys, in RFC 4733 section 3.2 order.
const digits = "0123456789*#ABCD"

// Event is one telephone-event payload.
type Event struct {
	// Code is the RFC 4733 event code, 0-15.
	Code uint8
	// End is set on the packets that close the event; they are sent three
	// times for robustness.
	End bool
	// Volume is the tone's power level in -dBm0, 0-63.
	Volume uint8
	// Duration is how long the event has lasted so far, in RTP timestamp
	// units from the event's timestamp.
	Duration uint16
}

// Digit returns the key the event stands for.
func (e Event) Digit() byte {
	return digits[e.Code&0x0f]
}

// EventFor returns the event for a keypad key, with a volume a typical phone
// uses; the caller fills in End and Duration.
func EventFor(digit byte) (Event, error) {
	for i := range len(digits) {
		if digits[i] == digit || (digit >= 'a' && digit <= 'd' && digits[i] == digit-'a'+'A') {
			return Event{Code: uint8(i), Volume: 10}, nil
		}
	}
	return Event{}, ErrUnknownDigit
}

// Parse reads a telephone-event payload. Trailing bytes are ignored: RFC 4733
// lets several events share a packet only in redundant form, and the first
// is the current one.
func Parse(payload []byte) (Event, error) {
	if len(payload) < PayloadSize {
		return Event{}, ErrShort
	}
	if payload[0] >= uint8(len(digits)) {
		return Event{}, ErrUnknownEvent
	}
	return Event{
		Code:     payload[0],
		End:      payload[1]&0x80 != 0,
		Volume:   payload[1] & 0x3f,
		Duration: binary.BigEndian.Uint16(payload[2:4]),
	}, nil
}

// Encode writes e into dst and returns the bytes written. The reserved bit is
// sent as zero, as RFC 4733 requires.
func Encode(dst []byte, e Event) (int, error) {
	if len(dst) < PayloadSize {
		return 0, ErrShort
	}
	if e.Code >= uint8(len(digits)) {
		return 0, ErrUnknownEvent
	}
	dst[0] = e.Code
	dst[1] = e.Volume & 0x3f
	if e.End {
		dst[1] |= 0x80
	}
	binary.BigEndian.PutUint16(dst[2:4], e.Duration)
	return PayloadSize, nil
}
