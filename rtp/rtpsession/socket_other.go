//go:build !linux || !(amd64 || arm64)

package rtpsession

import "net"

// tickedTransport is nil here: the tick-driven socket spells out the
// recvmmsg layout of 64-bit Linux, and elsewhere sessions read in their own
// goroutine and write through the net package.
func tickedTransport(*net.UDPConn, *Ports) transport { return nil }
