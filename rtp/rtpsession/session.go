package rtpsession

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/g711"
	"github.com/confgw/confgw/jitter"
	"github.com/confgw/confgw/rtp/rtpwriter"
)

// Session is one phone leg's RTP media. Run is its receive loop; ReadFrame
// and WriteFrame belong to the room mixer's tick; the other methods may be
// called from anywhere.
type Session struct {
	tr         transport
	local      *net.UDPAddr
	log        *slog.Logger
	obs        Observer
	timeout    time.Duration
	onTimeout  func()
	onDigit    func(rune)
	jitterOpts []jitter.Option

	// State shared between goroutines: replaced whole, never mutated, so
	// readers on the hot path need no lock.
	codec   atomic.Pointer[codecState]
	srtp    atomic.Pointer[srtpState] // nil: RTP in the clear
	remote  atomic.Pointer[netip.AddrPort]
	sdp     atomic.Pointer[netip.AddrPort] // where signalling last said the phone is
	jbuf    atomic.Pointer[jitter.Buffer]
	relatch atomic.Bool // SetRemote asked the next packet's source to win
	// announce is what Announce asked the sender to play next.
	announce atomic.Pointer[[]audio.Frame]
	held     atomic.Bool
	resumed  atomic.Int64 // when hold last ended, in Unix nanoseconds
	closed   atomic.Bool
	started  atomic.Bool

	closeOnce sync.Once
	closeErr  error
	done      chan struct{} // closed by Close

	// rxMu hands rx between Run and the tick's drain, which take turns:
	// Run reads until ticks start and again once they stop.
	rxMu           sync.Mutex
	lastAliveNanos atomic.Int64 // when the phone last proved alive

	ctr counters

	// RTCP: rarely touched, apart from the tick's look at rtcpOut and the
	// time of the last packet sent, which a sender report needs.
	rtcp         rtcpState
	rtcpConn     *net.UDPConn
	rtcpOwned    bool
	rtcpMux      atomic.Bool
	rtcpStarted  atomic.Bool
	rtcpOut      atomic.Pointer[[]byte] // a report for the tick to send
	rtcpInterval time.Duration
	rtcpBurst    int
	cname        string
	ssrc         uint32
	// phoneSSRC is the phone's stream's SSRC|heardSSRC once heard: the
	// receive path's rx.ssrc, copied for RTCP to check without rxMu.
	phoneSSRC   atomic.Uint64
	onQuality   func(Quality)
	lastTS      atomic.Uint32
	lastTSNanos atomic.Int64

	rx   receiver // owned by Run
	play player   // owned by ReadFrame's caller
	tx   sender   // owned by WriteFrame's caller
}

type codecState struct {
	frames  g711.FrameCodec
	pt      uint8
	eventPT uint8 // 0: no telephone-event
}

// New returns a session for cfg. It takes ownership of cfg.Conn even on
// error, so that a failed set-up cannot leak the port.
func New(cfg Config) (*Session, error) {
	if cfg.Conn == nil {
		if cfg.RTCPConn != nil && cfg.Ports == nil {
			_ = cfg.RTCPConn.Close()
		}
		return nil, ErrNoConn
	}
	cs, err := newCodecState(cfg.Codec, cfg.TelephoneEventPT)
	if err != nil {
		if cfg.RTCPConn != nil && cfg.Ports == nil {
			_ = cfg.RTCPConn.Close()
		}
		_ = release(cfg.Ports, cfg.Conn)
		return nil, err
	}
	cfg.normalise()
	s := &Session{
		obs:       cfg.Observer,
		timeout:   cfg.Timeout,
		onTimeout: cfg.OnTimeout,
		onDigit:   cfg.OnDigit,
		// The buffer cuts packets of any whole number of 10 ms blocks into
		// the 20 ms frames the mixer takes.
		jitterOpts: append([]jitter.Option{
			jitter.WithMaxPayload(maxPacketBytes),
			jitter.WithBlockDuration(blockDuration),
			jitter.WithFrameDuration(audio.FrameDuration),
		}, cfg.Jitter...),
		done:  make(chan struct{}),
		local: cfg.Conn.LocalAddr().(*net.UDPAddr),

		rtcpConn:     cfg.RTCPConn,
		rtcpOwned:    cfg.rtcpOwned,
		rtcpInterval: cfg.RTCPInterval,
		rtcpBurst:    cfg.RTCPBurst,
		cname:        cfg.CNAME,
		onQuality:    cfg.OnQuality,
	}
	s.rtcp.budget = cfg.RTCPBurst
	s.log = cfg.Logger.With("local", cfg.Conn.LocalAddr().String())
	s.tr = newTransport(&cfg)
	s.codec.Store(cs)
	if cfg.SRTP != nil {
		st, err := newSRTPState(cfg.SRTP, nil)
		if err != nil {
			_ = release(cfg.Ports, cfg.Conn)
			return nil, err
		}
		s.srtp.Store(st)
	}
	s.jbuf.Store(jitter.New(s.jitterOpts...))
	if cfg.Remote != nil {
		a := unmap(cfg.Remote.AddrPort())
		s.remote.Store(&a)
		s.sdp.Store(&a)
	}
	s.tx = sender{
		w:      rtpwriter.NewRandom(),
		marker: true,
		digits: newDigitSender(),
	}
	s.ssrc = s.tx.w.SSRC()
	return s, nil
}

