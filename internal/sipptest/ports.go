package sipptest

import (
	"net"
	"testing"
)

// FreePort returns a loopback port that was free for network ("udp" or
// "tcp") a moment ago. Another process may take it before the caller binds
// it; ports come from the kernel's ephemeral range, which makes that rare.
func FreePort(t testing.TB, network string) int {
	t.Helper()
	for range 100 {
		if p, ok := tryPort(network, 0); ok {
			return p
		}
	}
	t.Fatalf("sipptest: no free %s port on 127.0.0.1", network)
	return 0
}

// FreeSIPPort returns a port free for both UDP and TCP, as sipp binds one or
// the other depending on its transport and the gateway binds both.
func FreeSIPPort(t testing.TB) int {
	t.Helper()
	for range 100 {
		p, ok := tryPort("udp", 0)
		if ok && portFree("tcp", p) {
			return p
		}
	}
	t.Fatal("sipptest: no port free for both UDP and TCP on 127.0.0.1")
	return 0
}

// FreeMediaPort returns an even port p with p..p+3 free over UDP: sipp binds
// its media port and media port + 2, and peers expect RTCP on the odd port
// above each.
func FreeMediaPort(t testing.TB) int {
	t.Helper()
	for range 100 {
		p, ok := tryPort("udp", 0)
		if !ok {
			continue
		}
		p &^= 1
		if p > 0 && p+3 <= 65535 && portFree("udp", p) && portFree("udp", p+1) &&
			portFree("udp", p+2) && portFree("udp", p+3) {
			return p
		}
	}
	t.Fatal("sipptest: no four consecutive free UDP ports on 127.0.0.1")
	return 0
}

func portFree(network string, port int) bool {
	_, ok := tryPort(network, port)
	return ok
}

// tryPort binds port (0 lets the kernel choose) and releases it at once.
func tryPort(network string, port int) (int, bool) {
	switch network {
	case "udp":
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
		if err != nil {
			return 0, false
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port, true
	case "tcp":
		l, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
		if err != nil {
			return 0, false
		}
		defer l.Close()
		return l.Addr().(*net.TCPAddr).Port, true
	}
	return 0, false
}
