package sip

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"
)

// Call is an established dialog, whichever side placed it: it ends on a BYE
// from either side, and answers the peer's re-INVITEs through its
// Renegotiator.
type Call struct {
	srv       *Server
	id        string
	callID    string
	transport string
	// source is where the peer's first request came from (host:port): over
	// TCP, the connection that must outlive the idle timeout for the call.
	source string
	uas    *sipgo.DialogServerSession
	uac    *sipgo.DialogClientSession

	mu         sync.Mutex
	reneg      Renegotiator
	confirmed  bool
	ackBody    []byte
	remoteSeq  uint32
	pending    map[uint32]chan []byte
	reinviting bool
	cause      error

	done chan struct{}
	// acked is signalled when the ACK of the dialog's first 2xx arrives.
	acked       chan struct{}
	hangingUp   atomic.Bool
	established atomic.Bool
}

func newCall(srv *Server, id, transport string, req *sipmsg.Request) *Call {
	c := &Call{
		srv: srv, id: id, transport: transport, source: req.Source(),
		pending: map[uint32]chan []byte{},
		done:    make(chan struct{}),
		acked:   make(chan struct{}, 1),
	}
	if h := req.CallID(); h != nil {
		c.callID = h.Value()
	}
	return c
}

// ID is the dialog's id (Call-ID and both tags).
func (c *Call) ID() string { return c.id }

// CallID is the SIP Call-ID, for logs.
func (c *Call) CallID() string { return c.callID }

// Done is closed when the call is over.
func (c *Call) Done() <-chan struct{} { return c.done }

// Err tells why the call ended: ErrRemoteHangUp, ErrLocalHangUp, ErrNoAck;
// nil while it lasts.
func (c *Call) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cause
}

// SetRenegotiator routes the peer's later offers to r.
func (c *Call) SetRenegotiator(r Renegotiator) {
	c.mu.Lock()
	c.reneg = r
	c.mu.Unlock()
}

// HangUp sends BYE and ends the call; it returns once the peer answered the
// BYE or ctx ended. Calling it again, or after the call ended, does nothing.
func (c *Call) HangUp(ctx context.Context) error {
	select {
	case <-c.done:
		return nil
	default:
	}
	if !c.established.Load() {
		return fmt.Errorf("hanging up %s: %w", c.callID, errNotEstablished)
	}
	if !c.hangingUp.CompareAndSwap(false, true) {
		return nil
	}
	err := c.sendBye(ctx)
	c.end(ErrLocalHangUp)
	return err
}

// sendBye sends BYE and waits for its answer, whether or not the call has
// already ended on our side.
func (c *Call) sendBye(ctx context.Context) error {
	bye := sipmsg.NewRequest(sipmsg.BYE, c.remoteTarget())
	bye.SetTransport(c.transport)
	bye.AppendHeader(c.srv.contact(c.transport))
	c.srv.bindLocal(bye)
	var err error
	if c.uas != nil {
		err = c.uas.WriteBye(ctx, bye)
	} else {
		err = c.uac.WriteBye(ctx, bye)
	}
	if err != nil {
		return fmt.Errorf("sending BYE on %s: %w", c.callID, err)
	}
	return nil
}

// byeUnacknowledged ends a dialog whose 2xx was never acknowledged. sipgo's
// WriteBye would wait for the ACK or the INVITE transaction's end (32 s),
// and once that transaction ends sipgo takes the dialog for never
// answered and sends nothing; so the BYE goes out as a plain request in the
// dialog, and the INVITE transaction ends after it, since nothing it could
// still receive matters.
func (c *Call) byeUnacknowledged(ctx context.Context, invite sipmsg.ServerTransaction) error {
	defer invite.Terminate()
	bye := sipmsg.NewRequest(sipmsg.BYE, c.remoteTarget())
	bye.SetTransport(c.transport)
	bye.AppendHeader(c.srv.contact(c.transport))
	c.srv.bindLocal(bye)
	tx, err := c.uas.TransactionRequest(ctx, bye)
	if err != nil {
		return fmt.Errorf("sending BYE on %s: %w", c.callID, err)
	}
	defer tx.Terminate()
	select {
	case <-tx.Responses():
		return nil
	case <-tx.Done():
		return fmt.Errorf("BYE on %s: %w", c.callID, tx.Err())
	case <-ctx.Done():
		return fmt.Errorf("BYE on %s: %w", c.callID, ctx.Err())
	}
}

func (c *Call) remoteTarget() sipmsg.Uri {
	if c.uas != nil {
		return *c.uas.InviteRequest.Contact().Address.Clone()
	}
	if res := c.uac.InviteResponse; res != nil {
		if ct := res.Contact(); ct != nil {
			return *ct.Address.Clone()
		}
	}
	return *c.uac.InviteRequest.Recipient.Clone()
}

