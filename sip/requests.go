package sip

import (
	"errors"
	"log/slog"
	"runtime/debug"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"
)

// guard keeps one bad request from taking the server down: whatever a
// handler trips over, the request gets a 500 and the process goes on.
func (s *Server) guard(h sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
		defer func() {
			if r := recover(); r != nil {
				// The stack is ours and needed whole: the unguarded logger.
				s.cfg.logger.Error("SIP handler panicked", "method", cut(string(req.Method)), "panic", r, "stack", string(debug.Stack()))
				if !req.IsAck() {
					_ = tx.Respond(sipmsg.NewResponseFromRequest(req, 500, "Server Internal Error", nil))
				}
			}
		}()
		if name := repeatedField(req); name != "" {
			// An ACK gets no answer; it matches nothing either way.
			if !req.IsAck() {
				s.reply(req, tx, 400, "Multiple "+name+" header fields")
			}
			return
		}
		h(req, tx)
	}
}

func respond(log *slog.Logger, req *sipmsg.Request, tx sipmsg.ServerTransaction, status int, reason string, hdrs ...sipmsg.Header) {
	res := sipmsg.NewResponseFromRequest(req, status, reasonPhrase(status, reason), nil)
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	if err := tx.Respond(res); err != nil {
		log.Debug("responding", "method", req.Method, "status", status, "error", err)
	}
}

func (s *Server) reply(req *sipmsg.Request, tx sipmsg.ServerTransaction, status int, reason string, hdrs ...sipmsg.Header) {
	respond(s.log, req, tx, status, reason, hdrs...)
	s.observe(true, status)
}

func (s *Server) onInvite(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	if _, err := sdpBody(req); err != nil {
		s.reply(req, tx, 415, "", sipmsg.NewHeader("Accept", "application/sdp"))
		return
	}
	if to := req.To(); to != nil && to.Params.Has("tag") {
		c := s.calls.match(req)
		if c == nil {
			s.reply(req, tx, 481, "")
			return
		}
		c.reinvite(req, tx)
		return
	}
	if !s.enter() {
		s.reply(req, tx, 503, "")
		return
	}
	defer s.handlers.Done()
	s.mu.Lock()
	h := s.handler
	s.mu.Unlock()
	if h == nil {
		s.reply(req, tx, 480, "")
		return
	}
	if req.Contact() == nil || req.From() == nil || req.CallID() == nil {
		s.reply(req, tx, 400, "Missing Contact, From or Call-ID")
		return
	}
	dlg, err := s.dialogs.ReadInvite(req, tx)
	if err != nil {
		s.log.Info("unreadable INVITE", "error", err)
		s.reply(req, tx, 400, "")
		return
	}
	c := newCall(s, dlg.ID, req.Transport(), req)
	c.uas = dlg
	c.remoteSeq = req.CSeq().SeqNo
	s.calls.add(c)
	in := newIncoming(s, req, tx, dlg, c)
	defer func() {
		in.mu.Lock()
		final := in.final
		in.mu.Unlock()
		if !final {
			s.log.Warn("INVITE left unanswered by its handler", "call_id", c.callID)
			_ = in.Reject(500, "")
		}
	}()
	h.ServeInvite(in)
}

func (s *Server) onAck(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	if c := s.calls.match(req); c != nil {
		c.readAck(req, tx)
	}
}

func (s *Server) onBye(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	// A BYE may overtake the ACK of our 2xx (UDP keeps no order): it still
	// ends the dialog (RFC 3261 §15.1.2), and the late ACK finds no call.
	c := s.calls.match(req)
	if c == nil {
		s.reply(req, tx, 481, "")
		return
	}
	if err := c.readBye(req, tx); err != nil {
		s.log.Info("BYE refused", "call_id", c.callID, "error", err)
		s.reply(req, tx, 400, "")
		return
	}
	s.observe(true, 200)
}

// onCancel sees only CANCELs that matched no INVITE transaction: sipgo's
// transaction layer answers the others itself (200, then 487 to the INVITE).
func (s *Server) onCancel(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	s.reply(req, tx, 481, "")
}

func (s *Server) onOptions(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	s.reply(req, tx, 200, "OK",
		sipmsg.NewHeader("Allow", allowedMethods),
		sipmsg.NewHeader("Accept", "application/sdp"))
}

func (s *Server) onNoRoute(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	s.reply(req, tx, 405, "", sipmsg.NewHeader("Allow", allowedMethods))
}

// onStrayResponse re-acknowledges a 200 to one of our INVITEs that arrives
// after its transaction is gone: without the ACK the peer keeps resending it
// and finally drops the call.
func (s *Server) onStrayResponse(res *sipmsg.Response) {
	cseq := res.CSeq()
	if cseq == nil || cseq.MethodName != sipmsg.INVITE || !res.IsSuccess() {
		return
	}
	id, err := sipmsg.DialogIDFromResponse(res)
	if err != nil {
		return
	}
	c := s.calls.get(id)
	if c == nil || c.uac == nil || !c.established.Load() {
		return
	}
	if err := c.uac.Ack(s.runCtx); err != nil && !errors.Is(err, s.runCtx.Err()) {
		s.log.Info("re-ACK of a retransmitted 200", "call_id", c.callID, "error", err)
	}
}
