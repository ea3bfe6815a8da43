package rtpsession

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// writeTimeout bounds a send when the socket buffer is full. A full buffer
// means the host is drowning; dropping one packet is better than holding up
// every other leg of the room.
const writeTimeout = 2 * time.Millisecond

// maxReadErrors bounds how many failed reads in a row are shrugged off;
// a socket that keeps failing would otherwise spin the loop.
const maxReadErrors = 64

// portableConn is the transport every platform has: a net.UDPConn in Go's
// poller, read by Run in a goroutine of its own and written by the tick.
type portableConn struct {
	conn  *net.UDPConn
	ports *Ports
}

func (c *portableConn) run(ctx context.Context, s *Session) error {
	// An expired deadline is the only way to wake a blocked read without
	// closing the socket, which Close owns.
	stop := context.AfterFunc(ctx, func() { _ = c.conn.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()

	s.alive(time.Now())
	// Only this path reads into a buffer of the session's own; ticks
	// borrow theirs from a pool.
	buf := make([]byte, readBufferSize)
	failures := 0
	for {
		if err := c.conn.SetReadDeadline(s.lastAlive().Add(s.timeout)); err != nil {
			return readEnded(ctx, err)
		}
		// Checked after setting the deadline: cancellation from here on
		// overrides it through AfterFunc.
		if ctx.Err() != nil {
			return nil
		}
		n, from, err := c.conn.ReadFromUDPAddrPort(buf)
		if err == nil {
			failures = 0
			now := time.Now()
			s.rxMu.Lock()
			ok := s.receive(buf[:n], from, now)
			s.rxMu.Unlock()
			if ok {
				s.alive(now)
			}
			continue
		}
		if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
			return nil
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			if s.timedOut(time.Now()) {
				return s.timeOut()
			}
			continue
		}
		if failures++; failures >= maxReadErrors {
			return fmt.Errorf("rtpsession: read: %w", err)
		}
		s.log.Debug("rtp read failed", "err", err)
	}
}

// tick has nothing to read: Run has handed every packet over as it came.
func (*portableConn) tick(*Session) {}

func (c *portableConn) send(b []byte, to netip.AddrPort) error {
	_ = c.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	_, err := c.conn.WriteToUDPAddrPort(b, to)
	return err
}

func (c *portableConn) close() error { return release(c.ports, c.conn) }

func readEnded(ctx context.Context, err error) error {
	if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return fmt.Errorf("rtpsession: read deadline: %w", err)
}
