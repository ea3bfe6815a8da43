// Package appaudio turns app participants' WebRTC sessions into their
// voices in a conference: it answers a participant's offer, hands the
// session to the conference, and reports back when it connects and when
// it ends, as the gateway package does for phone legs.
package appaudio

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/webrtc"
)

// Bridge joins WebRTC sessions to conferences.
type Bridge struct {
	srv    *webrtc.Server
	log    *slog.Logger
	own    bool // Close closes srv too
	offers *offerLimits
	now    func() time.Time

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New returns a bridge answering offers with srv.
func New(srv *webrtc.Server, log *slog.Logger) *Bridge {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &Bridge{srv: srv, log: log, offers: newOfferLimits(DefaultOfferRate), now: time.Now}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	return b
}

// Listen starts a WebRTC server for cfg and a bridge that owns it: its
// Close ends the sessions and frees the port.
func Listen(cfg webrtc.Config) (*Bridge, error) {
	srv, err := webrtc.New(cfg)
	if err != nil {
		return nil, err
	}
	b := New(srv, cfg.Logger)
	b.own = true
	return b, nil
}

// SetOfferRate sets each participant's long-run allowance of offers per
// second (a burst of a few is always allowed); zero or less keeps the
// default.
func (b *Bridge) SetOfferRate(perSecond float64) {
	if perSecond > 0 {
		b.offers = newOfferLimits(perSecond)
	}
}

// RetryError is a refusal that goes away by itself after After.
type RetryError struct {
	Err   error
	After time.Duration
}

func (e *RetryError) Error() string { return e.Err.Error() }

// Unwrap lets errors.Is see the refusal.
func (e *RetryError) Unwrap() error { return e.Err }

// Server is the WebRTC server the bridge answers with.
func (b *Bridge) Server() *webrtc.Server { return b.srv }

// Join answers the acting participant's offer and makes the session its
// audio in c, replacing any it had. It returns the session's id and the
// SDP answer. The participant is heard, and hears its room, once ICE and
// DTLS complete.
func (b *Bridge) Join(ctx context.Context, c *conference.Conference, a conference.Actor, offer string) (session, answer string, err error) {
	// The conference's refusals cost nothing, an answer costs a DTLS
	// certificate and ICE gathering: ask first.
	if err := c.CheckAudio(a); err != nil {
		return "", "", err
	}
	if ok, wait := b.offers.allow(c.ID()+"/"+a.ParticipantID, b.now()); !ok {
		b.srv.RefuseOffer(webrtc.RefusedRate)
		return "", "", &RetryError{Err: ErrTooManyOffers, After: wait}
	}
	sess, answer, err := b.srv.Answer(ctx, offer)
	if err != nil {
		return "", "", err
	}
	if err := c.StartAudio(a, sess); err != nil {
		sess.Close(webrtc.ReasonFailed)
		return "", "", err
	}
	b.wg.Add(1)
	go b.follow(c, a.ParticipantID, sess)
	return sess.ID(), answer, nil
}

// follow tells the conference when the session connects and when it ends
// on its own side. A session the conference ended (replaced, stopped, its
// participant gone) is already out of it; AudioEnded then does nothing.
func (b *Bridge) follow(c *conference.Conference, participantID string, sess *webrtc.Session) {
	defer b.wg.Done()
	select {
	case <-sess.Connected():
		if err := c.AudioConnected(participantID, sess.ID()); err != nil {
			sess.Close(conference.AudioEndLeft)
			return
		}
	case <-sess.Done():
	case <-b.ctx.Done():
		return
	}
	select {
	case <-sess.Done():
	case <-b.ctx.Done():
		return
	}
	if c.AudioEnded(participantID, sess.ID(), endReason(sess.Reason())) {
		b.log.Info("app audio ended", "conference", c.ID(), "participant", participantID, "session", sess.ID(), "reason", sess.Reason())
	}
}

// endReason names a session's end as the conference's events do.
func endReason(r string) string {
	switch r {
	case webrtc.ReasonICEFailed:
		return conference.AudioEndICEFailed
	case webrtc.ReasonDTLSFailed:
		return conference.AudioEndDTLSFailed
	case webrtc.ReasonTimedOut:
		return conference.AudioEndTimedOut
	}
	return conference.AudioEndLeft
}

// Close stops following sessions. A bridge from Listen closes its server,
// which ends them; one from New leaves that to the server's owner.
func (b *Bridge) Close() {
	if b.own {
		if err := b.srv.Close(); err != nil {
			b.log.Warn("closing the WebRTC server", "err", err)
		}
	}
	b.cancel()
	b.wg.Wait()
}
