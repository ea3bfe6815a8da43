package webrtc

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestTheSharedPortAsksForALargeReceiveBuffer checks the one socket all
// sessions share holds as much as the kernel grants, up to
// socketReadBuffer, rather than the default that a moment's stall
// overflows.
func TestTheSharedPortAsksForALargeReceiveBuffer(t *testing.T) {
	b, err := os.ReadFile("/proc/sys/net/core/rmem_max")
	if err != nil {
		t.Skip(err)
	}
	most, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, Config{})
	raw, err := s.conn.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var got int
	var gerr error
	if err := raw.Control(func(fd uintptr) {
		got, gerr = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF)
	}); err != nil || gerr != nil {
		t.Fatal(err, gerr)
	}
	// Linux reports twice what was set, for its own bookkeeping.
	if want := 2 * min(most, socketReadBuffer); got < want {
		t.Fatalf("SO_RCVBUF %d, want at least %d (rmem_max %d)", got, want, most)
	}
}
