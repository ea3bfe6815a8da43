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

// One packet from another source never moves the latch, whatever its
// SSRC and host; the latched source may start a new stream.
func TestOnePacketFromAnotherSourceNeverMovesTheLatch(t *testing.T) {
	tests := []struct {
		name      string
		ssrc      uint32 // of the second device
		host      net.IP // of the second device
		same      bool   // the second stream comes from the latched socket itself
		moves     bool
		wantStray uint64
	}{
		{name: "a new SSRC from the latched address is a new stream", ssrc: 0xbeef, host: net.IPv4(127, 0, 0, 1), same: true},
		{name: "a new SSRC from another port of the same host is stray", ssrc: 0xbeef, host: net.IPv4(127, 0, 0, 1), wantStray: 1},
		{name: "the same SSRC from another port is stray", ssrc: 0x5eed, host: net.IPv4(127, 0, 0, 1), wantStray: 1},
		{name: "a new SSRC from another host is stray", ssrc: 0xbad, host: net.IPv4(127, 0, 0, 2), wantStray: 1},
		{name: "the same SSRC from another host is stray", ssrc: 0x5eed, host: net.IPv4(127, 0, 0, 2), wantStray: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startSession(t, Config{})
			first := newPhone(t)
			first.sendTone(s.LocalAddr(), 1)
			settle(t, s.Session, "first latch", func() bool { return s.Stats().Remote == first.addr().AddrPort() })

			second := first
			if !tt.same {
				second = newPhoneAt(t, tt.host)
			}
			second.ssrc = tt.ssrc
			second.sendTone(s.LocalAddr(), 1)
			settle(t, s.Session, "second packet", func() bool {
				st := s.Stats()
				return st.PacketsIn+st.Stray == 2
			})
			if got, want := s.Stats().Remote, first.addr().AddrPort(); got != want {
				t.Errorf("remote %v, want %v", got, want)
			}
			if stray := s.Stats().Stray; stray != tt.wantStray {
				t.Errorf("stray count %d, want %d", stray, tt.wantStray)
			}
		})
	}
}

// A stranger on the phone's own host, on another port and with its own
// SSRC, sends a steady stream while the phone talks, and again once the
// phone falls silent: it never takes the leg. The room hears the phone
// only, and only the phone hears the room.
func TestAStrangerOnThePhonesHostNeverTakesTheLeg(t *testing.T) {
	s := startSession(t, Config{})
	ph, stranger := newPhone(t), newPhone(t)
	stranger.ssrc, stranger.seq = 0xbad, 7
	ph.sendTone(s.LocalAddr(), 1)
	settle(t, s.Session, "latch", func() bool { return s.Stats().Remote == ph.addr().AddrPort() })

	const n = 3 * latchRun
	for range n {
		stranger.sendAudio(s.LocalAddr(), audio.PCMU.PayloadType, levelFrame(12000))
		ph.sendTone(s.LocalAddr(), 1)
	}
	settle(t, s.Session, "both streams", func() bool { return s.Stats().PacketsIn+s.Stats().Stray == 1+2*n })
	var f audio.Frame
	played := 0
	for range n {
		if s.ReadFrame(&f) {
			played++
			if lv := peak(&f); lv > 10000 {
				t.Fatalf("the room hears the stranger: level %d", lv)
			}
		}
	}
	if played == 0 {
		t.Fatal("the room does not hear the phone")
	}

	// The phone falls silent for longer than latchAlive; the stranger,
	// with its own SSRC, still may not have the leg.
	silentSince := time.Now()
	for sent := 0; time.Since(silentSince) < 2*latchAlive || sent < 3*latchRun; sent++ {
		stranger.sendAudio(s.LocalAddr(), audio.PCMU.PayloadType, levelFrame(12000))
		time.Sleep(audio.FrameDuration) // a phone's pace, not a wait for the session
	}
	settle(t, s.Session, "the stranger's packets", func() bool { return s.Stats().Stray >= uint64(n+3*latchRun) })

	if got := s.Stats().Remote; got != ph.addr().AddrPort() {
		t.Fatalf("remote %v, want the phone at %v", got, ph.addr())
	}
	s.WriteFrame(&f)
	if pkt := ph.recv(); pkt.SSRC != s.tx.w.SSRC() {
		t.Fatalf("phone got SSRC %#x, want the session's", pkt.SSRC)
	}
	if err := stranger.conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if n, err := stranger.conn.Read(make([]byte, 1500)); err == nil {
		t.Fatalf("the stranger received %d bytes of the room", n)
	}
}

