package sip

import (
	"errors"
	"fmt"
	"mime"
	"strconv"
	"strings"

	sipmsg "github.com/emiago/sipgo/sip"
)

// KeyReceiver is a Renegotiator that also takes the keys a peer sends in
// SIP INFO, as many PBXs do instead of RFC 4733 events. Key must return at
// once.
type KeyReceiver interface {
	Key(d rune)
}

// DefaultMaxInfoBody bounds the body of an INFO: a key in
// application/dtmf-relay ("Signal=5\r\nDuration=160\r\n") is some 30
// bytes, so ten times that leaves room for any spelling of it.
const DefaultMaxInfoBody = 256

// The bodies of INFO the gateway reads keys from.
const (
	mediaDTMFRelay = "application/dtmf-relay"
	mediaDTMF      = "application/dtmf"
)

var (
	errInfoSyntax  = errors.New("malformed DTMF body")
	errInfoUnknown = errors.New("unsupported INFO body")
)

// info answers an INFO inside the call. Legacy INFO (no Info-Package, RFC
// 6086 §9) is what PBXs send keys with: an empty one is a keep-alive and
// gets 200, a key in application/dtmf-relay or application/dtmf gets 200
// and goes to the call's KeyReceiver, any other body 415. An INFO naming
// an Info-Package gets 469, since the gateway offers none. The body is
// the peer's to choose: it is bounded, parsed strictly and never logged.
func (c *Call) info(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	seq := req.CSeq().SeqNo
	c.mu.Lock()
	switch {
	case c.cause != nil:
		c.mu.Unlock()
		c.srv.reply(req, tx, 481, "Call/Transaction Does Not Exist")
		return
	case c.remoteSeq != 0 && seq <= c.remoteSeq:
		c.mu.Unlock()
		c.srv.reply(req, tx, 500, "CSeq Out of Order")
		return
	}
	c.remoteSeq = seq
	keys, _ := c.reneg.(KeyReceiver)
	c.mu.Unlock()

	if req.GetHeader("Info-Package") != nil {
		c.srv.reply(req, tx, 469, "Bad Info Package")
		return
	}
	body := req.Body()
	if len(body) == 0 {
		c.srv.reply(req, tx, 200, "OK")
		return
	}
	if len(body) > c.srv.cfg.maxInfoBody {
		c.srv.log.Info("INFO refused", "call_id", c.callID, "status", 413, "bytes", len(body))
		c.srv.reply(req, tx, 413, "Request Entity Too Large")
		return
	}
	var ct string
	if h := req.GetHeader("Content-Type"); h != nil {
		ct = h.Value()
	}
	d, err := parseKey(ct, body)
	switch {
	case errors.Is(err, errInfoUnknown):
		c.srv.reply(req, tx, 415, "", sipmsg.NewHeader("Accept", mediaDTMFRelay+", "+mediaDTMF))
		return
	case err != nil:
		c.srv.log.Info("INFO refused", "call_id", c.callID, "status", 400, "error", err)
		c.srv.reply(req, tx, 400, "Malformed DTMF Body")
		return
	}
	c.srv.reply(req, tx, 200, "OK")
	if keys != nil {
		keys.Key(d)
	}
}

// parseKey reads the one key of an INFO body of Content-Type ct.
func parseKey(ct string, body []byte) (rune, error) {
	media, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return 0, errInfoUnknown
	}
	switch media {
	case mediaDTMFRelay:
		return parseDTMFRelay(string(body))
	case mediaDTMF:
		return parseSignal(strings.TrimRight(string(body), "\r\n"))
	}
	return 0, errInfoUnknown
}

// parseDTMFRelay reads an application/dtmf-relay body: "Signal=" a key and
// an optional "Duration=" in milliseconds, one per line, names in any
// case. Anything else, or either twice, is refused.
func parseDTMFRelay(body string) (rune, error) {
	var key rune
	var signal, duration bool
	for line := range strings.Lines(body) {
		line = strings.TrimRight(line, "\r\n")
		if strings.TrimSpace(line) == "" {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			return 0, errInfoSyntax
		}
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		switch {
		case strings.EqualFold(name, "Signal") && !signal:
			d, err := parseSignal(value)
			if err != nil {
				return 0, err
			}
			key, signal = d, true
		case strings.EqualFold(name, "Duration") && !duration:
			if n, err := strconv.Atoi(value); err != nil || n < 0 || n > 60000 || len(value) > 5 {
				return 0, errInfoSyntax
			}
			duration = true
		default:
			return 0, errInfoSyntax
		}
	}
	if !signal {
		return 0, errInfoSyntax
	}
	return key, nil
}

// parseSignal reads one key: 0-9, *, #, A-D, or 10 and 11 as some PBXs
// spell * and # (the RFC 4733 event numbers).
func parseSignal(s string) (rune, error) {
	switch s {
	case "10":
		return '*', nil
	case "11":
		return '#', nil
	}
	if len(s) != 1 {
		return 0, errInfoSyntax
	}
	d := rune(s[0])
	switch {
	case d >= '0' && d <= '9', d == '*', d == '#':
		return d, nil
	case d >= 'A' && d <= 'D':
		return d, nil
	case d >= 'a' && d <= 'd':
		return d - 'a' + 'A', nil
	}
	return 0, errInfoSyntax
}

// WithMaxInfoBody bounds the body of an INFO inside a call
// (DefaultMaxInfoBody by default); a larger one is answered 413 unread.
func WithMaxInfoBody(n int) Option {
	return func(c *config) error {
		if n < 32 {
			return fmt.Errorf("%w: maximum INFO body %d under 32 bytes", ErrInvalidLimit, n)
		}
		c.maxInfoBody = n
		return nil
	}
}

func (s *Server) onInfo(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	c := s.calls.match(req)
	if c == nil {
		s.reply(req, tx, 481, "")
		return
	}
	c.info(req, tx)
}
