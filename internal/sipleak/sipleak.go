// Package sipleak is the goroutine-leak check for tests that run sipgo
// peers. sipgo v1.7 handles each request in a goroutine it does not track;
// one still running when its user agent closes can open a UDP socket (and a
// reader on it) after the agent cleared its pool, which no one can close.
// That reader, and only that one, is not counted as our leak.
package sipleak

import (
	"testing"

	"go.uber.org/goleak"
)

// Options are the goleak options for packages with sipgo peers.
func Options() []goleak.Option {
	return []goleak.Option{
		goleak.IgnoreAnyFunction("github.com/emiago/sipgo/sip.(*TransportUDP).readUDPConnection"),
	}
}

// VerifyTestMain is goleak.VerifyTestMain with Options.
func VerifyTestMain(m *testing.M) { goleak.VerifyTestMain(m, Options()...) }
