package rtpsession

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confgw/confgw/conference/mixer"
)

// tickOnce plays one tick for s, as a room mixer does.
func tickOnce(s *Session) {
	var f mixer.Frame
	s.ReadFrame(&f)
	s.WriteFrame(&f)
}

func TestTickReadsWhatArrivedSinceTheLastTick(t *testing.T) {
	s := startSession(t, Config{})
	tickOnce(s.Session)
	ph := newPhone(t)
	ph.sendTone(s.LocalAddr(), 3)
	// No waiting: loopback has queued the packets by the time sendto
	// returns, and the tick reads them itself.
	tickOnce(s.Session)
	if got := s.Stats().PacketsIn; got != 3 {
		t.Fatalf("a tick read %d packets of 3 queued", got)
	}
	if s.Stats().Remote != ph.addr().AddrPort() {
		t.Fatalf("latched %v, want %v", s.Stats().Remote, ph.addr())
	}
}

func TestTickKeepsTheKernelArrivalTimes(t *testing.T) {
	s := startSession(t, Config{})
	tickOnce(s.Session)
	ph := newPhone(t)
	// Two packets 20 ms apart in media time but at least 60 ms apart on
	// the wire, read by one tick: only their arrival times show the 40 ms
	// of jitter (RFC 3550 smooths it by 1/16), while reading them together
	// would show 20 ms.
	ph.sendTone(s.LocalAddr(), 1)
	time.Sleep(60 * time.Millisecond)
	ph.sendTone(s.LocalAddr(), 1)
	tickOnce(s.Session)
	if j := s.Stats().Jitter; j < 2400*time.Microsecond {
		t.Fatalf("jitter %v: the arrival times were not the kernel's", j)
	}
}

func TestRunReadsAgainWhenTicksStop(t *testing.T) {
	s := startSession(t, Config{})
	ph := newPhone(t)
	for range 3 {
		tickOnce(s.Session)
	}
	ph.sendTone(s.LocalAddr(), 1)
	eventually(t, "Run to take reading back", func() bool { return s.Stats().PacketsIn == 1 })
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
			case <-time.After(mixer.Tick):
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
