package rtpsession

import (
	"net/netip"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/g711"
	"github.com/confgw/confgw/audio/resample"
	"github.com/confgw/confgw/rtp/dtmf"
	"github.com/confgw/confgw/rtp/rtpwriter"
)

const rtpHeaderSize = rtpwriter.HeaderSize

// sender is WriteFrame's private state.
type sender struct {
	buf     [rtpHeaderSize + g711.FrameBytes + maxAuthTag]byte // room for SRTP's tag
	w       rtpwriter.Writer                                   // its clock stands at the next tick's frame
	marker  bool
	failing bool // the last send failed; logged once per streak

	digits digitSender

	// native is the room's frame at the phone's rate, narrowband.
	native audio.Frame
	conv   resample.Converter

	ann announcement
}

// WriteFrame sends f to the phone as one RTP packet, or a telephone-event
// while a key from SendDigit is being played. It sends on every tick, even
// silence, because phones treat a gap in the stream as loss. Nothing goes
// out on hold or before the phone's address is known.
func (s *Session) WriteFrame(f *audio.Frame) {
	tx := &s.tx
	ts := tx.w.Timestamp()
	// The clock runs on while nothing is sent so that the phone sees the
	// real elapsed time when packets resume.
	tx.w.Advance(audio.NarrowbandFrameSamples)
	to := s.remote.Load()
	if to == nil || s.held.Load() || s.closed.Load() {
		tx.marker = true
		return
	}
	if s.rtcpMux.Load() {
		s.flushRTCP(*to)
	}
	cs := s.codec.Load()
	if s.sendKey(ts, cs, *to) {
		return
	}
	n, err := tx.w.MarshalHeader(tx.buf[:], cs.pt, tx.marker, ts)
	if err != nil {
		return
	}
	tx.conv.Convert(&tx.native, f)
	tx.overlay(s, &tx.native)
	cs.frames.EncodeFrame((*[g711.FrameBytes]byte)(tx.buf[n:]), &tx.native)
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
	return s.tx.digits.add(r)
}

// sendKey sends this tick's telephone-event packet if a key is being played
// and reports whether it did, in which case the tick carries no audio.
func (s *Session) sendKey(ts uint32, cs *codecState, to netip.AddrPort) bool {
	tx := &s.tx
	k, ok := tx.digits.next(ts, cs.eventPT != 0)
	if !ok {
		return false
	}
	// The event is encoded first so that a packet that cannot be built
	// takes no sequence number.
	var ev [dtmf.PayloadSize]byte
	m, err := dtmf.Encode(ev[:], k.event)
	if err != nil {
		return false
	}
	n, err := tx.w.Marshal(tx.buf[:], cs.eventPT, k.marker, k.timestamp, ev[:m])
	if err != nil {
		return false
	}
	s.send(tx.buf[:n], to)
	return true
}

func (s *Session) send(b []byte, to netip.AddrPort) {
	tx := &s.tx
	tx.marker = false
	if st := s.srtp.Load(); st != nil {
		var err error
		if b, err = s.protect(st, b); err != nil {
			// Only a key used for 2^48 packets fails, some 178,000 years
			// of audio: nothing goes out in the clear meanwhile.
			s.ctr.sendErrors.Add(1)
			return
		}
	}
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
	if len(b) >= rtpHeaderSize {
		// A sender report's RTP time is reckoned from the last packet's.
		s.lastTS.Store(uint32(b[4])<<24 | uint32(b[5])<<16 | uint32(b[6])<<8 | uint32(b[7]))
		s.lastTSNanos.Store(time.Now().UnixNano())
	}
	s.obs.PacketSent(len(b))
}