// A phone whose NAT rebinds its port carries on its stream, same SSRC and
// sequence, from a new source while the old one falls silent: audio
// follows it there.
func TestAudioFollowsAPhoneWhoseNATRebindsItsPort(t *testing.T) {
	obs := &countingObserver{}
	s := startSession(t, Config{Observer: obs})
	before := newPhone(t)
	before.sendTone(s.LocalAddr(), 3)
	settle(t, s.Session, "latch", func() bool { return s.Stats().Remote == before.addr().AddrPort() })

	oldSilent := time.Now()
	after := newPhone(t)
	after.ssrc, after.seq, after.ts = before.ssrc, before.seq, before.ts
	deadline := time.Now().Add(hang)
	for s.Stats().Remote != after.addr().AddrPort() {
		if time.Now().After(deadline) {
			t.Fatalf("audio never followed the rebound phone: remote %v", s.Stats().Remote)
		}
		after.sendTone(s.LocalAddr(), 1)
		time.Sleep(audio.FrameDuration) // a phone's pace
		settle(t, s.Session, "the packet", func() bool { return s.Stats().PacketsIn+s.Stats().Stray == uint64(after.seq-1000) })
	}
	if silent := time.Since(oldSilent); silent < latchAlive {
		t.Errorf("moved when the old source was silent for %v only, under %v", silent, latchAlive)
	}
	var f audio.Frame
	s.WriteFrame(&f)
	if pkt := after.recv(); pkt.SSRC != s.tx.w.SSRC() {
		t.Fatalf("the rebound phone got SSRC %#x, want the session's", pkt.SSRC)
	}
	if got := obs.latched.Load(); got != 2 {
		t.Errorf("Latched called %d times, want 2", got)
	}
}

// A stream still aimed at the port from its previous call, or sprayed by
// a stranger, reaches a new leg's port before the phone does: the phone,
// sending from where SDP said it would, still takes its leg at its first
// packet, and the stray source is refused from then on.
func TestThePhoneAtItsSignalledAddressTakesTheLegFromAStrayThatCameFirst(t *testing.T) {
	stray, ph := newPhone(t), newPhone(t)
	stray.ssrc = 0xbad
	s := startSession(t, Config{Remote: ph.addr()})
	stray.sendAudio(s.LocalAddr(), audio.PCMU.PayloadType, levelFrame(12000))
	settle(t, s.Session, "the stray latch", func() bool { return s.Stats().Remote == stray.addr().AddrPort() })

	ph.sendTone(s.LocalAddr(), 1)
	settle(t, s.Session, "the phone's packet", func() bool { return s.Stats().PacketsIn == 2 })
	if got := s.Stats().Remote; got != ph.addr().AddrPort() {
		t.Fatalf("remote %v, want the phone at %v", got, ph.addr())
	}
	stray.sendAudio(s.LocalAddr(), audio.PCMU.PayloadType, levelFrame(12000))
	settle(t, s.Session, "the stray's second packet", func() bool { return s.Stats().Stray == 1 })
	if got := s.Stats().Remote; got != ph.addr().AddrPort() {
		t.Fatalf("the stray took the leg back: remote %v", got)
	}
}

// peak is a frame's loudest sample.
func peak(f *audio.Frame) int16 {
	var m int16
	for _, v := range f.Samples() {
		m = max(m, v, -v)
	}
	return m
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
