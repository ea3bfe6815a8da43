package rtpsession

import (
	"testing"
	"time"

	"github.com/confgw/confgw/audio"
)

// TestPortablePath runs a leg as platforms without the tick-driven socket
// do: Run reads the net.UDPConn and sends go through it.
func TestPortablePath(t *testing.T) {
	timedOut := make(chan struct{})
	s := startSession(t, Config{PortableSocket: true, Timeout: 300 * time.Millisecond, OnTimeout: func() { close(timedOut) }})
	if _, ok := s.tr.(*portableConn); !ok {
		t.Fatalf("the session took %T", s.tr)
	}
	ph := newPhone(t)
	ph.sendTone(s.LocalAddr(), 3)
	eventually(t, "Run to read the packets", func() bool { return s.Stats().PacketsIn == 3 })
	var f audio.Frame
	if !s.ReadFrame(&f) {
		t.Fatal("no audio played")
	}
	s.WriteFrame(&f)
	if p := ph.recv(); len(p.Payload) != 160 {
		t.Fatalf("the phone got %d bytes of audio", len(p.Payload))
	}
	select {
	case <-timedOut:
	case <-time.After(hang):
		t.Fatal("no RTP timeout on the portable path")
	}
}

func TestClosingAPortableSessionGivesThePortBack(t *testing.T) {
	ports := testPorts(t, 1)
	conn, err := ports.Listen(loopback)
	if err != nil {
		t.Fatal(err)
	}
	s := startSession(t, Config{Conn: conn, Ports: ports, PortableSocket: true})
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.wait(t); err != nil {
		t.Errorf("Run after Close returned %v", err)
	}
	if n := ports.InUse(); n != 0 {
		t.Errorf("%d ports in use after Close", n)
	}
}
