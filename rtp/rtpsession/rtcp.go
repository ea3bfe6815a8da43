package rtpsession

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/rtp/rtcp"
)

// DefaultRTCPInterval is how often a leg reports (RFC 3550 section 6.2's
// minimum of 5 s): at one compound packet each way per interval, RTCP costs
// nothing next to the leg's fifty RTP packets a second.
const DefaultRTCPInterval = 5 * time.Second

// DefaultRTCPBurst is how many RTCP datagrams under the phone's SSRC a
// leg reads per interval (on an SRTP leg, how many authenticated ones). A
// phone sends one; the rest of a burst is someone replaying or spraying
// its reports and is dropped unparsed, so that it costs no more than a
// stray RTP packet. Datagrams under any other SSRC, or failing SRTCP
// authentication, are dropped before they count, so no one else can use
// up the phone's allowance.
const DefaultRTCPBurst = 8

// rtcpHeaderSize is an RTCP packet's fixed header with its sender's SSRC.
const rtcpHeaderSize = 8

// heardSSRC marks Session.phoneSSRC as set, since 0 is an SSRC like any
// other.
const heardSSRC = 1 << 32

// defaultCNAME names the gateway in reports (RFC 3550 SDES CNAME) when
// the configuration does not.
const defaultCNAME = "confgw"

// Quality is what the leg's reports say of its call, both ways.
type Quality struct {
	// PacketsIn counts RTP packets accepted from the phone (Stats'), and
	// PacketsLost those of its stream that never came (RFC 3550 appendix
	// A.3; negative when duplicates outnumber losses).
	PacketsIn   uint64
	PacketsLost int64
	// LossPct is the loss of the phone's audio over the last interval.
	LossPct float64
	// Jitter is the interarrival jitter of the phone's audio (RFC 3550).
	Jitter time.Duration
	// RemoteLossPct and RemoteJitter are what the phone's last report
	// said of our audio, valid when Remote.
	RemoteLossPct float64
	RemoteJitter  time.Duration
	Remote        bool
	// RTT is the round trip worked out from the phone's last report on
	// one of our SRs, valid when HasRTT.
	RTT    time.Duration
	HasRTT bool
	// MOS is the E-model estimate of the call (see rtcp.MOS), from the
	// worse direction's loss and the mouth-to-ear delay we know: half the
	// round trip, the jitter buffer and one frame of packetisation.
	MOS float64
	// WorstLossPct is the worse of LossPct and RemoteLossPct, which MOS
	// and alarms go by.
	WorstLossPct float64
}

// rtcpState is the session's RTCP bookkeeping, written by RunRTCP and by
// whoever receives a report on a multiplexed port. None of it is on the
// audio path.
type rtcpState struct {
	mu       sync.Mutex
	mux      bool
	remote   netip.AddrPort // where to send reports when not multiplexed
	fromPeer bool           // remote was learnt from the phone's own reports
	// The phone's last SR, echoed in our block so it can time the round
	// trip, and when it arrived.
	lsr   uint32
	lsrAt time.Time
	// What the phone's last report said of our stream.
	peer     rtcp.Block
	hasPeer  bool
	peerAt   time.Time
	rtt      time.Duration
	hasRTT   bool
	lastLoss float64 // our own last interval's loss, in percent
	quality  *Quality
	budget   int // datagrams still to read this interval
	sentPkts uint64
	// The phone's stream's loss as the receive path last counted it.
	lost int64
}

// SetRTCPMux makes the leg send and receive RTCP on its RTP port (RFC
// 5761), as negotiated when the phone offered a=rtcp-mux.
func (s *Session) SetRTCPMux(mux bool) {
	s.rtcp.mu.Lock()
	s.rtcp.mux = mux
	s.rtcp.mu.Unlock()
	s.rtcpMux.Store(mux)
}

// SetRemoteRTCP says where the phone wants its RTCP (RFC 3605 a=rtcp), in
// place of the port above its RTP. An invalid address goes back to that
// default. Reports the phone sends still win, as its RTP source does.
func (s *Session) SetRemoteRTCP(addr netip.AddrPort) {
	s.rtcp.mu.Lock()
	s.rtcp.remote, s.rtcp.fromPeer = unmap(addr), false
	s.rtcp.mu.Unlock()
}

// Quality returns the leg's last figures, and false before the first
// interval has passed.
func (s *Session) Quality() (Quality, bool) {
	s.rtcp.mu.Lock()
	defer s.rtcp.mu.Unlock()
	if s.rtcp.quality == nil {
		return Quality{}, false
	}
	return *s.rtcp.quality, true
}

