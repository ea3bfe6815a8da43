package rtpsession

import (
	"errors"
	"net"
	"testing"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/internal/tone"
	"github.com/confgw/confgw/mixer"
)

func TestNewValidatesCodec(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want error
	}{
		{"no socket", Config{Codec: audio.PCMU}, ErrNoConn},
		{"unknown codec", Config{Codec: audio.Codec{Name: "G729", PayloadType: 18}}, ErrCodec},
		{"wideband clock", Config{Codec: audio.Codec{Name: "PCMU", ClockRate: 16000}}, ErrCodec},
		{"no telephone-event", Config{Codec: audio.PCMU, TelephoneEventPT: 0}, nil},
		{"event PT equals audio", Config{Codec: audio.Codec{Name: "PCMA", PayloadType: 101}, TelephoneEventPT: 101}, ErrCodec},
		{"PT out of range", Config{Codec: audio.Codec{Name: "PCMA", PayloadType: 200}}, ErrCodec},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ports := testPorts(t, 1)
			if tt.want != ErrNoConn {
				conn, err := ports.Listen(net.IPv4(127, 0, 0, 1))
				if err != nil {
					t.Fatal(err)
				}
				tt.cfg.Conn, tt.cfg.Ports = conn, ports
			}
			s, err := New(tt.cfg)
			if !errors.Is(err, tt.want) {
				t.Fatalf("New = %v, want %v", err, tt.want)
			}
			if err == nil {
				_ = s.Close()
			}
			if n := ports.InUse(); n != 0 {
				t.Errorf("%d ports still in use after New failed or Close", n)
			}
		})
	}
}

func TestCloseIsIdempotentAndFreesPort(t *testing.T) {
	ports := testPorts(t, 1)
	conn, err := ports.Listen(net.IPv4(127, 0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	s := startSession(t, Config{Conn: conn, Ports: ports})
	for i := range 3 {
		if err := s.Close(); err != nil {
			t.Errorf("Close #%d: %v", i+1, err)
		}
	}
	if err := s.wait(t); err != nil {
		t.Errorf("Run after Close returned %v", err)
	}
	if n := ports.InUse(); n != 0 {
		t.Errorf("%d ports in use after Close", n)
	}
	var f audio.Frame
	s.WriteFrame(&f) // must not panic or send on a closed socket
	if s.ReadFrame(&f) {
		t.Error("closed session reported audio")
	}
	if err := s.SendDigit('1'); !errors.Is(err, ErrClosed) {
		t.Errorf("SendDigit after Close = %v, want ErrClosed", err)
	}
	if s.Stats().SendErrors != 0 {
		t.Error("WriteFrame after Close tried the socket")
	}
}

func TestHoldStopsBothDirections(t *testing.T) {
	ph := newPhone(t)
	s := startSession(t, Config{Remote: ph.addr()})
	var f audio.Frame
	s.WriteFrame(&f)
	before := ph.recv()
	ph.sendTone(s.LocalAddr(), 3)
	settle(t, s.Session, "packets before hold", func() bool { return s.Stats().PacketsIn == 3 })

	s.SetHold(true)
	const heldTicks = 3
	for range heldTicks {
		s.WriteFrame(&f)
	}
	// More than the jitter buffer holds, so that resuming into the old
	// buffer would count the gap as loss.
	const heldPackets = 40
	ph.sendTone(s.LocalAddr(), heldPackets)
	settle(t, s.Session, "held packets", func() bool { return s.Stats().DroppedOnHold == heldPackets })
	for i := range 6 {
		if s.ReadFrame(&f) {
			t.Fatalf("tick %d on hold: ReadFrame reported audio", i)
		}
	}

	s.SetHold(false)
	s.WriteFrame(&f)
	// UDP on loopback keeps order, so the next packet is the first after
	// resuming only if nothing was sent on hold.
	after := ph.recv()
	if after.SequenceNumber != before.SequenceNumber+1 {
		t.Errorf("seq %d after %d: packets were sent on hold", after.SequenceNumber, before.SequenceNumber)
	}
	if want := before.Timestamp + (heldTicks+1)*160; after.Timestamp != want || !after.Marker {
		t.Errorf("resumed with ts %d marker %v, want ts %d and marker", after.Timestamp, after.Marker, want)
	}
	ph.sendTone(s.LocalAddr(), 4)
	settle(t, s.Session, "resumed packets", func() bool { return s.Stats().PacketsIn == 3+heldPackets+4 })
	played := 0
	for range 8 {
		if s.ReadFrame(&f) && tone.Detect(f.Samples(), 1000, audio.NarrowbandHz) {
			played++
		}
	}
	if played < 4 {
		t.Errorf("played %d frames after resuming, want 4", played)
	}
	if lost := s.Stats().Lost; lost != 0 {
		t.Errorf("audio discarded on hold counted as %d lost", lost)
	}
}

func TestSetCodecSwitchesLaw(t *testing.T) {
	ph := newPhone(t)
	s := newSession(t, Config{Remote: ph.addr()})
	if err := s.SetCodec(audio.Codec{Name: "G722", PayloadType: 9}, 0); !errors.Is(err, ErrCodec) {
		t.Fatalf("SetCodec(G722) = %v, want ErrCodec", err)
	}
	if err := s.SetCodec(audio.PCMA, 101); err != nil {
		t.Fatal(err)
	}
	var f audio.Frame
	s.WriteFrame(&f)
	if pkt := ph.recv(); pkt.PayloadType != audio.PCMA.PayloadType {
		t.Errorf("payload type %d after switching to PCMA", pkt.PayloadType)
	}
	if err := s.SendDigit('1'); err != nil {
		t.Errorf("SendDigit after telephone-event was negotiated: %v", err)
	}
}

// A session is what a room mixer attaches for a phone leg.
var _ mixer.Endpoint = (*Session)(nil)
