package rtpwriter

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"

	"github.com/pion/rtp"
)

// HeaderSize is the length of every header a Writer marshals: the fixed
// part alone, since a sender of one source has no CSRCs and nothing here
// needs an extension.
const HeaderSize = 12

// ErrPayloadType is returned for a payload type that does not fit the
// header's seven bits.
var ErrPayloadType = errors.New("rtpwriter: payload type above 127")

// Writer is the header state of one outgoing stream: its SSRC, the next
// packet's sequence number and its media clock. Each packet marshalled
// takes a sequence number; the clock moves only when the caller advances
// it, because a stream's clock runs on through silence and a telephone
// event stamps several packets with its start. A Writer is not safe for
// concurrent use; its zero value is a valid stream starting from zeros.
type Writer struct {
	ssrc uint32
	seq  uint16
	ts   uint32
}

// New returns a writer for the stream with the given SSRC whose first
// packet takes sequence number seq and whose clock stands at ts.
func New(ssrc uint32, seq uint16, ts uint32) Writer {
	return Writer{ssrc: ssrc, seq: seq, ts: ts}
}

// NewRandom returns a writer with a random SSRC, first sequence number and
// clock, as RFC 3550 asks: a stream that starts where the last one left off
// could be taken for it.
func NewRandom() Writer {
	return New(rand.Uint32(), uint16(rand.Uint32()), rand.Uint32())
}

// SSRC is the stream's synchronisation source.
func (w *Writer) SSRC() uint32 { return w.ssrc }

// Sequence is the sequence number the next packet will carry.
func (w *Writer) Sequence() uint16 { return w.seq }

// Timestamp is where the media clock stands: the timestamp of the next
// frame of media.
func (w *Writer) Timestamp() uint32 { return w.ts }

// Advance moves the media clock on by samples, whether or not a packet was
// sent for them.
func (w *Writer) Advance(samples uint32) { w.ts += samples }

// MarshalHeader writes the next packet's header into dst, for a caller that
// puts the payload after it or sends it from a buffer of its own, and
// returns HeaderSize. The packet takes the next sequence number; a dst
// shorter than HeaderSize or a bad payload type takes none.
func (w *Writer) MarshalHeader(dst []byte, payloadType uint8, marker bool, ts uint32) (int, error) {
	if payloadType > 0x7f {
		return 0, fmt.Errorf("%w: %d", ErrPayloadType, payloadType)
	}
	h := rtp.Header{
		Version:        2,
		Marker:         marker,
		PayloadType:    payloadType,
		SequenceNumber: w.seq,
		Timestamp:      ts,
		SSRC:           w.ssrc,
	}
	n, err := h.MarshalTo(dst)
	if err != nil {
		return 0, fmt.Errorf("rtpwriter: header into %d bytes: %w", len(dst), err)
	}
	w.seq++
	return n, nil
}

// Marshal writes the next packet, header and payload, into dst and returns
// its length. Like MarshalHeader it takes a sequence number only when the
// packet fits.
func (w *Writer) Marshal(dst []byte, payloadType uint8, marker bool, ts uint32, payload []byte) (int, error) {
	if len(dst) < HeaderSize+len(payload) {
		return 0, fmt.Errorf("rtpwriter: %d-byte packet into %d bytes: %w", HeaderSize+len(payload), len(dst), io.ErrShortBuffer)
	}
	n, err := w.MarshalHeader(dst, payloadType, marker, ts)
	if err != nil {
		return 0, err
	}
	return n + copy(dst[n:], payload), nil
}
