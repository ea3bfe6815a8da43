package rtpsession

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/pion/rtp"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/g711"
	"github.com/confgw/confgw/jitter"
	"github.com/confgw/confgw/rtp/dtmf"
	"github.com/confgw/confgw/rtp/rtcp"
)

// readBufferSize exceeds any Ethernet datagram, so a packet is never
// truncated into something that still parses.
const readBufferSize = 2048

// receiver is the receive path's state. rxMu guards it: Run and the tick's
// drain take turns with it.
type receiver struct {
	pkt     rtp.Packet
	latched bool
	addr    netip.AddrPort // latched source
	ssrc    uint32
	hadSSRC bool
	seq     uint16    // last sequence number from the latched source
	heard   time.Time // when the latched source last sent anything
	move    candidate // another source that may be the phone after a NAT rebinding
	det     dtmf.Detector
	digits  [4]byte // Feed's output, reused so that digits do not allocate
	// rtcpSeq counts the phone's stream for reports; seqSSRC is the
	// stream it counts.
	rtcpSeq rtcp.Sequence
	seqSSRC uint32
	seqHeld bool
}

// candidate is a run of packets of the latched stream from another source.
type candidate struct {
	from netip.AddrPort
	seq  uint16
	run  int
}

// Run receives the phone's packets until ctx is done or Close is called,
// both of which return nil. If the phone sends nothing for the configured
// timeout it calls OnTimeout and returns ErrTimeout. Run may be called once.
//
// While a room mixer ticks the session, the tick reads the socket itself
// (see ReadFrame) and Run only watches the timeout: one system call per
// packet and no goroutine woken, where a blocking read per leg costs a
// wake-up, a read and a failed read for every packet.
func (s *Session) Run(ctx context.Context) error {
	if !s.started.CompareAndSwap(false, true) {
		return ErrRunning
	}
	return s.tr.run(ctx, s)
}

// timedOut reports whether the phone has been silent for the timeout,
// forgiving the time it spent on hold.
func (s *Session) timedOut(now time.Time) bool {
	if now.Sub(s.lastAlive()) < s.timeout {
		return false
	}
	if s.held.Load() {
		// Phones on hold may send nothing at all.
		s.alive(now)
		return false
	}
	if r, last := s.resumed.Load(), s.lastAliveNanos.Load(); r > last {
		// Only if no packet moved it meanwhile: a tick may mark the phone
		// alive at any moment.
		s.lastAliveNanos.CompareAndSwap(last, r)
		return now.Sub(s.lastAlive()) >= s.timeout
	}
	return true
}

func (s *Session) timeOut() error {
	s.log.Warn("rtp timeout", "timeout", s.timeout, "remote", s.remoteString())
	s.onTimeout()
	return fmt.Errorf("%w: nothing for %s", ErrTimeout, s.timeout)
}

func (s *Session) alive(at time.Time) { s.lastAliveNanos.Store(at.UnixNano()) }

func (s *Session) lastAlive() time.Time { return time.Unix(0, s.lastAliveNanos.Load()) }

// receive handles one datagram. It reports whether the packet shows the
// phone is alive, which postpones the timeout. Run, the tick's drain and the
// benchmarks share it so that what is measured is what runs. The caller
// holds rxMu.
func (s *Session) receive(b []byte, from netip.AddrPort, at time.Time) bool {
	if rtcp.IsRTCP(b) {
		// RTCP on the RTP port (RFC 5761): read whether or not mux was
		// negotiated, since nothing else would take it; it does not prove
		// the phone's audio alive.
		s.rtcpIn(b, from, at, true)
		return false
	}
	p := &s.rx.pkt
	if st := s.srtp.Load(); st != nil {
		var ok bool
		if b, ok = s.unprotect(st, b); !ok {
			return false
		}
	}
	if err := p.Unmarshal(b); err != nil || p.Version != 2 {
		s.drop(DropMalformed)
		return false
	}
	from = unmap(from)
	cs := s.codec.Load()
	event := cs.eventPT != 0 && p.PayloadType == cs.eventPT
	if !event && p.PayloadType != cs.pt {
		s.drop(DropPayloadType)
		// Comfort noise and the like still prove the phone is there.
		if s.rx.latched && from == s.rx.addr {
			s.rx.heard = at
			return true
		}
		return false
	}
	if !s.latch(from, p.SSRC, p.SequenceNumber, at) {
		s.drop(DropStray)
		return false
	}
	if rx := &s.rx; rx.seqHeld && p.SSRC != rx.seqSSRC {
		rx.rtcpSeq.Reset(p.SequenceNumber)
	} else {
		rx.rtcpSeq.Update(p.SequenceNumber)
	}
	s.rx.seqSSRC, s.rx.seqHeld = p.SSRC, true
	s.ctr.packetsIn.Add(1)
	s.ctr.bytesIn.Add(uint64(len(b)))
	s.obs.PacketReceived(len(b))
	switch {
	case s.held.Load():
		s.drop(DropHold)
	case event:
		s.event(p)
	default:
		s.audio(p, at)
	}
	return true
}

// latchAlive is how recently the latched source must have sent for no
// other source to take its place. Phones send every 10 to 60 ms, so half a
// second is eight packets lost in a row at the longest ptime, which a live
// path hardly does, while a NAT that rebinds silences the old port at once:
// a rebinding phone loses about half a second of audio, and a source that
// still sends is never replaced behind its back.
const latchAlive = 500 * time.Millisecond

// latchRun is how many packets in sequence, of the latched stream, another
// source must send before audio follows it: one packet could be a replay
// or a guess, five in a row (100 ms at 20 ms ptime) are the stream itself.
const latchRun = 5

