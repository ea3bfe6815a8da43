package loadgen

import (
	"bytes"
	"context"
	"encoding/binary"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/confgw/confgw/rtp/rtpwriter"
)

func TestParseRTP(t *testing.T) {
	payload := make([]byte, 160)
	hdr := func(b0, b1 byte) []byte {
		h := []byte{b0, b1, 0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 2}
		return h
	}
	csrc := append(hdr(0x82, 0), make([]byte, 8)...)
	ext := append(hdr(0x90, 0), 0xbe, 0xde, 0, 1, 1, 2, 3, 4)
	padded := append(append(hdr(0xa0, 0), payload...), 0, 0, 3)
	tests := []struct {
		name string
		pkt  []byte
		n    int
		ok   bool
	}{
		{"plain", append(hdr(0x80, 0), payload...), 160, true},
		{"marker", append(hdr(0x80, 0x80), payload...), 160, true},
		{"two CSRCs", append(csrc, payload...), 160, true},
		{"extension", append(ext, payload...), 160, true},
		{"padding", padded, 160, true},
		{"PCMA", append(hdr(0x80, 8), payload...), 0, false},
		{"version 1", append(hdr(0x40, 0), payload...), 0, false},
		{"short", hdr(0x80, 0)[:8], 0, false},
		{"extension cut", hdr(0x90, 0), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, seq, ok := parseRTP(tt.pkt)
			if ok != tt.ok || len(p) != tt.n || (ok && seq != 0x1234) {
				t.Fatalf("got %d bytes, seq %#x, ok %t; want %d, %t", len(p), seq, ok, tt.n, tt.ok)
			}
		})
	}
}

func TestLegHeaders(t *testing.T) {
	l := newLeg(0, -1, make([]byte, 160), 0xdeadbeef, 0xffff, 1000)
	l.next()
	if l.hdr[0] != 0x80 || l.hdr[1] != 0x80 || binary.BigEndian.Uint16(l.hdr[2:]) != 0xffff ||
		binary.BigEndian.Uint32(l.hdr[4:]) != 1000 || binary.BigEndian.Uint32(l.hdr[8:]) != 0xdeadbeef {
		t.Fatalf("first header % x", l.hdr)
	}
	l.next()
	if l.hdr[1] != 0 || binary.BigEndian.Uint16(l.hdr[2:]) != 0 || binary.BigEndian.Uint32(l.hdr[4:]) != 1160 {
		t.Fatalf("second header % x: want no marker, seq wrapped, ts +160", l.hdr)
	}
}

func TestALegsNextHeaderAllocatesNothing(t *testing.T) {
	l := newLeg(0, -1, make([]byte, 160), 1, 1, 1)
	if n := testing.AllocsPerRun(100, l.next); n != 0 {
		t.Errorf("next allocates %v times per packet", n)
	}
}

func TestReceiveCountsGapsNotDuplicates(t *testing.T) {
	l := newLeg(0, -1, nil, 1, 1, 1)
	for _, seq := range []uint16{65534, 65535, 1, 1, 0, 2} { // 0 lost, then late
		l.receive(packet(seq, 0xff))
	}
	if l.received.Load() != 4 || l.gaps.Load() != 1 {
		t.Fatalf("received %d, gaps %d; want 4 and 1", l.received.Load(), l.gaps.Load())
	}
}

func packet(seq uint16, fill byte) []byte {
	payload := bytes.Repeat([]byte{fill}, frameSamples)
	p := make([]byte, rtpwriter.HeaderSize+frameSamples)
	w := rtpwriter.New(0, seq, 0)
	if _, err := w.Marshal(p, 0, false, 0, payload); err != nil {
		panic(err)
	}
	return p
}

// peer stands for the gateway's port of one leg.
func peer(t *testing.T) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func testSocket(t *testing.T) *rtpSocket {
	t.Helper()
	s, err := listenRTP(net.IPv4(127, 0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestBatchSendsEveryLeg checks one sendFrame reaches each leg's own
// gateway port with that leg's header and the shared payload.
func TestBatchSendsEveryLeg(t *testing.T) {
	s := testSocket(t)
	defer s.close()
	p := newPayloads()
	peers := make([]*net.UDPConn, 3)
	for i := range peers {
		peers[i] = peer(t)
		s.start(newLeg(i, i, p.talker[i], uint32(100+i), 7, 0), peers[i].LocalAddr().(*net.UDPAddr))
	}
	gone := newLeg(9, -1, p.quiet[0], 999, 0, 0)
	s.start(gone, peer(t).LocalAddr().(*net.UDPAddr))
	s.stop(gone)
	s.sendFrame()
	s.sendFrame()
	buf := make([]byte, 1500)
	for i, c := range peers {
		for want := uint16(7); want < 9; want++ {
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			n, from, err := c.ReadFromUDP(buf)
			if err != nil {
				t.Fatalf("leg %d: %v", i, err)
			}
			payload, seq, ok := parseRTP(buf[:n])
			if !ok || seq != want || binary.BigEndian.Uint32(buf[8:]) != uint32(100+i) ||
				string(payload) != string(p.talker[i]) || from.Port != s.port {
				t.Fatalf("leg %d got seq %d ssrc %d from %v", i, seq, binary.BigEndian.Uint32(buf[8:]), from)
			}
		}
	}
	if gone.sent.Load() != 0 {
		t.Fatal("a stopped leg was sent")
	}
}

// TestDemuxBySource checks packets land on the leg whose gateway port sent
// them, and strangers are counted apart.
func TestDemuxBySource(t *testing.T) {
	s := testSocket(t)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); s.readLoop() }()
	peers := make([]*net.UDPConn, 3)
	legs := make([]*leg, 3)
	for i := range peers {
		peers[i] = peer(t)
		legs[i] = newLeg(i, -1, nil, 1, 1, 1)
		s.start(legs[i], peers[i].LocalAddr().(*net.UDPAddr))
	}
	to := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: s.port}
	for i, c := range peers {
		for k := range i + 1 {
			if _, err := c.WriteToUDP(packet(uint16(k), 0x80), to); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := peer(t).WriteToUDP(packet(1, 0x80), to); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for legs[2].received.Load() < 3 || s.strays.Load() < 1 {
		if time.Now().After(deadline) {
			t.Fatal("packets did not arrive")
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.close()
	wg.Wait()
	for i, l := range legs {
		if l.received.Load() != uint64(i+1) || l.energy.Load() != uint64(i+1)*160*squares[0x80] {
			t.Errorf("leg %d: %d packets, energy %d", i, l.received.Load(), l.energy.Load())
		}
	}
	if s.strays.Load() != 1 {
		t.Errorf("strays %d, want 1", s.strays.Load())
	}
}

func TestSendLoopKeepsTimeAndStops(t *testing.T) {
	s := testSocket(t)
	defer s.close()
	l := newLeg(0, -1, make([]byte, 160), 1, 1, 1)
	s.start(l, peer(t).LocalAddr().(*net.UDPAddr))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.sendLoop(ctx, 0) }()
	for l.sent.Load() < 3 {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
}

func TestAddrKey(t *testing.T) {
	a := addrKey(net.IPv4(127, 0, 0, 1), 10000)
	if a == addrKey(net.IPv4(127, 0, 0, 1), 10002) || a == addrKey(net.IPv4(127, 0, 0, 2), 10000) {
		t.Fatal("distinct sources share a key")
	}
	if a != addrKey(net.IP{127, 0, 0, 1}, 10000) {
		t.Fatal("4- and 16-byte forms differ")
	}
}
