//go:build !linux

package loadgen

import (
	"net"
	"time"
)

func raiseBuffers(c *net.UDPConn, size int) {
	_ = c.SetReadBuffer(size)
	_ = c.SetWriteBuffer(size)
}

// cpuTime is unknown off Linux; the report then shows no CPU cost.
func cpuTime() time.Duration { return 0 }
