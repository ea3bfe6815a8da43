package sip

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"
)

var errRingTimeout = errors.New("ring timeout")

// Dial calls to through the trunk with our SDP offer and returns once the
// call is answered and acknowledged, with the peer's SDP answer. Ending ctx
// while it rings sends CANCEL; a call unanswered after the ring timeout is
// cancelled and fails with a *DialError of status 408, and any final failure
// the trunk sends comes back as a *DialError with its status.
func (s *Server) Dial(ctx context.Context, to string, offer []byte) (*Call, []byte, error) {
	t := s.cfg.trunk
	if t == nil {
		return nil, nil, ErrNoTrunk
	}
	target, err := t.target(to)
	if err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	running, draining := s.running, s.draining
	s.mu.Unlock()
	switch {
	case draining:
		return nil, nil, ErrShuttingDown
	case !running:
		return nil, nil, ErrNotRunning
	}

	transport := strings.ToUpper(t.Transport)
	req := sipmsg.NewRequest(sipmsg.INVITE, target)
	req.SetTransport(transport)
	from := &sipmsg.FromHeader{Address: sipmsg.Uri{Scheme: "sip", User: t.FromUser, Host: s.cfg.hostname}}
	from.Params.Add("tag", sipmsg.GenerateTagN(16))
	req.AppendHeader(from)
	req.AppendHeader(&sipmsg.ToHeader{Address: sipmsg.Uri{Scheme: "sip", User: to, Host: target.Host}})
	req.AppendHeader(s.contact(transport))
	req.AppendHeader(sipmsg.NewHeader("Allow", allowedMethods))
	req.AppendHeader(sipmsg.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(offer)
	s.bindLocal(req)

	// The ring timeout and a shutdown both cancel the INVITE like the
	// caller's ctx does, so sipgo sends CANCEL for all three.
	ringCtx, cancel := context.WithTimeoutCause(ctx, s.cfg.ringTimeout, errRingTimeout)
	defer cancel()
	stop := context.AfterFunc(s.runCtx, cancel)
	defer stop()

	sess, err := s.dialogs.WriteInvite(ringCtx, req)
	if err != nil {
		return nil, nil, fmt.Errorf("sending INVITE to %s: %w", to, err)
	}
	err = sess.WaitAnswer(ringCtx, sipgo.AnswerOptions{Username: t.Username, Password: t.Password})
	if err != nil {
		return nil, nil, s.dialFailed(ctx, ringCtx, sess, to, err)
	}
	s.observe(false, sess.InviteResponse.StatusCode)
	c := newCall(s, sess.ID, transport, req)
	c.uac = sess
	s.calls.add(c)
	if err := sess.Ack(context.WithoutCancel(ctx)); err != nil {
		c.end(ErrNoAck)
		return nil, nil, fmt.Errorf("acknowledging the answer from %s: %w", to, err)
	}
	c.established.Store(true)
	return c, sess.InviteResponse.Body(), nil
}

func (s *Server) dialFailed(ctx, ringCtx context.Context, sess *sipgo.DialogClientSession, to string, err error) error {
	defer sess.Close()
	res := sess.InviteResponse
	if res != nil && res.IsSuccess() {
		// The answer crossed our CANCEL: acknowledge and hang up at once.
		s.observe(false, res.StatusCode)
		bg := context.WithoutCancel(ctx)
		if aerr := sess.Ack(bg); aerr == nil {
			_ = sess.Bye(bg)
		}
	}
	var dr *sipgo.ErrDialogResponse
	switch {
	case errors.As(err, &dr):
		s.observe(false, dr.Res.StatusCode)
		return &DialError{Status: dr.Res.StatusCode, Reason: dr.Res.Reason}
	case ctx.Err() != nil:
		return fmt.Errorf("calling %s: %w", to, ctx.Err())
	case s.runCtx.Err() != nil:
		return fmt.Errorf("calling %s: %w", to, ErrShuttingDown)
	case errors.Is(context.Cause(ringCtx), errRingTimeout):
		return &DialError{Status: 408, Reason: "Request Timeout"}
	}
	return fmt.Errorf("calling %s: %w", to, err)
}
