package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/rtp/rtpsession"
	confsip "github.com/confgw/confgw/sip"
	"github.com/confgw/confgw/sip/sdp"
)

// Leg states, as metrics label them.
const (
	stateRinging     = "ringing"
	stateAwaitingAck = "awaiting_ack"
	statePIN         = "pin_entry"
	stateConnected   = "connected"
)

// hangUp is a leg's stop cause when the conference hangs it up.
type hangUp struct{ reason string }

func (h hangUp) Error() string { return "hung up: " + h.reason }

var errShutdown = errors.New("gateway shutting down")

// byeTimeout bounds how long a leg waits for the answer to its BYE.
const byeTimeout = 5 * time.Second

// leg is one phone call and its place in a conference; it is the
// conference.Leg the conference hangs up, the confsip.Renegotiator that
// answers the phone's re-INVITEs and the confsip.KeyReceiver of its INFO.
type leg struct {
	g    *Gateway
	conf *conference.Conference
	dir  conference.Direction
	log  *slog.Logger

	ctx  context.Context
	stop context.CancelCauseFunc

	sess   *rtpsession.Session
	sdp    *sdp.Session
	local  sdp.Local
	digits chan rune
	// pad reads the caller's commands once it joined; only live's
	// goroutine uses it.
	pad      keypad
	timedOut chan struct{}
	timeOnce sync.Once
	runDone  chan struct{}
	// RTCP's goroutine and the one that takes its figures.
	rtcpDone    chan struct{}
	qualityCh   chan struct{}
	qualityDone chan struct{}

	mu    sync.Mutex
	pid   string
	state string
	codec string
	keys  *sdp.Keys // the media's SRTP keys; nil while in the clear
}

func (g *Gateway) newLeg(conf *conference.Conference, dir conference.Direction, log *slog.Logger) (*leg, error) {
	conn, err := g.ports.Listen(g.bindIP)
	if err != nil {
		return nil, fmt.Errorf("allocating an RTP port: %w", err)
	}
	l := &leg{
		g: g, conf: conf, dir: dir, log: log,
		sdp:      sdp.NewSession("confgw"),
		digits:   make(chan rune, 32),
		timedOut: make(chan struct{}),
		runDone:  make(chan struct{}),

		rtcpDone:    make(chan struct{}),
		qualityCh:   make(chan struct{}, 1),
		qualityDone: make(chan struct{}),
	}
	l.sdp.SRTP = g.srtp == SRTPRequired
	l.ctx, l.stop = context.WithCancelCause(context.Background())
	sess, err := rtpsession.New(rtpsession.Config{
		Conn: conn, Ports: g.ports, Codec: audio.PCMU,
		Timeout:   g.rtpTimeout,
		OnTimeout: func() { l.timeOnce.Do(func() { close(l.timedOut) }) },
		OnDigit:   l.onDigit,
		Logger:    log,

		RTCPInterval: g.quality.RTCPInterval,
		RTCPBurst:    g.quality.RTCPBurst,
		OnQuality:    l.qualitySignal,
	})
	if err != nil {
		l.stop(err)
		return nil, fmt.Errorf("starting RTP: %w", err)
	}
	l.sess = sess
	l.local = sdp.Local{Addr: g.mediaAddr, Port: uint16(sess.LocalAddr().Port)}
	return l, nil
}

// HangUp is the conference asking us to end the call; the leg's own
// goroutine sends the BYE (or CANCEL, while ringing).
func (l *leg) HangUp(reason string) { l.stop(hangUp{reason: reason}) }

// Prompt tells the caller, over the room's audio, what a host did to its
// call: a phone has no screen to show it.
func (l *leg) Prompt(p conference.Prompt) {
	if pr, ok := spoken[p]; ok {
		l.sess.Announce(pr.Frames)
	}
}

// Key takes a key the phone sent in SIP INFO as one sent in RTP.
func (l *leg) Key(d rune) { l.onDigit(d) }

func (l *leg) onDigit(d rune) {
	select {
	case l.digits <- d:
	default:
	}
}

func (l *leg) setState(s string) {
	l.mu.Lock()
	l.state = s
	l.mu.Unlock()
}

func (l *leg) snapshot() (state, dir string, stats rtpsession.Stats) {
	l.mu.Lock()
	state = l.state
	l.mu.Unlock()
	return state, string(l.dir), l.sess.Stats()
}

