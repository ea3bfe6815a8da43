package main

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
)

// Ports handed out come from below the kernel's ephemeral range (32768 on)
// and above the range serve's RTP legs use, so neither the load generators'
// own sockets nor the gateway's media ports collide with them.
const (
	portLow  = 30000
	portHigh = 32700
	// RTPPorts is what serve gets for its legs: one even port each, room for
	// far more legs than any level so ports other programs hold are skipped.
	rtpPorts = "12000-29998"
)

// portPicker hands out loopback ports that were free for both UDP and TCP
// when checked, never the same twice in a run.
type portPicker struct {
	used map[int]bool
}

func newPortPicker() *portPicker { return &portPicker{used: map[int]bool{}} }

// pick returns an even port p with p and p+2 free: sipp binds its media port
// and the one two above it (video), and RTP wants even ports.
func (pp *portPicker) pick() (int, error) {
	for range 500 {
		p := portLow + 2*rand.IntN((portHigh-portLow)/2)
		if pp.used[p] || pp.used[p+2] {
			continue
		}
		if free(p) && free(p+2) {
			for i := range 4 {
				pp.used[p+i] = true
			}
			return p, nil
		}
	}
	return 0, errors.New("no free loopback port")
}

func free(port int) bool {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	u, err := net.ListenPacket("udp4", addr)
	if err != nil {
		return false
	}
	defer u.Close()
	t, err := net.Listen("tcp4", addr)
	if err != nil {
		return false
	}
	_ = t.Close()
	return true
}

func loopback(port int) string { return fmt.Sprintf("127.0.0.1:%d", port) }
