package sip

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"
)

// Incoming is a new INVITE waiting for its answer.
type Incoming struct {
	srv  *Server
	req  *sipmsg.Request
	tx   sipmsg.ServerTransaction
	dlg  *sipgo.DialogServerSession
	call *Call

	ctx    context.Context
	cancel context.CancelCauseFunc
	stop   func() bool

	mu    sync.Mutex
	final bool

	// noAck, once closed, ends the wait for the ACK at once, as the ACK
	// timeout would.
	noAck     chan struct{}
	noAckOnce sync.Once
}

func newIncoming(srv *Server, req *sipmsg.Request, tx sipmsg.ServerTransaction, dlg *sipgo.DialogServerSession, call *Call) *Incoming {
	in := &Incoming{srv: srv, req: req, tx: tx, dlg: dlg, call: call, noAck: make(chan struct{})}
	in.ctx, in.cancel = context.WithCancelCause(srv.runCtx)
	in.stop = context.AfterFunc(dlg.Context(), func() {
		cause := context.Cause(dlg.Context())
		if cause == nil || errors.Is(cause, sipmsg.ErrTransactionCanceled) {
			cause = ErrCanceled
		}
		in.cancel(cause)
	})
	return in
}

func (in *Incoming) release() {
	in.stop()
	in.cancel(context.Canceled)
}

// Context ends when the caller cancels (cause ErrCanceled), the server
// shuts down, or the dialog is over. context.Cause tells which.
func (in *Incoming) Context() context.Context { return in.ctx }

// User is the Request-URI's user part: the number the caller dialled.
func (in *Incoming) User() string { return in.req.Recipient.User }

// From returns the caller's display name and user part.
func (in *Incoming) From() (name, user string) {
	if f := in.req.From(); f != nil {
		return strings.Trim(f.DisplayName, `" `), f.Address.User
	}
	return "", ""
}

// CallID is the SIP Call-ID, for logs.
func (in *Incoming) CallID() string { return in.call.callID }

// Source is the caller's transport address.
func (in *Incoming) Source() string { return in.req.Source() }

// Offer is the SDP of the INVITE (its body, or the SDP part of a multipart
// one); empty for a late offer, where our offer goes in the 200 and the
// answer comes back in the ACK.
func (in *Incoming) Offer() []byte {
	sdp, _ := sdpBody(in.req)
	return sdp
}

// Trying sends 100 Trying (sipgo also sends it by itself after 200 ms).
func (in *Incoming) Trying() error { return in.provisional(100, "Trying") }

// Ringing sends 180 Ringing.
func (in *Incoming) Ringing() error { return in.provisional(180, "Ringing") }

func (in *Incoming) provisional(status int, reason string) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.final {
		return ErrAnswered
	}
	if err := in.dlg.Respond(status, reason, nil); err != nil {
		return fmt.Errorf("sending %d: %w", status, err)
	}
	return nil
}

// Reject refuses the call with a final status. The reason becomes the
// reason phrase, stripped of anything that could break the status line.
func (in *Incoming) Reject(status int, reason string) error {
	return in.reject(status, reason)
}

// RejectRetryAfter refuses the call like Reject, with a Retry-After header
// telling the caller to try again no sooner than after (whole seconds, at
// least one): RFC 3261 §21.5.4 lets a 503 carry it, and a caller or proxy
// that honours it spreads its retries instead of hammering a busy gateway.
func (in *Incoming) RejectRetryAfter(status int, reason string, after time.Duration) error {
	secs := max(int64((after+time.Second-1)/time.Second), 1)
	return in.reject(status, reason, sipmsg.NewHeader("Retry-After", strconv.FormatInt(secs, 10)))
}

func (in *Incoming) reject(status int, reason string, hdrs ...sipmsg.Header) error {
	if status < 300 || status > 699 {
		return fmt.Errorf("reject status %d is not a final failure", status)
	}
	in.mu.Lock()
	if in.final {
		in.mu.Unlock()
		return ErrAnswered
	}
	in.final = true
	in.mu.Unlock()
	// A refused INVITE is no call, from now on: the transaction alone
	// resends the response and absorbs the ACK (Timer H), without holding
	// the handler or a place in the call set for 32 s when no ACK comes.
	in.srv.calls.remove(in.call)
	defer in.release()
	defer func() { _ = in.dlg.Close() }()
	res := sipmsg.NewResponseFromRequest(in.req, status, reasonPhrase(status, reason), nil)
	if status == 405 {
		res.AppendHeader(sipmsg.NewHeader("Allow", allowedMethods))
	}
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	if err := in.tx.Respond(res); err != nil {
		return fmt.Errorf("sending %d: %w", status, err)
	}
	in.srv.observe(true, status)
	return nil
}

