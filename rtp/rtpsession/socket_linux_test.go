//go:build linux && (amd64 || arm64)

package rtpsession

import (
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/confgw/confgw/audio"
)

func TestDualStackSocketTalksToIPv4Phones(t *testing.T) {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv6unspecified})
	if err != nil {
		t.Fatal(err)
	}
	s := startSession(t, Config{Conn: conn})
	if so, ok := s.tr.(*socket); !ok || !so.inet6 {
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

func TestTickKeepsTheKernelArrivalTimes(t *testing.T) {
	s := newSession(t, Config{})
	ph := newPhone(t)
	ph.sendTone(s.LocalAddr(), 1)
	time.Sleep(60 * time.Millisecond)
	ph.sendTone(s.LocalAddr(), 1)
	var at []time.Time
	s.tr.(*socket).drain(func(_ []byte, _ netip.AddrPort, arrived time.Time) bool {
		at = append(at, arrived)
		return true
	})
	if len(at) != 2 {
		t.Fatalf("drained %d packets of 2", len(at))
	}
	// Read together, they carry the times they arrived, not the time of
	// the read.
	if gap := at[1].Sub(at[0]); gap < 55*time.Millisecond {
		t.Fatalf("arrivals %v apart, sent 60 ms apart", gap)
	}
	if age := time.Since(at[0]); age < 55*time.Millisecond {
		t.Fatalf("the first packet arrived %v ago: stamped at the read", age)
	}
}

func TestAnIPv6PeerOnAnIPv4SocketIsASendError(t *testing.T) {
	s := newSession(t, Config{})
	s.SetRemote(&net.UDPAddr{IP: net.ParseIP("2001:db8::1"), Port: 4000})
	var f audio.Frame
	s.WriteFrame(&f) // once a panic that took the gateway down
	if st := s.Stats(); st.SendErrors != 1 || st.PacketsOut != 0 {
		t.Fatalf("sent %d, send errors %d", st.PacketsOut, st.SendErrors)
	}
}

func (so *socket) ticksRead() bool { return so.ticks.Load() > 0 }

func TestTheTickReadsTheSocketByDefault(t *testing.T) {
	s := newSession(t, Config{})
	if _, ok := s.tr.(*socket); !ok {
		t.Fatalf("the session took %T", s.tr)
	}
}

// threads is how many OS threads the test process has.
func threads(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Threads:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no Threads: in /proc/self/status")
	return 0
}

// A leg between its answer and its first tick (awaiting an ACK that may
// never come, or keying a PIN) waits for its phone in Go's network poller:
// a flood of answered calls must not cost an OS thread each.
func TestSessionsThatNoTickReadsHoldNoThreadEach(t *testing.T) {
	const legs = 500
	before := threads(t)
	ph := newPhone(t)
	var ss []*running
	for range legs {
		ss = append(ss, startSession(t, Config{Timeout: time.Hour}))
	}
	// Every Run reads a packet, so each has waited for one; Go keeps the
	// threads it once started, so a thread per waiting leg stays counted.
	for _, s := range ss {
		ph.sendTone(s.LocalAddr(), 1)
	}
	for _, s := range ss {
		eventually(t, "every leg reading its packet", func() bool { return s.Stats().PacketsIn == 1 })
	}
	n := threads(t)
	if n > before+legs/5 {
		t.Fatalf("%d sessions waiting for their phones took the process from %d to %d threads", legs, before, n)
	}
	t.Logf("%d sessions waiting for their phones: %d threads, %d before", legs, n, before)
}

// inPoller reports whether Run waits for the phone through Go's poller.
func (so *socket) inPoller() bool {
	so.mu.RLock()
	defer so.mu.RUnlock()
	return so.pc != nil
}

// Once ticks read a leg, its packets must not wake the poller's thread, and
// once they stop Run must wait there again.
func TestALegIsInThePollerOnlyWhileNoTickReadsIt(t *testing.T) {
	r := startSession(t, Config{Timeout: time.Hour})
	so := r.tr.(*socket)
	eventually(t, "Run to wait in the poller", so.inPoller)
	eventually(t, "the ticks to take the socket out of the poller", func() bool {
		tickOnce(r.Session)
		return !so.inPoller()
	})
	eventually(t, "Run to wait in the poller again once ticks stop", so.inPoller)
	newPhone(t).sendTone(r.LocalAddr(), 1)
	eventually(t, "Run to read the phone", func() bool { return r.Stats().PacketsIn == 1 })
}
