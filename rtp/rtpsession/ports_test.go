package rtpsession

import (
	"errors"
	"net"
	"sync"
	"testing"
)

var loopback = net.IPv4(127, 0, 0, 1)

// freeRange finds n consecutive pairs of ports on loopback that nothing holds
// right now, so that tests do not depend on a fixed range being free.
func freeRange(t *testing.T, n int) int {
	t.Helper()
	for lo := 42000; lo < 60000; lo += 2 * n {
		free := true
		for p := lo; p < lo+2*n && free; p++ {
			c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: loopback, Port: p})
			if err != nil {
				free = false
				break
			}
			_ = c.Close()
		}
		if free {
			return lo
		}
	}
	t.Fatal("no free port range on loopback")
	return 0
}

// testPorts returns an allocator over n free even ports.
func testPorts(t *testing.T, n int) *Ports {
	t.Helper()
	lo := freeRange(t, n)
	p, err := NewPorts(lo, lo+2*n-1)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestNewPortsRange(t *testing.T) {
	tests := []struct {
		lo, hi  int
		wantCap int
		wantErr error
	}{
		{10000, 20000, 5001, nil},
		{10001, 10004, 2, nil},
		{10000, 10000, 1, nil},
		{10001, 10001, 0, ErrPortRange},
		{0, 100, 0, ErrPortRange},
		{20000, 10000, 0, ErrPortRange},
		{65000, 70000, 0, ErrPortRange},
	}
	for _, tt := range tests {
		p, err := NewPorts(tt.lo, tt.hi)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("NewPorts(%d, %d) error %v, want %v", tt.lo, tt.hi, err, tt.wantErr)
			continue
		}
		if err == nil && p.Cap() != tt.wantCap {
			t.Errorf("NewPorts(%d, %d) holds %d ports, want %d", tt.lo, tt.hi, p.Cap(), tt.wantCap)
		}
	}
}

func TestPortsExhaustionAndReuse(t *testing.T) {
	const n = 3
	p := testPorts(t, n)
	conns := make([]*net.UDPConn, 0, n)
	seen := map[int]bool{}
	for range n {
		c, err := p.Listen(loopback)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		port := c.LocalAddr().(*net.UDPAddr).Port
		if port%2 != 0 || seen[port] {
			t.Errorf("got port %d (seen before: %v)", port, seen[port])
		}
		seen[port] = true
	}
	if _, err := p.Listen(loopback); !errors.Is(err, ErrNoPorts) {
		t.Fatalf("Listen on a full range = %v, want ErrNoPorts", err)
	}

	freed := conns[1].LocalAddr().(*net.UDPAddr).Port
	if err := p.Release(conns[1]); err != nil {
		t.Fatal(err)
	}
	c, err := p.Listen(loopback)
	if err != nil {
		t.Fatalf("Listen after Release: %v", err)
	}
	if port := c.LocalAddr().(*net.UDPAddr).Port; port != freed {
		t.Errorf("reused port %d, want the freed %d", port, freed)
	}
	// A second release of the same socket must not free the port again
	// now that another call holds it.
	_ = p.Release(conns[1])
	if got := p.InUse(); got != n {
		t.Errorf("InUse %d after a stale Release, want %d", got, n)
	}
	for _, c := range []*net.UDPConn{conns[0], c, conns[2]} {
		_ = p.Release(c)
	}
	if got := p.InUse(); got != 0 {
		t.Errorf("InUse %d after releasing all, want 0", got)
	}
}

func TestPortsSkipsRefusedPorts(t *testing.T) {
	p := testPorts(t, 2)
	lo := p.first
	squatter, err := net.ListenUDP("udp4", &net.UDPAddr{IP: loopback, Port: lo})
	if err != nil {
		t.Fatal(err)
	}
	defer squatter.Close()

	c, err := p.Listen(loopback)
	if err != nil {
		t.Fatalf("Listen with one port taken by another program: %v", err)
	}
	defer p.Release(c)
	if port := c.LocalAddr().(*net.UDPAddr).Port; port != lo+2 {
		t.Errorf("got port %d, want %d", port, lo+2)
	}
	if _, err := p.Listen(loopback); !errors.Is(err, ErrNoPorts) {
		t.Errorf("Listen with the rest refused = %v, want ErrNoPorts", err)
	}
	if got := p.InUse(); got != 1 {
		t.Errorf("refused port counted as in use: InUse %d, want 1", got)
	}
}

func TestPortsConcurrentListen(t *testing.T) {
	const n = 8
	p := testPorts(t, n)
	conns := make(chan *net.UDPConn, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			c, err := p.Listen(loopback)
			if err != nil {
				t.Error(err)
				return
			}
			conns <- c
		})
	}
	wg.Wait()
	close(conns)
	seen := map[int]bool{}
	for c := range conns {
		port := c.LocalAddr().(*net.UDPAddr).Port
		if seen[port] {
			t.Errorf("port %d handed out twice", port)
		}
		seen[port] = true
		_ = p.Release(c)
	}
	if len(seen) != n {
		t.Errorf("%d distinct ports, want %d", len(seen), n)
	}
}