// Answer accepts the call with sdp (our answer, or our offer when the INVITE
// had none) and returns once the ACK arrived, with the ACK's body (the
// answer to a late offer). r handles the caller's later re-INVITEs. A call
// whose ACK does not come within the server's ACK timeout (WithAckTimeout)
// is hung up with a BYE and Answer fails with ErrNoAck.
func (in *Incoming) Answer(sdp []byte, r Renegotiator) (*Call, []byte, error) {
	in.mu.Lock()
	if in.final {
		in.mu.Unlock()
		return nil, nil, ErrAnswered
	}
	in.final = true
	in.mu.Unlock()
	defer in.release()

	c := in.call
	c.SetRenegotiator(r)
	res := sipmsg.NewSDPResponseFromRequest(in.dlg.InviteRequest, sdp)
	res.AppendHeader(in.srv.contact(c.transport))
	res.AppendHeader(sipmsg.NewHeader("Allow", allowedMethods))
	// We send the 2xx and wait for its ACK ourselves rather than through
	// sipgo's WriteResponse, which waits 64*T1 with no way to stop earlier.
	// The dialog's BYE still needs the response it answered.
	in.dlg.InviteResponse = res
	err := in.respond(res)
	sent := err == nil
	if sent {
		in.srv.observe(true, 200)
		err = in.awaitAck(res)
	}
	if err == nil {
		return c, c.confirm(), nil
	}
	if cause := c.Err(); cause != nil {
		return nil, nil, cause
	}
	// A CANCEL once the 2xx is out changes nothing (RFC 3261 §9.2).
	if !sent && (errors.Is(err, sipmsg.ErrTransactionCanceled) || errors.Is(context.Cause(in.ctx), ErrCanceled)) {
		in.srv.calls.remove(c)
		return nil, nil, ErrCanceled
	}
	// RFC 3261 §13.3.1.4: a 2xx never acknowledged ends with a BYE. The
	// dialog stands from our side since we sent the 2xx, so the BYE may go.
	// Its answer is waited for in the background: whoever never ACKs likely
	// never answers a BYE either, and the caller of Answer has resources to
	// free now.
	c.established.Store(true)
	c.hangingUp.Store(true)
	c.end(ErrNoAck)
	in.srv.handlers.Add(1)
	go func() {
		defer in.srv.handlers.Done()
		ctx, cancel := context.WithTimeout(context.Background(), in.srv.cfg.shutdownTimeout)
		defer cancel()
		_ = c.byeUnacknowledged(ctx, in.tx) // nothing left to do if it fails: the call is over
	}()
	if !errors.Is(err, ErrNoAck) {
		err = fmt.Errorf("%w: %w", ErrNoAck, err)
	}
	return nil, nil, fmt.Errorf("answering %s: %w", c.callID, err)
}

// GiveUpAck stops waiting for the ACK of an answered call now: Answer then
// hangs it up and fails with ErrNoAck, as when the ACK timeout passes. It
// is how admission takes back the place of a caller that holds too many
// unacknowledged calls. It never blocks and may be called at any time.
func (in *Incoming) GiveUpAck() { in.noAckOnce.Do(func() { close(in.noAck) }) }

// respond sends the 2xx unless the caller cancelled first.
func (in *Incoming) respond(res *sipmsg.Response) error {
	select {
	case <-in.tx.Done():
		if err := in.tx.Err(); err != nil {
			return err
		}
		return sipmsg.ErrTransactionTerminated
	default:
	}
	return in.tx.Respond(res)
}

// awaitAck retransmits the 2xx over UDP until its ACK arrives (RFC 6026
// leaves that to us, not to the transaction), the ACK timeout passes, the
// caller hangs up or the server shuts down.
func (in *Incoming) awaitAck(res *sipmsg.Response) error {
	c := in.call
	giveUp := time.NewTimer(in.srv.cfg.ackTimeout)
	defer giveUp.Stop()
	interval := sipmsg.T1
	resend := time.NewTimer(interval)
	defer resend.Stop()
	reliable := sipmsg.IsReliable(c.transport)
	for {
		select {
		case <-c.acked:
			return nil
		case <-resend.C:
			if !reliable {
				if err := in.tx.Respond(res); err != nil {
					return err
				}
			}
			interval = min(2*interval, sipmsg.T2)
			resend.Reset(interval)
		case <-giveUp.C:
			return ErrNoAck
		case <-in.noAck:
			return ErrNoAck
		case <-c.done:
			return c.Err()
		case <-in.srv.runCtx.Done():
			return ErrShuttingDown
		}
	}
}

// reasonPhrase keeps a reason to the characters a status line may carry.
func reasonPhrase(status int, reason string) string {
	var b strings.Builder
	for _, r := range reason {
		if r >= 0x20 && r != 0x7f {
			b.WriteRune(r)
		}
		if b.Len() >= 120 {
			break
		}
	}
	if s := strings.TrimSpace(b.String()); s != "" {
		return s
	}
	return defaultReason(status)
}

func defaultReason(status int) string {
	switch status {
	case 400:
		return "Bad Request"
	case 403:
		return "Forbidden"
	case 404:
		return "Not Found"
	case 405:
		return "Method Not Allowed"
	case 408:
		return "Request Timeout"
	case 480:
		return "Temporarily Unavailable"
	case 481:
		return "Call/Transaction Does Not Exist"
	case 486:
		return "Busy Here"
	case 487:
		return "Request Terminated"
	case 415:
		return "Unsupported Media Type"
	case 488:
		return "Not Acceptable Here"
	case 503:
		return "Service Unavailable"
	default:
		return "Server Internal Error"
	}
}
