package sipptest

import (
	"net"
	"testing"
)

func TestListening(t *testing.T) {
	u, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	up, tp := u.LocalAddr().(*net.UDPAddr).Port, l.Addr().(*net.TCPAddr).Port
	check := func(network string, port int, want bool) {
		t.Helper()
		got, err := listening(network, port)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("listening(%s, %d) = %v, want %v", network, port, got, want)
		}
	}
	check("udp", up, true)
	check("tcp", tp, true)
	u.Close()
	l.Close()
	check("udp", up, false)
	check("tcp", tp, false)
}
