package rtpsession

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/confgw/confgw/audio"
)

// sdpAddr is where SDP claimed the phone would be: a closed port, as
// behind NAT, so nothing the session sends there could reach a test phone.
var sdpAddr = &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9}

func TestSymmetricRTPFollowsTheSource(t *testing.T) {
	obs := &countingObserver{}
	s := startSession(t, Config{Remote: sdpAddr, Observer: obs})
	ph := newPhone(t)
	ph.sendTone(s.LocalAddr(), 1)
	settle(t, s.Session, "latch", func() bool { return s.Stats().Remote == ph.addr().AddrPort() })

	var f audio.Frame
	s.WriteFrame(&f)
	if pkt := ph.recv(); pkt.SSRC != s.tx.w.SSRC() {
		t.Fatalf("phone got SSRC %#x, want the session's %#x", pkt.SSRC, s.tx.w.SSRC())
	}
	if got := obs.latched.Load(); got != 1 {
		t.Errorf("Latched called %d times, want 1", got)
	}
}

func TestLatchMovesOnlyWithNewStream(t *testing.T) {
	tests := []struct {
		name      string
		ssrc      uint32 // of the second device
		host      net.IP // of the second device
		moves     bool
		wantStray uint64
	}{
		{name: "new SSRC from the same host re-latches", ssrc: 0xbeef, host: net.IPv4(127, 0, 0, 1), moves: true},
		{name: "same SSRC is stray", ssrc: 0x5eed, host: net.IPv4(127, 0, 0, 1), wantStray: 1},
		{name: "new SSRC from another host is stray", ssrc: 0xbad, host: net.IPv4(127, 0, 0, 2), wantStray: 1},
		{name: "same SSRC from another host is stray", ssrc: 0x5eed, host: net.IPv4(127, 0, 0, 2), wantStray: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startSession(t, Config{})
			first, second := newPhone(t), newPhoneAt(t, tt.host)
			first.sendTone(s.LocalAddr(), 1)
			settle(t, s.Session, "first latch", func() bool { return s.Stats().Remote == first.addr().AddrPort() })

			second.ssrc = tt.ssrc
			second.sendTone(s.LocalAddr(), 1)
			settle(t, s.Session, "second packet", func() bool {
				st := s.Stats()
				return st.PacketsIn+st.Stray == 2
			})
			want := first.addr().AddrPort()
			if tt.moves {
				want = second.addr().AddrPort()
			}
			if got := s.Stats().Remote; got != want {
				t.Errorf("remote %v, want %v", got, want)
			}
			if stray := s.Stats().Stray; stray != tt.wantStray {
				t.Errorf("stray count %d, want %d", stray, tt.wantStray)
			}
		})
	}
}

func TestSetRemoteLetsNextSourceLatch(t *testing.T) {
	s := startSession(t, Config{})
	first, second := newPhone(t), newPhone(t)
	first.sendTone(s.LocalAddr(), 1)
	settle(t, s.Session, "first latch", func() bool { return s.Stats().Remote == first.addr().AddrPort() })

	// A re-INVITE moved the call; the new device keeps the old SSRC, as a
	// B2BUA in front of it would.
	s.SetRemote(second.addr())
	second.sendTone(s.LocalAddr(), 1)
	settle(t, s.Session, "second packet", func() bool { return s.Stats().PacketsIn == 2 })
	if st := s.Stats(); st.Remote != second.addr().AddrPort() || st.Stray != 0 {
		t.Errorf("after SetRemote: remote %v stray %d, want %v and 0", st.Remote, st.Stray, second.addr())
	}
}

func TestDigitsReportedOnceAndNeverPlayed(t *testing.T) {
	const eventPT = 101
	digits := make(chan rune, 16)
	s := startSession(t, Config{TelephoneEventPT: eventPT, OnDigit: func(r rune) { digits <- r }})
	ph := newPhone(t)
	for _, d := range []byte("5#") {
		ph.sendKey(s.LocalAddr(), eventPT, d)
	}
	// A packet of another type, sent last, marks when all events are in:
	// the loop handles packets in order.
	ph.sendAudio(s.LocalAddr(), 13, []byte{0x40})
	settle(t, s.Session, "events handled", func() bool { return s.Stats().WrongPayloadType == 1 })

	var got []rune
	for len(digits) > 0 {
		got = append(got, <-digits)
	}
	if string(got) != "5#" {
		t.Errorf("digits %q, want %q", string(got), "5#")
	}
	if st := s.Stats(); st.Digits != 2 || st.JitterDepth != 0 || st.BadFrames != 0 {
		t.Errorf("Digits %d, jitter depth %d, bad frames %d; want 2, 0 and 0", st.Digits, st.JitterDepth, st.BadFrames)
	}
	var f audio.Frame
	for i := range 10 {
		if s.ReadFrame(&f) {
			t.Fatalf("tick %d: telephone-events came out as audio", i)
		}
	}
}