// RunRTCP sends the leg's reports every interval and reads the phone's
// until ctx is done or the session closes, both of which return nil. The
// RTCP socket is read through Go's network poller: the goroutine blocked
// in it holds no thread. Reports on a multiplexed port come with the RTP
// instead. RunRTCP may be called once.
func (s *Session) RunRTCP(ctx context.Context) error {
	if !s.rtcpStarted.CompareAndSwap(false, true) {
		return ErrRunning
	}
	conn := s.rtcpConn
	next := time.Now().Add(s.nextInterval())
	if conn == nil {
		t := time.NewTimer(time.Until(next))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-s.done:
				return nil
			case <-t.C:
				s.report(time.Now())
				t.Reset(s.nextInterval())
			}
		}
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	buf := make([]byte, readBufferSize)
	failures := 0
	for {
		if err := conn.SetReadDeadline(next); err != nil {
			return readEnded(ctx, err)
		}
		if ctx.Err() != nil || s.closed.Load() {
			return nil
		}
		n, from, err := conn.ReadFromUDPAddrPort(buf)
		if err == nil {
			failures = 0
			s.rtcpIn(buf[:n], from, time.Now(), false)
			continue
		}
		if ctx.Err() != nil || s.closed.Load() || errors.Is(err, net.ErrClosed) {
			return nil
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			if now := time.Now(); !now.Before(next) {
				s.report(now)
				next = now.Add(s.nextInterval())
			}
			continue
		}
		if failures++; failures >= maxReadErrors {
			return fmt.Errorf("rtpsession: rtcp read: %w", err)
		}
	}
}

// nextInterval is the interval randomised over [0.5, 1.5] of itself, as
// RFC 3550 section 6.3.1 asks, so that legs set up together do not report
// in step.
func (s *Session) nextInterval() time.Duration {
	return s.rtcpInterval/2 + rand.N(s.rtcpInterval)
}

// rtcpIn reads one datagram from the phone's RTCP. On a multiplexed port
// the receive path calls it with rxMu held (locked true).
func (s *Session) rtcpIn(b []byte, from netip.AddrPort, at time.Time, locked bool) {
	// Only the phone's own stream is believed: a report from an SSRC we
	// do not hear is a stranger's, or nothing we can use. The SSRC is in
	// the clear in SRTCP too, so a stranger is turned away before it
	// costs a parse, an HMAC, or any of the phone's allowance.
	if len(b) < rtcpHeaderSize {
		s.ctr.rtcpDropped.Add(1)
		return
	}
	ssrc := binary.BigEndian.Uint32(b[4:rtcpHeaderSize])
	if s.phoneSSRC.Load() != uint64(ssrc)|heardSSRC {
		s.ctr.rtcpDropped.Add(1)
		return
	}
	st := &s.rtcp
	if sec := s.srtp.Load(); sec != nil {
		// An SRTP leg believes only authenticated reports: a report in the
		// clear could be anyone's, and a phone's SRTCP parsed as RTCP
		// would give figures made of ciphertext. The SSRC is in the clear,
		// so a forgery under it is only caught here, and must not spend
		// the phone's allowance; checking it costs what an SRTP packet to
		// the RTP port costs anyone, and replays fail like forgeries.
		st.mu.Lock()
		plain, err := sec.rtcpIn.DecryptRTCP(b, b, nil)
		st.mu.Unlock()
		if err != nil {
			s.ctr.rtcpDropped.Add(1)
			return
		}
		b = plain
	}
	st.mu.Lock()
	if st.budget <= 0 {
		st.mu.Unlock()
		s.ctr.rtcpDropped.Add(1)
		return
	}
	st.budget--
	st.mu.Unlock()
	if !locked {
		s.rxMu.Lock()
	}
	lost := s.rx.rtcpSeq.Lost()
	if !locked {
		s.rxMu.Unlock()
	}
	p, err := rtcp.Parse(b, s.ssrc, at)
	if err != nil || p.SSRC != ssrc {
		s.ctr.rtcpDropped.Add(1)
		return
	}
	s.ctr.rtcpIn.Add(1)
	st.mu.Lock()
	st.lost = lost
	if !st.mux {
		// Symmetric RTCP, as for RTP: reports go back where the phone's
		// come from, which is what its NAT lets in.
		st.remote, st.fromPeer = unmap(from), true
	}
	if p.SR {
		st.lsr, st.lsrAt = p.LSR, at
	}
	if p.Block != nil {
		st.peer, st.hasPeer, st.peerAt = *p.Block, true, at
		if p.HasRTT {
			st.rtt, st.hasRTT = p.RTT, true
		}
	}
	q := s.qualityLocked(s.Stats(), at)
	st.mu.Unlock()
	s.onQuality(q)
}

