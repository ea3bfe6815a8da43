package sipptest

import (
	"net"
	"testing"
)

func TestFreeSIPPortTakesBoth(t *testing.T) {
	p := FreeSIPPort(t)
	u, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: p})
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	l, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: p})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
}

func TestFreeMediaPort(t *testing.T) {
	p := FreeMediaPort(t)
	if p%2 != 0 {
		t.Errorf("media port %d is odd", p)
	}
	for i := range 4 {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: p + i})
		if err != nil {
			t.Fatalf("port %d: %v", p+i, err)
		}
		defer c.Close()
	}
}