// startMedia runs the RTP receive loop, and RTCP with what it tells of the
// call, until the leg ends.
func (l *leg) startMedia() {
	go func() {
		defer close(l.runDone)
		if err := l.sess.Run(l.ctx); err != nil && !errors.Is(err, rtpsession.ErrTimeout) {
			l.log.Warn("RTP receive loop ended", "error", err)
		}
	}()
	go func() {
		defer close(l.rtcpDone)
		if err := l.sess.RunRTCP(l.ctx); err != nil {
			l.log.Info("RTCP loop ended", "error", err)
		}
	}()
	go l.watchQuality()
}

// close frees the media; the leg is over.
func (l *leg) close(started bool) {
	l.stop(context.Canceled)
	_ = l.sess.Close()
	if started {
		<-l.runDone
		<-l.rtcpDone
		<-l.qualityDone
	}
	l.g.metrics.retire(l.sess.Stats())
}

// apply points the session at what SDP negotiated.
func (l *leg) apply(p sdp.Params) error {
	if err := l.applyKeys(&p); err != nil {
		return err
	}
	te := uint8(0)
	if p.TelephoneEvent != nil {
		te = p.TelephoneEvent.PayloadType
	}
	if err := l.sess.SetCodec(p.Codec, te); err != nil {
		return err
	}
	l.mu.Lock()
	l.codec = strings.ToUpper(p.Codec.Name)
	l.mu.Unlock()
	if p.Remote.IsValid() && !p.Remote.Addr().IsUnspecified() && p.Remote.Port() != 0 {
		l.sess.SetRemote(net.UDPAddrFromAddrPort(p.Remote))
	}
	l.sess.SetRTCPMux(p.RTCPMux)
	if r := p.RemoteRTCP; !r.IsValid() || !r.Addr().IsUnspecified() {
		l.sess.SetRemoteRTCP(r)
	}
	// Hold stops audio both ways, whichever side asked for one-way.
	l.sess.SetHold(p.Direction != sdp.SendRecv)
	return nil
}

// Reoffer answers the phone's re-INVITE: hold (sendonly, inactive) stops
// audio both ways, sendrecv resumes it, and our answer mirrors the offer.
func (l *leg) Reoffer(body []byte) ([]byte, error) {
	if len(body) == 0 {
		return l.sdp.BuildOffer(l.local, sdp.SendRecv)
	}
	offer, err := sdp.ParseOffer(body)
	if err != nil {
		return nil, err
	}
	if err := l.g.checkTransport(offer); err != nil {
		return nil, err
	}
	p, err := sdp.Negotiate(offer, sdp.Supported)
	if err != nil {
		return nil, err
	}
	l.keepLocalKey(&p)
	if offer.OnHold() {
		// RFC 3264 §8.4: a held stream is answered recvonly or inactive.
		if p.Direction == sdp.SendRecv {
			p.Direction = sdp.RecvOnly
		}
	}
	if err := l.apply(p); err != nil {
		return nil, err
	}
	return l.sdp.BuildAnswer(l.local, offer, p)
}

// Reanswer applies the phone's answer to an offer we made in a 200.
func (l *leg) Reanswer(body []byte) {
	p, err := l.sdp.ReadAnswer(body)
	if err != nil {
		l.log.Info("unusable SDP answer in ACK", "error", err)
		return
	}
	if err := l.apply(p); err != nil {
		l.log.Info("applying SDP answer", "error", err)
	}
}

// live holds an answered, admitted call until it ends, then takes the
// participant out of the conference with the right reason.
func (l *leg) live(call *confsip.Call) {
	reason := l.hold(call)
	l.mu.Lock()
	pid := l.pid
	l.mu.Unlock()
	if pid != "" && l.conf.Leave(pid, reason) {
		l.log.Info("phone left", "participant", pid, "reason", reason)
	}
}

// hold waits for the call to end, taking the caller's keys as commands
// meanwhile, and returns why it ended.
func (l *leg) hold(call *confsip.Call) string {
	for {
		select {
		case d := <-l.digits:
			l.key(d)
		case <-call.Done():
			if errors.Is(call.Err(), confsip.ErrLocalHangUp) {
				return conference.ReasonConferenceEnded
			}
			return conference.ReasonCallerHungUp
		case <-l.timedOut:
			l.bye(call)
			return conference.ReasonRTPTimeout
		case <-l.ctx.Done():
			l.bye(call)
			var h hangUp
			if errors.As(context.Cause(l.ctx), &h) {
				return h.reason
			}
			return conference.ReasonConferenceEnded
		}
	}
}

func (l *leg) bye(call *confsip.Call) {
	ctx, cancel := context.WithTimeout(context.Background(), byeTimeout)
	defer cancel()
	if err := call.HangUp(ctx); err != nil {
		l.log.Info("BYE", "error", err)
	}
}
