package rtpsession

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confgw/confgw/audio"
)

// tickOnce plays one tick for s, as a room mixer does.
func tickOnce(s *Session) {
	var f audio.Frame
	s.ReadFrame(&f)
	s.WriteFrame(&f)
}

func TestTickReadsWhatArrivedSinceTheLastTick(t *testing.T) {
	// No Run: only the tick can have read the packets.
	s := newSession(t, Config{})
	ph := newPhone(t)
	ph.sendTone(s.LocalAddr(), 3)
	// No waiting: loopback has queued the packets by the time sendto
	// returns.
	tickOnce(s)
	if got := s.Stats().PacketsIn; got != 3 {
		t.Fatalf("a tick read %d packets of 3 queued", got)
	}
	if s.Stats().Remote != ph.addr().AddrPort() {
		t.Fatalf("latched %v, want %v", s.Stats().Remote, ph.addr())
	}
}

func TestRunReadsAgainWhenTicksStop(t *testing.T) {
	s := newSession(t, Config{})
	// Ticks before Run starts: Run first leaves the socket to them, and
	// must take it back once they stop.
	for range 3 {
		tickOnce(s)
	}
	r := runSession(t, s)
	newPhone(t).sendTone(s.LocalAddr(), 1)
	eventually(t, "Run to take reading back", func() bool { return r.Stats().PacketsIn == 1 })
}

func TestTimeoutWhileTicked(t *testing.T) {
	var timedOut atomic.Bool
	s := newSession(t, Config{Timeout: 300 * time.Millisecond, OnTimeout: func() { timedOut.Store(true) }})
	// A tick before Run starts: Run leaves reading to the ticks from its
	// first look, and only watches the clock.
	tickOnce(s)
	stop := make(chan struct{})
	ticked := make(chan struct{})
	go func() {
		defer close(ticked)
		for {
			select {
			case <-stop:
				return
			case <-time.After(audio.FrameDuration):
				tickOnce(s)
			}
		}
	}()
	defer func() { close(stop); <-ticked }()
	ran := make(chan error, 1)
	go func() { ran <- s.Run(t.Context()) }()
	select {
	case err := <-ran:
		if !errors.Is(err, ErrTimeout) || !timedOut.Load() {
			t.Fatalf("Run returned %v, OnTimeout called: %v", err, timedOut.Load())
		}
	case <-time.After(hang):
		t.Fatal("no timeout while ticked")
	}
}