// maxSeqJump is how far ahead of the last packet heard a rebinding phone's
// first packet from its new source may be, RFC 3550's MAX_DROPOUT. Phones
// number packets, not time, so silence suppression does not move it.
const maxSeqJump = 3000

// latch implements symmetric RTP (RFC 4961): audio goes back to where the
// phone's packets come from, which is what its NAT lets in, whatever the SDP
// said. The first packet latches; then the latched source may start a new
// stream (a new SSRC, as a phone does when it restarts one), but another
// source takes its place only when the latched one has fallen silent and
// the newcomer carries on the latched stream, same SSRC and sequence, for a
// run of packets: that is a NAT rebinding the phone's port. Anything else
// waits for signalling (SetRemote). Otherwise a packet with a made-up
// SSRC, sprayed at our port range, would take over a call's audio ("RTP
// bleed"), even from the phone's own host.
//
// The address signalling gave always wins: a stray stream that reached a
// freshly allocated port first, still aimed at the port's previous call or
// sprayed by a stranger, must not lock the phone out of its own call.
func (s *Session) latch(from netip.AddrPort, ssrc uint32, seq uint16, at time.Time) bool {
	rx := &s.rx
	if s.relatch.Swap(false) {
		rx.latched = false
	}
	switch {
	case !rx.latched:
	case from == rx.addr:
	case s.signalled(from):
	case !s.rebound(from, ssrc, seq, at):
		return false
	}
	newStream := !rx.hadSSRC || ssrc != rx.ssrc
	if rx.hadSSRC && ssrc != rx.ssrc {
		// Another stream, as after a re-INVITE to a new device: its
		// sequence numbers have nothing to do with the old ones.
		s.newJitterBuffer()
		rx.det.Reset()
	}
	// A late packet does not move the sequence back: a rebinding phone is
	// matched against the newest one.
	if newStream || int16(seq-rx.seq) > 0 {
		rx.seq = seq
	}
	if newStream {
		s.phoneSSRC.Store(uint64(ssrc) | heardSSRC)
	}
	rx.latched, rx.ssrc, rx.hadSSRC = true, ssrc, true
	rx.heard, rx.move = at, candidate{}
	if cur := s.remote.Load(); from != rx.addr || cur == nil || *cur != from {
		rx.addr = from
		a := from
		s.remote.Store(&a)
		s.ctr.latches.Add(1)
		s.obs.Latched(from)
		s.log.Info("rtp latched", "remote", from.String(), "ssrc", ssrc)
	}
	return true
}

// signalled tells whether from is where SDP said the phone is.
func (s *Session) signalled(from netip.AddrPort) bool {
	a := s.sdp.Load()
	return a != nil && *a == from
}

// rebound tells whether a packet from a source other than the latched one
// completes a run that shows the phone's NAT rebound its port.
func (s *Session) rebound(from netip.AddrPort, ssrc uint32, seq uint16, at time.Time) bool {
	rx := &s.rx
	if ssrc != rx.ssrc {
		// Not the phone's stream: it neither moves the latch nor, by
		// resetting the run, holds back a phone that is moving.
		return false
	}
	if at.Sub(rx.heard) < latchAlive {
		// The phone still sends from where it is: whoever this is, it is
		// not the phone's new address, and its run must start afresh.
		rx.move = candidate{}
		return false
	}
	m := &rx.move
	if m.run > 0 && from == m.from && seq == m.seq+1 {
		m.seq, m.run = seq, m.run+1
	} else if d := seq - rx.seq; d > 0 && d <= maxSeqJump {
		*m = candidate{from: from, seq: seq, run: 1}
	} else {
		*m = candidate{}
	}
	return m.run >= latchRun
}

// blockDuration is the jitter buffer's unit, the largest that divides every
// ptime.
const blockDuration = audio.FrameDuration / 2

// blockBytes is 10 ms of G.711 at 8 kHz: every ptime phones and trunks use
// is a whole number of these, whatever our SDP answer asked for.
const blockBytes = g711.FrameBytes / 2

// maxPacketBytes is 60 ms of G.711, the longest ptime in use: nothing
// longer is seen in practice, and the limit bounds the delay a packet adds.
const maxPacketBytes = 6 * blockBytes

// validAudioSize reports whether a G.711 payload carries a whole number of
// 10 ms blocks, from 10 to 60 ms.
func validAudioSize(n int) bool {
	return n >= blockBytes && n <= maxPacketBytes && n%blockBytes == 0
}

// audio hands a packet to the jitter buffer, which places it by timestamp:
// packets of 10 to 60 ms come out as the 20 ms frames the mixer takes.
func (s *Session) audio(p *rtp.Packet, at time.Time) {
	if !validAudioSize(len(p.Payload)) {
		s.drop(DropFrameSize)
		return
	}
	switch s.jbuf.Load().PushAt(at, p.Timestamp, p.Payload) {
	case jitter.TooLate:
		s.drop(DropLate)
	case jitter.Duplicate:
		s.drop(DropDuplicate)
	case jitter.BadSize:
		s.drop(DropFrameSize)
	}
}

// event feeds a telephone-event to the detector. Events never reach the
// jitter buffer: played as audio they would be noise to everyone else.
func (s *Session) event(p *rtp.Packet) {
	e, err := dtmf.Parse(p.Payload)
	if err != nil {
		s.drop(DropBadEvent)
		return
	}
	for _, d := range s.rx.det.Feed(s.rx.digits[:0], p.Timestamp, e) {
		s.ctr.digits.Add(1)
		s.log.Debug("dtmf received", "digit", string(rune(d)))
		s.onDigit(rune(d))
	}
}

func (s *Session) drop(r DropReason) {
	s.ctr.dropped(r)
	s.obs.PacketDropped(r)
}

func (s *Session) remoteString() string {
	if r := s.remote.Load(); r != nil {
		return r.String()
	}
	return ""
}