func newCodecState(c audio.Codec, eventPT uint8) (*codecState, error) {
	frames, err := g711.Lookup(c.Name)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %w", ErrCodec, c.Name, err)
	}
	if c.ClockRate != 0 && c.ClockRate != frames.Codec().ClockRate {
		return nil, fmt.Errorf("%w: %s at %d Hz", ErrCodec, c.Name, c.ClockRate)
	}
	if c.PayloadType > 127 || eventPT > 127 || (eventPT != 0 && eventPT == c.PayloadType) {
		return nil, fmt.Errorf("%w: payload types %d and %d", ErrCodec, c.PayloadType, eventPT)
	}
	return &codecState{frames: frames, pt: c.PayloadType, eventPT: eventPT}, nil
}

// LocalAddr is the address to put in SDP (with the host's public IP when
// bound to all addresses).
func (s *Session) LocalAddr() *net.UDPAddr { return s.local }

// SetRemote changes where audio goes, after a re-INVITE or a late offer.
// The next packet from the phone still wins: its source is what NAT lets
// through. nil stops sending until the phone is heard.
func (s *Session) SetRemote(addr *net.UDPAddr) {
	if addr == nil {
		s.remote.Store(nil)
		s.sdp.Store(nil)
	} else {
		a := unmap(addr.AddrPort())
		s.remote.Store(&a)
		s.sdp.Store(&a)
		s.log.Info("rtp remote set", "remote", a.String())
	}
	s.relatch.Store(true)
}

// SetCodec switches the law and payload types after a re-INVITE.
func (s *Session) SetCodec(c audio.Codec, telephoneEventPT uint8) error {
	cs, err := newCodecState(c, telephoneEventPT)
	if err != nil {
		return err
	}
	s.codec.Store(cs)
	s.log.Info("rtp codec set", "codec", c.Name, "pt", c.PayloadType, "event_pt", telephoneEventPT)
	return nil
}

// SetHold stops audio both ways while held (the phone's re-INVITE said
// sendonly or inactive) and resumes it when not. Resuming starts a fresh
// jitter buffer, since whatever it held is minutes old.
func (s *Session) SetHold(held bool) {
	if s.held.Swap(held) == held {
		return
	}
	if !held {
		s.newJitterBuffer()
		// The phone gets a full timeout to start sending again.
		s.resumed.Store(time.Now().UnixNano())
	}
	s.log.Info("rtp hold", "held", held)
}

// Close stops the session: Run returns and the port goes back to the pool.
// Later calls do nothing and return nil.
func (s *Session) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		close(s.done)
		s.closeErr = s.tr.close()
		if s.rtcpOwned {
			_ = s.rtcpConn.Close()
		}
		s.log.Debug("rtp session closed")
	})
	return s.closeErr
}

func release(p *Ports, c *net.UDPConn) error {
	if p != nil {
		return p.Release(c)
	}
	return c.Close()
}

// newJitterBuffer starts a fresh buffer for a new stream, keeping the old
// one's losses in the totals.
func (s *Session) newJitterBuffer() {
	old := s.jbuf.Swap(jitter.New(s.jitterOpts...))
	st := old.Stats()
	s.ctr.lostBefore.Add(st.Lost)
	s.ctr.overflowBefore.Add(st.Overflow)
	s.ctr.skippedBefore.Add(st.Skipped)
}

// unmap keeps IPv4 peers comparable whether they reached a dual-stack socket
// (as ::ffff:a.b.c.d) or came from SDP.
func unmap(a netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(a.Addr().Unmap(), a.Port())
}
