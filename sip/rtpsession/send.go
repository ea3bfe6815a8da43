package rtpsession

import (
	"fmt"
	"net/netip"

	"github.com/pion/rtp"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/sip/dtmf"
	"github.com/confgw/confgw/sip/g711"
)

const (
	rtpHeaderSize = 12
	// digitQueue is how many keys SendDigit accepts ahead of playout:
	// enough for a conference PIN.
	digitQueue = 16
	// Outgoing key presses last digitTicks frames (100 ms, the usual
	// minimum a receiver accepts), end with endRepeats end packets as RFC
	// 4733 recommends, and are followed by digitGapTicks frames of audio
	// so consecutive keys stay distinct.
	digitTicks    = 5
	endRepeats    = 3
	digitGapTicks = 2
)

// sender is WriteFrame's private state.
type sender struct {
	buf     [rtpHeaderSize + g711.FrameBytes]byte
	ssrc    uint32
	seq     uint16
	ts      uint32 // timestamp of the next tick's frame
	marker  bool
	failing bool // the last send failed; logged once per streak

	key      dtmf.Event
	keyTS    uint32 // timestamp of the key's first tick
	keyTicks int    // ticks of the current key sent, 0 when idle
	gap      int    // audio ticks left before the next key may start
}

// WriteFrame sends f to the phone as one RTP packet, or a telephone-event
// while a key from SendDigit is being played. It sends on every tick, even
// silence, because phones treat a gap in the stream as loss. Nothing goes
// out on hold or before the phone's address is known.
func (s *Session) WriteFrame(f *audio.Frame) {
	tx := &s.tx
	ts := tx.ts
	// The clock runs on while nothing is sent so that the phone sees the
	// real elapsed time when packets resume.
	tx.ts += audio.FrameSamples
	to := s.remote.Load()
	if to == nil || s.held.Load() || s.closed.Load() {
		tx.marker = true
		return
	}
	cs := s.codec.Load()
	if s.sendKey(ts, cs, *to) {
		return
	}
	h := rtp.Header{
		Version:        2,
		Marker:         tx.marker,
		PayloadType:    cs.pt,
		SequenceNumber: tx.seq,
		Timestamp:      ts,
		SSRC:           tx.ssrc,
	}
	n, err := h.MarshalTo(tx.buf[:])
	if err != nil {
		return
	}
	cs.frames.EncodeFrame((*[g711.FrameBytes]byte)(tx.buf[n:]), f)
	s.send(tx.buf[:n+g711.FrameBytes], *to)
}

// SendDigit queues a key press to send as RFC 4733 events, in place of
// audio, on the following ticks.
func (s *Session) SendDigit(r rune) error {
	if s.closed.Load() {
		return ErrClosed
	}
	if s.codec.Load().eventPT == 0 {
		return ErrNoTelephoneEvent
	}
	if r < 0 || r > 0x7f {
		return fmt.Errorf("rtpsession: %q: %w", r, dtmf.ErrUnknownDigit)
	}
	if _, err := dtmf.EventFor(byte(r)); err != nil {
		return fmt.Errorf("rtpsession: %q: %w", r, err)
	}
	select {
	case s.digitsOut <- byte(r):
		return nil
	default:
		return ErrDigitQueueFull
	}
}

// sendKey sends this tick's telephone-event packet if a key is being played
// and reports whether it did, in which case the tick carries no audio.
func (s *Session) sendKey(ts uint32, cs *codecState, to netip.AddrPort) bool {
	tx := &s.tx
	if tx.keyTicks == 0 {
		if tx.gap > 0 {
			tx.gap--
			return false
		}
		select {
		case d := <-s.digitsOut:
			if cs.eventPT == 0 {
				return false
			}
			tx.key, _ = dtmf.EventFor(d)
			tx.keyTS = ts
		default:
			return false
		}
	}
	tx.keyTicks++
	// Every packet of one key carries the key's start timestamp; duration
	// says how far into it we are.
	e := tx.key
	e.Duration = uint16(min(tx.keyTicks, digitTicks) * audio.FrameSamples)
	e.End = tx.keyTicks > digitTicks
	h := rtp.Header{
		Version:        2,
		Marker:         tx.keyTicks == 1,
		PayloadType:    cs.eventPT,
		SequenceNumber: tx.seq,
		Timestamp:      tx.keyTS,
		SSRC:           tx.ssrc,
	}
	n, err := h.MarshalTo(tx.buf[:])
	if err == nil {
		var m int
		m, err = dtmf.Encode(tx.buf[n:], e)
		n += m
	}
	if tx.keyTicks == digitTicks+endRepeats {
		tx.keyTicks, tx.gap = 0, digitGapTicks
	}
	if err != nil {
		return false
	}
	s.send(tx.buf[:n], to)
	return true
}

func (s *Session) send(b []byte, to netip.AddrPort) {
	tx := &s.tx
	tx.seq++
	tx.marker = false
	if err := s.tr.send(b, to); err != nil {
		s.ctr.sendErrors.Add(1)
		if !tx.failing {
			tx.failing = true
			s.log.Warn("rtp send failed", "remote", to.String(), "err", err)
		}
		return
	}
	if tx.failing {
		tx.failing = false
		s.log.Info("rtp send recovered", "remote", to.String())
	}
	s.ctr.packetsOut.Add(1)
	s.ctr.bytesOut.Add(uint64(len(b)))
	s.obs.PacketSent(len(b))
}
