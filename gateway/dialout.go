package gateway

import (
	"context"
	"errors"

	"github.com/confgw/confgw/conference"
	confsip "github.com/confgw/confgw/sip"
	"github.com/confgw/confgw/sip/sdp"
)

// DialOut calls to through the trunk for conference c. It returns at once
// with the participant ringing; the call goes on in the background and ends
// in PhoneConnected or PhoneFailed.
func (g *Gateway) DialOut(_ context.Context, c *conference.Conference, to string) (conference.Participant, error) {
	if !g.sip.HasTrunk() {
		return conference.Participant{}, conference.ErrNoOutboundTrunk
	}
	if err := confsip.ValidateTarget(to); err != nil {
		return conference.Participant{}, &conference.Error{Code: conference.CodeInvalid,
			Msg: "to must be a phone number or SIP user: 1 to 64 letters, digits or + - . _ * ! ~"}
	}
	log := g.log.With("to", to, "conference", c.ID())
	l, err := g.newLeg(c, conference.DialOut, log)
	if err != nil {
		return conference.Participant{}, err
	}
	offer, err := l.sdp.BuildOffer(l.local, sdp.SendRecv)
	if err != nil {
		l.close(false)
		return conference.Participant{}, err
	}
	l.setState(stateRinging)
	if !g.enter(l) {
		l.close(false)
		return conference.Participant{}, ErrShuttingDown
	}
	p, err := c.AddPhone(conference.PhoneSpec{
		Name: to, Number: to, Direction: conference.DialOut, State: conference.PhoneRinging, Leg: l,
	})
	if err != nil {
		g.forget(l)
		g.wg.Done()
		l.close(false)
		return conference.Participant{}, err
	}
	l.pid = p.ID
	go func() {
		defer g.wg.Done()
		defer g.forget(l)
		l.dial(to, offer)
	}()
	return p, nil
}

func (l *leg) dial(to string, offer []byte) {
	started := false
	defer func() { l.close(started) }()
	call, answer, err := l.g.sip.Dial(l.ctx, to, offer)
	if err != nil {
		var de *confsip.DialError
		switch {
		case errors.As(err, &de):
			l.log.Info("dial-out failed", "status", de.Status, "reason", de.Reason)
			l.conf.PhoneFailed(l.pid, de.Status, de.Reason)
		case l.ctx.Err() != nil:
			// Hung up while ringing: sipgo sent CANCEL and the conference
			// already removed the participant (or we are shutting down).
			l.conf.Leave(l.pid, conference.ReasonConferenceEnded)
		default:
			l.log.Warn("dial-out failed", "error", err)
			l.conf.PhoneFailed(l.pid, 503, "Service Unavailable")
		}
		return
	}
	call.SetRenegotiator(l)
	p, err := l.sdp.ReadAnswer(answer)
	if err == nil {
		err = l.apply(p)
	}
	if err != nil {
		l.log.Info("dial-out answer unusable", "error", err)
		l.bye(call)
		l.conf.PhoneFailed(l.pid, 488, "Not Acceptable Here")
		return
	}
	// The RTP clock starts with the answer: a callee's phone that rings
	// for longer than the RTP timeout sends nothing meanwhile.
	l.startMedia()
	started = true
	l.mu.Lock()
	codec := l.codec
	l.mu.Unlock()
	if err := l.conf.PhoneConnected(l.pid, codec, l.sess); err != nil {
		// The host hung up as the callee answered.
		l.bye(call)
		return
	}
	l.setState(stateConnected)
	l.log.Info("dial-out answered", "participant", l.pid, "codec", codec)
	l.live(call)
}
