package webrtc

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/pion/logging"
)

// pionLogs sends pion's own logging to the server's logger at debug level.
// pion reports from deep inside ICE, DTLS and SRTP, often about a peer's
// packets (a closed socket at shutdown, a stray STUN request) and with
// the peer's data in the text: an operator learns what matters from the
// session's end and its reason, logged once by the session.
type pionLogs struct{ log *slog.Logger }

// NewLogger returns the logger of one pion subsystem.
func (p pionLogs) NewLogger(scope string) logging.LeveledLogger {
	return pionScope{log: p.log.With("pion", scope)}
}

type pionScope struct{ log *slog.Logger }

func (s pionScope) emit(msg string) {
	// Bounded: a hostile peer's bytes can end up in pion's messages.
	const most = 200
	if len(msg) > most {
		msg = msg[:most] + "…"
	}
	s.log.Debug(msg)
}

func (s pionScope) enabled() bool { return s.log.Enabled(context.Background(), slog.LevelDebug) }

func (s pionScope) logf(format string, args ...any) {
	if s.enabled() {
		s.emit(fmt.Sprintf(format, args...))
	}
}

func (s pionScope) Trace(string)              {}
func (s pionScope) Tracef(string, ...any)     {}
func (s pionScope) Debug(msg string)          { s.emit(msg) }
func (s pionScope) Debugf(f string, a ...any) { s.logf(f, a...) }
func (s pionScope) Info(msg string)           { s.emit(msg) }
func (s pionScope) Infof(f string, a ...any)  { s.logf(f, a...) }
func (s pionScope) Warn(msg string)           { s.emit(msg) }
func (s pionScope) Warnf(f string, a ...any)  { s.logf(f, a...) }
func (s pionScope) Error(msg string)          { s.emit(msg) }
func (s pionScope) Errorf(f string, a ...any) { s.logf(f, a...) }
