package sip

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
	"unicode/utf8"
)

// maxLoggedBytes bounds each value logged from the SIP side: sipgo logs a
// message it cannot parse whole ("data", up to its 32 KB limit) and errors
// quoting the offending line, so a peer could otherwise write tens of KB
// into the log per datagram. 200 bytes still show the start line and the
// first header or two, which is what tells one sender's junk from another.
const maxLoggedBytes = 200

// logEvery is how often one reason is logged at warning level or above:
// a flood of bad messages is one line a second, not one per message.
const logEvery = time.Second

// maxReasons bounds the rate limiter's memory; reasons are the log calls'
// constant messages, so the bound is only met if a library puts data in
// them, and then the limiter starts over rather than grow.
const maxReasons = 1024

// netLogHandler shortens every value and rate-limits warnings and errors
// per message, for the logs of a server that anyone can send to. Debug and
// info lines only lose length: they are off by default and the flow they
// trace is needed whole.
type netLogHandler struct {
	next slog.Handler
	gate *logGate
}

// guardLogger wraps log's handler in a netLogHandler.
func guardLogger(log *slog.Logger) *slog.Logger {
	return slog.New(&netLogHandler{next: log.Handler(), gate: newLogGate(time.Now)})
}

func (h *netLogHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h *netLogHandler) Handle(ctx context.Context, r slog.Record) error {
	suppressed := 0
	if r.Level >= slog.LevelWarn {
		var ok bool
		if suppressed, ok = h.gate.pass(r.Message); !ok {
			return nil
		}
	}
	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(shorten(a))
		return true
	})
	if suppressed > 0 {
		// How many lines of this reason were left out since the last one.
		out.AddAttrs(slog.Int("suppressed", suppressed))
	}
	return h.next.Handle(ctx, out)
}

func (h *netLogHandler) WithAttrs(as []slog.Attr) slog.Handler {
	short := make([]slog.Attr, len(as))
	for i, a := range as {
		short[i] = shorten(a)
	}
	return &netLogHandler{next: h.next.WithAttrs(short), gate: h.gate}
}

func (h *netLogHandler) WithGroup(name string) slog.Handler {
	return &netLogHandler{next: h.next.WithGroup(name), gate: h.gate}
}

// shorten cuts a's value, and those of a group's members, to
// maxLoggedBytes. Errors, byte slices and Stringers become their cut text,
// since any of them may quote what a peer sent.
func shorten(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, cut(v.String()))
	case slog.KindGroup:
		members := v.Group()
		short := make([]any, len(members))
		for i, m := range members {
			short[i] = shorten(m)
		}
		return slog.Group(a.Key, short...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, cut(x.Error()))
		case []byte:
			return slog.String(a.Key, cut(string(x)))
		case fmt.Stringer:
			return slog.String(a.Key, cut(x.String()))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// cut keeps the first maxLoggedBytes of s, on a rune boundary, and says how
// long s was.
func cut(s string) string {
	if len(s) <= maxLoggedBytes {
		return s
	}
	n := maxLoggedBytes
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return fmt.Sprintf("%s…(%d bytes)", s[:n], len(s))
}

// logGate lets one line per reason through each logEvery and counts the
// others. A count is reported with the next line of its reason, so a flood
// that stops loses its last count; the first line of it was logged.
type logGate struct {
	now func() time.Time

	mu      sync.Mutex
	reasons map[string]*reasonLog
}

type reasonLog struct {
	last       time.Time
	suppressed int
}

func newLogGate(now func() time.Time) *logGate {
	return &logGate{now: now, reasons: make(map[string]*reasonLog)}
}

// pass tells whether a line of reason may be logged now, and if so how many
// were held back before it.
func (g *logGate) pass(reason string) (suppressed int, ok bool) {
	now := g.now()
	g.mu.Lock()
	defer g.mu.Unlock()
	r := g.reasons[reason]
	if r == nil {
		if len(g.reasons) >= maxReasons {
			clear(g.reasons)
		}
		g.reasons[reason] = &reasonLog{last: now}
		return 0, true
	}
	if now.Sub(r.last) < logEvery {
		r.suppressed++
		return 0, false
	}
	suppressed, r.suppressed, r.last = r.suppressed, 0, now
	return suppressed, true
}
