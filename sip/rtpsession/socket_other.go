//go:build !linux || !(amd64 || arm64)

package rtpsession

import (
	"net"
	"net/netip"
	"time"
)

// socket is the tick-driven socket of 64-bit Linux, whose recvmmsg layout
// it spells out; elsewhere sessions read in their own goroutine and write
// through the net package.
type socket struct{}

func newSocket(*net.UDPConn) *socket { return nil }

func (*socket) drain(func([]byte, netip.AddrPort, time.Time) bool) bool { return false }

func (*socket) send([]byte, netip.AddrPort) error { return nil }

func (*socket) wait(time.Duration) (bool, error) { return false, nil }

func (*socket) wake() {}

func (*socket) close() error { return nil }
