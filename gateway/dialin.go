package gateway

import (
	"errors"
	"net"
	"time"

	"github.com/confgw/confgw/conference"
	confsip "github.com/confgw/confgw/sip"
	"github.com/confgw/confgw/sip/sdp"
)

// ServeInvite takes a dial-in call from INVITE to hang-up.
func (g *Gateway) ServeInvite(in *confsip.Incoming) {
	// First of all, and before any port or goroutine is taken: a gateway
	// that cannot keep up must refuse early and cheaply, or it answers
	// late, after callers gave up, and starves the calls it already has.
	setupDone, reason := g.admit()
	if reason != "" {
		g.shed(in, reason)
		return
	}
	defer setupDone()
	t, refused := g.admission.admit(in.Source(), in.GiveUpAck)
	if refused != "" {
		g.refuse(in, refused)
		return
	}
	defer t.close()
	name, number := in.From()
	log := g.log.With("call_id", in.CallID(), "from", number, "to", in.User())
	conf, err := g.reg.ByDialIn(in.User())
	if err != nil {
		log.Info("dial-in to no conference")
		_ = in.Reject(404, "Not Found")
		return
	}
	// Before any port is taken: a banned caller redialling in a loop
	// costs no more than its INVITEs.
	if conf.Banned(number) {
		g.metrics.refused.WithLabelValues(refuseBanned).Inc()
		log.Info("dial-in refused: the number is banned from the conference", "conference", conf.ID())
		_ = in.Reject(403, BannedReason)
		return
	}
	var offer *sdp.Offer
	var params sdp.Params
	if body := in.Offer(); len(body) > 0 {
		if offer, err = sdp.ParseOffer(body); err != nil {
			status := 400
			if errors.Is(err, sdp.ErrUnsupportedTransport) {
				status = 488
			}
			log.Info("SDP offer refused", "error", err)
			_ = in.Reject(status, err.Error())
			return
		}
		if err = g.checkTransport(offer); err != nil {
			log.Info("SDP offer refused", "error", err, "srtp", g.srtp)
			_ = in.Reject(488, err.Error())
			return
		}
		if params, err = sdp.Negotiate(offer, sdp.Supported); err != nil {
			if errors.Is(err, sdp.ErrNoCommonCrypto) {
				log.Info("no common SRTP crypto suite", "error", err)
				_ = in.Reject(488, err.Error())
				return
			}
			log.Info("no common codec", "error", err)
			_ = in.Reject(488, "Not Acceptable Here")
			return
		}
	}
	if hold := g.beforeAnswer.Load(); hold != nil {
		(*hold)(in.Context())
	}
	if in.Context().Err() != nil {
		return // cancelled: the transaction has already answered 487
	}
	l, err := g.newLeg(conf, conference.DialIn, log)
	if err != nil {
		log.Warn("dial-in refused", "error", err)
		_ = in.Reject(503, "Service Unavailable")
		return
	}
	if !g.enter(l) {
		l.close(false)
		_ = in.Reject(503, "Service Unavailable")
		return
	}
	defer g.wg.Done()
	defer g.forget(l)
	started := false
	defer func() { l.close(started) }()

	var answer []byte
	if offer != nil {
		if err := l.apply(params); err != nil {
			_ = in.Reject(488, "Not Acceptable Here")
			return
		}
		answer, err = l.sdp.BuildAnswer(l.local, offer, params)
	} else {
		answer, err = l.sdp.BuildOffer(l.local, sdp.SendRecv)
	}
	if err != nil {
		log.Error("building SDP", "error", err)
		_ = in.Reject(500, "")
		return
	}
	// Audio may arrive with the ACK: listen before answering.
	l.startMedia()
	started = true
	l.setState(stateAwaitingAck)
	// Answered, the call is no set-up work any more: its wait for the ACK
	// is bounded by the unacknowledged caps, and left in the set-up count
	// a flood of callers that never ACK would shed everyone else.
	setupDone()
	call, ack, err := in.Answer(answer, l)
	if err != nil {
		if errors.Is(err, confsip.ErrNoAck) {
			g.metrics.unacked.Inc()
			// A caller that never ACKs may be one of thousands a second.
			if n, ok := g.noAckLog.allow(); ok {
				log.Info("answered call never acknowledged: hung up", "error", err, "unlogged_before", n)
			}
			return
		}
		log.Info("dial-in not answered", "error", err)
		return
	}
	t.ack()
	l.setState("")
	if offer == nil {
		p, perr := l.sdp.ReadAnswer(ack)
		if perr == nil {
			perr = l.apply(p)
		}
		if perr != nil {
			log.Info("late-offer answer unusable", "error", perr)
			l.bye(call)
			return
		}
	}
	if conf.PINRequired() {
		// A caller at the PIN prompt is answered and costs no more set-up
		// work; entry may take a minute, which must not count as a queue.
		setupDone()
		l.setState(statePIN)
		if !l.enterPIN(call) {
			return
		}
	}
	l.mu.Lock()
	codec := l.codec
	l.mu.Unlock()
	p, err := conf.AddPhone(conference.PhoneSpec{
		Name: name, Number: number, Direction: conference.DialIn, State: conference.PhoneConnected,
		Codec: codec, Leg: l, Media: l.sess,
	})
	if err != nil {
		// A host banned the number while its caller keyed the PIN.
		if errors.Is(err, conference.ErrBanned) {
			g.metrics.refused.WithLabelValues(refuseBanned).Inc()
		}
		log.Info("conference refused the phone", "error", err)
		l.bye(call)
		return
	}
	l.mu.Lock()
	l.pid = p.ID
	l.mu.Unlock()
	l.setState(stateConnected)
	log.Info("phone joined", "participant", p.ID, "conference", conf.ID(), "codec", codec, "remote", remoteOf(l))
	setupDone()
	l.live(call)
}

func remoteOf(l *leg) string {
	if r := l.sess.Stats().Remote; r.IsValid() {
		return net.UDPAddrFromAddrPort(r).String()
	}
	return ""
}

// refuse answers a call over one of the caps, before it costs anything.
// A cap on what a single source may hold is that source's own doing, and
// 486 tells it so; 503 says the whole gateway is full, which may send a
// proxy elsewhere, and is kept for the caps on everyone's calls.
func (g *Gateway) refuse(in *confsip.Incoming, reason string) {
	g.metrics.refused.WithLabelValues(reason).Inc()
	status, after := 503, 10*time.Second
	switch reason {
	case refuseRate:
		status, after = 486, time.Second
	case refuseUnackedBySource:
		status, after = 486, confsip.DefaultAckTimeout
	case refuseUnacked:
		after = confsip.DefaultAckTimeout
	}
	err := in.RejectRetryAfter(status, "", after)
	// Refusals come by the thousand in a flood: log a sample.
	if n, ok := g.refuseLog.allow(); ok {
		g.log.Info("dial-in refused", "reason", reason, "source", in.Source(), "status", status, "unlogged_before", n)
	}
	if err != nil {
		g.log.Debug("refusing a dial-in", "error", err)
	}
}
