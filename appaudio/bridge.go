// Package appaudio turns app participants' WebRTC sessions into their
// voices in a conference: it answers a participant's offer, hands the
// session to the conference, and reports back when it connects and when
// it ends, as the gateway package does for phone legs.
package appaudio

import (
	"context"
	"log/slog"
	"sync"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/webrtc"
)

// Bridge joins WebRTC sessions to conferences.
type Bridge struct {
	srv *webrtc.Server
	log *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New returns a bridge answering offers with srv.
func New(srv *webrtc.Server, log *slog.Logger) *Bridge {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &Bridge{srv: srv, log: log}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	return b
}

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

// Close stops following sessions; the webrtc server's own Close ends them.
func (b *Bridge) Close() {
	b.cancel()
	b.wg.Wait()
}
