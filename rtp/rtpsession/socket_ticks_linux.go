//go:build linux && (amd64 || arm64)

package rtpsession

import (
	"context"
	"errors"
	"net"
	"time"
)

// run waits only while no tick reads the socket, and then reads what
// arrives as a tick would.
func (so *socket) run(ctx context.Context, s *Session) error {
	stop := context.AfterFunc(ctx, so.wake)
	defer stop()
	s.alive(time.Now())
	for {
		if ctx.Err() != nil || s.closed.Load() {
			return nil
		}
		if so.ticked() {
			if err := so.watch(ctx, s); !errors.Is(err, errTicksStopped) {
				return err
			}
			continue
		}
		// Waking once a second at most notices ticks that start while
		// the phone is silent.
		readable, err := so.wait(min(time.Until(s.lastAlive().Add(s.timeout)), watchInterval))
		if err != nil {
			if ctx.Err() != nil || s.closed.Load() {
				return nil
			}
			return err
		}
		if readable {
			so.feed(s)
			continue
		}
		if s.timedOut(time.Now()) {
			return s.timeOut()
		}
	}
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
func (so *socket) feed(s *Session) {
	s.rxMu.Lock()
	alive := so.drain(s.receive)
	s.rxMu.Unlock()
	if alive {
		s.alive(time.Now())
	}
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