// report sends the interval's compound report and takes the leg's
// figures.
func (s *Session) report(now time.Time) {
	stats := s.Stats()
	s.rxMu.Lock()
	heard, ssrc := s.rx.hadSSRC, s.rx.ssrc
	seq := &s.rx.rtcpSeq
	frac := seq.Interval()
	blk := rtcp.Block{
		SSRC: ssrc, FractionLost: frac, Lost: seq.Lost(), ExtendedMax: seq.ExtendedMax(),
		Jitter: uint32(stats.Jitter * time.Duration(audio.NarrowbandHz) / time.Second),
	}
	lost := seq.Lost()
	s.rxMu.Unlock()

	st := &s.rtcp
	st.mu.Lock()
	st.lost = lost
	st.budget = s.rtcpBurst
	st.lastLoss = float64(frac) * 100 / 256
	r := rtcp.Report{SSRC: s.ssrc, CNAME: s.cname, NTP: now}
	if heard {
		if st.lsr != 0 {
			blk.LSR, blk.DLSR = st.lsr, rtcp.Delay(now.Sub(st.lsrAt))
		}
		r.Block = &blk
	}
	if stats.PacketsOut > st.sentPkts {
		// An SR only for a leg that sent since the last report (RFC 3550
		// section 6.4): its RTP time is where the stream's clock stands
		// now, from the last packet's.
		r.Sender = true
		r.Packets = uint32(stats.PacketsOut)
		r.Octets = uint32(stats.BytesOut - stats.PacketsOut*rtpHeaderSize)
		ts, at := s.lastSent()
		r.RTPTime = ts + uint32(now.Sub(at)*time.Duration(audio.NarrowbandHz)/time.Second)
	}
	st.sentPkts = stats.PacketsOut
	mux, to := st.mux, st.remote
	if !to.IsValid() && stats.Remote.IsValid() {
		to = netip.AddrPortFrom(stats.Remote.Addr(), stats.Remote.Port()+1)
	}
	q := s.qualityLocked(stats, now)
	b, err := r.Marshal()
	if sec := s.srtp.Load(); sec != nil && err == nil {
		b, err = sec.rtcpOut.EncryptRTCP(nil, b, nil)
	}
	st.mu.Unlock()

	if err == nil {
		s.sendRTCP(b, mux, to)
	}
	s.onQuality(q)
}

// sendRTCP sends a report: on a multiplexed port the next tick sends it
// with the audio, since one goroutine at a time writes the RTP socket.
func (s *Session) sendRTCP(b []byte, mux bool, to netip.AddrPort) {
	if s.held.Load() || s.closed.Load() {
		return
	}
	switch {
	case mux:
		s.rtcpOut.Store(&b)
	case s.rtcpConn != nil && to.IsValid():
		_ = s.rtcpConn.SetWriteDeadline(time.Now().Add(writeTimeout))
		if _, err := s.rtcpConn.WriteToUDPAddrPort(b, to); err != nil {
			s.ctr.sendErrors.Add(1)
			return
		}
		s.ctr.rtcpOut.Add(1)
	}
}

// lastSent is the RTP timestamp of the last packet sent and when it went.
func (s *Session) lastSent() (uint32, time.Time) {
	return s.lastTS.Load(), time.Unix(0, s.lastTSNanos.Load())
}

// flushRTCP sends the report queued for a multiplexed port, from the
// tick: one atomic swap when there is none.
func (s *Session) flushRTCP(to netip.AddrPort) {
	if b := s.rtcpOut.Swap(nil); b != nil {
		if err := s.tr.send(*b, to); err != nil {
			s.ctr.sendErrors.Add(1)
			return
		}
		s.ctr.rtcpOut.Add(1)
	}
}

// peerTimeout is how many intervals a phone's last report counts for
// (RFC 3550 section 6.3.5 deems a participant gone after five): a phone
// that stops reporting does not keep the leg poor, or good, on figures
// that no longer hold.
const peerTimeout = 5

// qualityLocked takes the figures from what both sides last measured.
// The caller holds rtcp.mu.
func (s *Session) qualityLocked(stats Stats, now time.Time) Quality {
	st := &s.rtcp
	if st.hasPeer && now.Sub(st.peerAt) > peerTimeout*s.rtcpInterval {
		st.hasPeer = false
	}
	q := Quality{
		PacketsIn: stats.PacketsIn, PacketsLost: st.lost,
		LossPct: st.lastLoss, Jitter: stats.Jitter,
		Remote: st.hasPeer, RTT: st.rtt, HasRTT: st.hasRTT,
	}
	if st.hasPeer {
		q.RemoteLossPct = st.peer.LossPct()
		q.RemoteJitter = time.Duration(st.peer.Jitter) * time.Second / time.Duration(audio.NarrowbandHz)
	}
	q.WorstLossPct = max(q.LossPct, q.RemoteLossPct)
	q.MOS = rtcp.MOSOf(st.rtt/2+stats.JitterDelay+audio.FrameDuration, q.WorstLossPct)
	st.quality = &q
	return q
}
