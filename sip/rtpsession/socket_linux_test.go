package rtpsession

import (
	"net"
	"testing"
)

func TestDualStackSocketTalksToIPv4Phones(t *testing.T) {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv6unspecified})
	if err != nil {
		t.Fatal(err)
	}
	s := startSession(t, Config{Conn: conn})
	if s.sock == nil || !s.sock.inet6 {
		t.Fatal("a socket on [::] is not taken for AF_INET6")
	}
	ph := newPhone(t)
	to := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: s.LocalAddr().Port}
	tickOnce(s.Session)
	ph.sendTone(to, 2)
	tickOnce(s.Session)
	if s.Stats().Remote != ph.addr().AddrPort() {
		t.Fatalf("latched %v, want %v", s.Stats().Remote, ph.addr())
	}
	p := ph.recv()
	if p.PayloadType != 0 || len(p.Payload) != 160 {
		t.Fatalf("the phone got %+v", p.Header)
	}
}