func TestIgnoredPackets(t *testing.T) {
	tests := []struct {
		name   string
		packet func(ph *phone, to *net.UDPAddr)
		reason DropReason
	}{
		{"PCMA on a PCMU leg", func(ph *phone, to *net.UDPAddr) {
			ph.sendAudio(to, audio.PCMA.PayloadType, levelFrame(1000))
		}, DropPayloadType},
		{"undeclared telephone-event", func(ph *phone, to *net.UDPAddr) {
			ph.sendAudio(to, 101, []byte{5, 0x8a, 0, 160})
		}, DropPayloadType},
		{"not RTP", func(ph *phone, to *net.UDPAddr) {
			if _, err := ph.conn.WriteToUDP([]byte{0x00, 0x01, 0x00, 0x00}, to); err != nil {
				t.Fatal(err)
			}
		}, DropMalformed},
		{"12.5 ms packet", func(ph *phone, to *net.UDPAddr) {
			ph.sendAudio(to, audio.PCMU.PayloadType, levelFrame(1000)[:100])
		}, DropFrameSize},
		{"empty packet", func(ph *phone, to *net.UDPAddr) {
			ph.sendAudio(to, audio.PCMU.PayloadType, nil)
		}, DropFrameSize},
		{"75 ms packet", func(ph *phone, to *net.UDPAddr) {
			ph.sendAudio(to, audio.PCMU.PayloadType, make([]byte, 600))
		}, DropFrameSize},
		{"70 ms packet", func(ph *phone, to *net.UDPAddr) {
			ph.sendAudio(to, audio.PCMU.PayloadType, make([]byte, 560))
		}, DropFrameSize},
		{"15 ms packet", func(ph *phone, to *net.UDPAddr) {
			ph.sendAudio(to, audio.PCMU.PayloadType, make([]byte, 120))
		}, DropFrameSize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs := &countingObserver{}
			s := startSession(t, Config{Observer: obs})
			ph := newPhone(t)
			for range 4 {
				tt.packet(ph, s.LocalAddr())
			}
			settle(t, s.Session, "drops", func() bool { return obs.dropped[tt.reason].Load() == 4 })
			var f audio.Frame
			for i := range 6 {
				if s.ReadFrame(&f) {
					t.Fatalf("tick %d: ignored packets were played", i)
				}
			}
			if tt.reason != DropFrameSize && s.Stats().Remote.IsValid() {
				t.Error("an ignored packet latched the destination")
			}
		})
	}
}

func TestTimeoutEndsRun(t *testing.T) {
	timedOut := make(chan struct{})
	s := startSession(t, Config{Timeout: 200 * time.Millisecond, OnTimeout: func() { close(timedOut) }})
	select {
	case <-timedOut:
	case <-time.After(hang):
		t.Fatal("OnTimeout never called")
	}
	if err := s.wait(t); !errors.Is(err, ErrTimeout) {
		t.Errorf("Run returned %v, want ErrTimeout", err)
	}
}

func TestRunEnds(t *testing.T) {
	tests := []struct {
		name string
		end  func(s *Session, cancel context.CancelFunc)
	}{
		{"context cancelled", func(_ *Session, cancel context.CancelFunc) { cancel() }},
		{"closed", func(s *Session, _ context.CancelFunc) { _ = s.Close() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSession(t, Config{})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- s.Run(ctx) }()
			tt.end(s, cancel)
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run returned %v, want nil", err)
				}
			case <-time.After(hang):
				t.Fatal("Run did not return")
			}
			if err := s.Run(ctx); !errors.Is(err, ErrRunning) {
				t.Errorf("second Run returned %v, want ErrRunning", err)
			}
		})
	}
}
