//go:build linux && (amd64 || arm64)

package rtpsession

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"
)

// run waits only while no tick reads the socket, and then reads what
// arrives as a tick would.
func (so *socket) run(ctx context.Context, s *Session) error {
	stop := context.AfterFunc(ctx, so.wake)
	defer stop()
	s.alive(time.Now())
	// Made once: Read would otherwise allocate a closure per wait.
	readable := func(uintptr) bool { return so.take(s) > 0 }
	polled := false // Run gave the socket to the poller
	for {
		if ctx.Err() != nil || s.closed.Load() {
			return nil
		}
		if so.ticked() {
			if polled {
				polled = false
				if err := so.leavePoller(); err != nil {
					s.log.Debug("rtp socket out of the poller", "err", err)
				}
			}
			if err := so.watch(ctx, s); !errors.Is(err, errTicksStopped) {
				return err
			}
			continue
		}
		if !polled {
			if err := so.enterPoller(); err != nil {
				if ctx.Err() != nil || s.closed.Load() {
					return nil
				}
				return err
			}
			polled = true
		}
		err := so.wait(ctx, s, readable)
		if err == nil {
			continue
		}
		if ctx.Err() != nil || s.closed.Load() || errors.Is(err, net.ErrClosed) {
			return nil
		}
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			return fmt.Errorf("rtpsession: read: %w", err)
		}
		if s.timedOut(time.Now()) {
			return s.timeOut()
		}
	}
}

// wait parks Run in the poller until readable has read something, or until
// the timeout or, at most a second away so that ticks that start while the
// phone is silent are noticed, the next look at the ticks.
func (so *socket) wait(ctx context.Context, s *Session, readable func(uintptr) bool) error {
	so.mu.RLock()
	pc, raw := so.pc, so.raw
	so.mu.RUnlock()
	if pc == nil {
		return net.ErrClosed
	}
	if err := pc.SetReadDeadline(time.Now().Add(min(time.Until(s.lastAlive().Add(s.timeout)), watchInterval))); err != nil {
		return err
	}
	// Looked at after the deadline is set: wake's, from here on, cannot be
	// overwritten.
	if ctx.Err() != nil || s.closed.Load() {
		return nil
	}
	return raw.Read(readable)
}

// watchInterval is how often Run checks the timeout while ticks read the
// socket, and how soon it takes reading back when they stop.
const watchInterval = time.Second

var errTicksStopped = errors.New("rtpsession: ticks stopped")

// ticked reports whether a mixer tick read the socket since the last call.
func (so *socket) ticked() bool {
	t := so.ticks.Load()
	seen := so.ticksSeen
	so.ticksSeen = t
	return t != seen
}

// watch waits while ticks read the socket. It returns errTicksStopped when
// they stop, so that Run reads again, and otherwise what Run returns.
func (so *socket) watch(ctx context.Context, s *Session) error {
	t := time.NewTimer(watchInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.done:
			return nil
		case now := <-t.C:
			if s.timedOut(now) {
				return s.timeOut()
			}
			if !so.ticked() {
				return errTicksStopped
			}
			t.Reset(watchInterval)
		}
	}
}

// tick reads what the tick is about to play, and tells Run that ticks read
// the socket now.
func (so *socket) tick(s *Session) {
	so.feed(s)
	so.ticks.Add(1)
}

// feed hands the session what is queued on the socket. Packets reach the
// jitter buffer with their kernel arrival times, so its jitter estimate is
// the path's and not the tick's.
func (so *socket) feed(s *Session) { so.take(s) }

// take is feed, reporting how many datagrams it read.
func (so *socket) take(s *Session) int {
	s.rxMu.Lock()
	n, alive := so.drain(s.receive)
	s.rxMu.Unlock()
	if alive {
		s.alive(time.Now())
	}
	return n
}

// close shuts the descriptors, then releases conn, which was closed when
// the socket left the poller: that gives the port back.
func (so *socket) close() error {
	err := so.shut()
	if rerr := release(so.ports, so.conn); !errors.Is(rerr, net.ErrClosed) && err == nil {
		err = rerr
	}
	return err
}