func (c *Call) end(cause error) {
	c.mu.Lock()
	if c.cause != nil {
		c.mu.Unlock()
		return
	}
	c.cause = cause
	c.mu.Unlock()
	// Out of the server's count before Done says the call ended, so that
	// whoever waits on Done sees the server without it.
	c.srv.calls.remove(c)
	close(c.done)
	if c.uas != nil {
		_ = c.uas.Close()
	} else {
		_ = c.uac.Close()
	}
}

func (c *Call) readBye(req *sipmsg.Request, tx sipmsg.ServerTransaction) error {
	var err error
	if c.uas != nil {
		err = c.uas.ReadBye(req, tx)
	} else {
		err = c.uac.ReadBye(req, tx)
	}
	if err != nil {
		return err
	}
	c.end(ErrRemoteHangUp)
	return nil
}

// readAck hands an ACK to whoever waits for it: a re-INVITE's 200, or the
// dialog's first 200 (whose ACK may carry the answer to a late offer).
func (c *Call) readAck(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	seq := req.CSeq().SeqNo
	c.mu.Lock()
	if ch, ok := c.pending[seq]; ok {
		delete(c.pending, seq)
		c.mu.Unlock()
		ch <- append([]byte(nil), req.Body()...)
		return
	}
	if c.uas == nil || c.confirmed {
		c.mu.Unlock()
		return
	}
	c.ackBody = append([]byte(nil), req.Body()...)
	c.mu.Unlock()
	if err := c.uas.ReadAck(req, tx); err != nil {
		c.srv.log.Warn("ACK does not match the dialog", "call_id", c.callID, "error", err)
		return
	}
	select {
	case c.acked <- struct{}{}:
	default: // a retransmitted ACK: the first one is waiting already
	}
}

func (c *Call) confirm() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.confirmed = true
	c.established.Store(true)
	return c.ackBody
}

// reinvite answers an offer inside the dialog (RFC 3261 §14.2).
func (c *Call) reinvite(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	seq := req.CSeq().SeqNo
	c.mu.Lock()
	switch {
	case c.cause != nil:
		c.mu.Unlock()
		respond(c.srv.log, req, tx, 481, "Call/Transaction Does Not Exist")
		return
	case c.remoteSeq != 0 && seq <= c.remoteSeq:
		c.mu.Unlock()
		respond(c.srv.log, req, tx, 500, "CSeq Out of Order")
		return
	case c.reinviting:
		c.mu.Unlock()
		respond(c.srv.log, req, tx, 491, "Request Pending")
		return
	}
	c.remoteSeq = seq
	c.reinviting = true
	reneg := c.reneg
	ack := make(chan []byte, 1)
	c.pending[seq] = ack
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.reinviting = false
		delete(c.pending, seq)
		c.mu.Unlock()
	}()

	if reneg == nil {
		respond(c.srv.log, req, tx, 488, "Not Acceptable Here")
		return
	}
	offer, _ := sdpBody(req) // onInvite refused any other body
	sdp, err := reneg.Reoffer(offer)
	if err != nil {
		c.srv.log.Info("re-INVITE refused", "call_id", c.callID, "error", err)
		respond(c.srv.log, req, tx, 488, "Not Acceptable Here")
		return
	}
	res := sipmsg.NewSDPResponseFromRequest(req, sdp)
	res.AppendHeader(c.srv.contact(c.transport))
	if err := tx.Respond(res); err != nil {
		c.srv.log.Warn("answering re-INVITE", "call_id", c.callID, "error", err)
		return
	}
	body, ok := c.awaitAck(ack, tx, res)
	if ok && len(offer) == 0 {
		reneg.Reanswer(body)
	}
}

// awaitAck retransmits a 2xx until its ACK arrives: after the 2xx the
// transaction leaves that to us (RFC 6026).
func (c *Call) awaitAck(ack <-chan []byte, tx sipmsg.ServerTransaction, res *sipmsg.Response) ([]byte, bool) {
	giveUp := time.NewTimer(64 * sipmsg.T1)
	defer giveUp.Stop()
	interval := sipmsg.T1
	resend := time.NewTimer(interval)
	defer resend.Stop()
	reliable := sipmsg.IsReliable(c.transport)
	for {
		select {
		case body := <-ack:
			return body, true
		case <-resend.C:
			if !reliable {
				_ = tx.Respond(res)
			}
			interval = min(2*interval, sipmsg.T2)
			resend.Reset(interval)
		case <-giveUp.C:
			return nil, false
		case <-c.done:
			return nil, false
		}
	}
}
