package rtpsession

import (
	"fmt"
	"net"
	"sync"
)

// Ports allocates RTP ports from a range. Only even ports are handed out:
// RFC 3550 puts RTP on an even port and RTCP on the next odd one, and some
// phones refuse an odd media port in SDP. It is safe for concurrent use.
type Ports struct {
	mu    sync.Mutex
	first int // lowest even port of the range
	slots []portSlot
	next  int // slot to try first, so freed ports rest before reuse
	used  int
}

type portSlot struct {
	taken bool
	conn  *net.UDPConn // nil while the port is being bound
}

// NewPorts returns an allocator over the even ports of [lo, hi].
func NewPorts(lo, hi int) (*Ports, error) {
	if lo < 1 || hi > 65535 || lo > hi {
		return nil, fmt.Errorf("%w: %d-%d", ErrPortRange, lo, hi)
	}
	first := lo + lo%2
	if first > hi {
		return nil, fmt.Errorf("%w: %d-%d holds no even port", ErrPortRange, lo, hi)
	}
	return &Ports{first: first, slots: make([]portSlot, (hi-first)/2+1)}, nil
}

// Listen binds a free even port on ip (nil for all addresses). Ports the
// system refuses, such as ones another program holds, are skipped; once every
// port has been tried it returns ErrNoPorts. Give the socket back with
// Release, or through the Session that owns it.
func (p *Ports) Listen(ip net.IP) (*net.UDPConn, error) {
	var lastErr error
	for range len(p.slots) {
		i, ok := p.reserve()
		if !ok {
			break
		}
		port := p.first + 2*i
		conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip, Port: port})
		if err != nil {
			lastErr = err
			p.free(i, nil)
			continue
		}
		p.mu.Lock()
		p.slots[i].conn = conn
		p.mu.Unlock()
		return conn, nil
	}
	if lastErr != nil {
		return nil, fmt.Errorf("%w: last refusal: %w", ErrNoPorts, lastErr)
	}
	return nil, ErrNoPorts
}

// Release closes conn and returns its port to the pool. Releasing a socket
// twice, or one this allocator did not create, frees no port, so a stale
// release cannot hand out a port that a newer call is using.
func (p *Ports) Release(conn *net.UDPConn) error {
	if addr, ok := conn.LocalAddr().(*net.UDPAddr); ok {
		if i := (addr.Port - p.first) / 2; addr.Port >= p.first && i < len(p.slots) {
			p.free(i, conn)
		}
	}
	return conn.Close()
}

// InUse reports how many ports are handed out, for capacity metrics.
func (p *Ports) InUse() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.used
}

// Cap reports how many ports the range holds.
func (p *Ports) Cap() int {
	return len(p.slots)
}

// reserve marks the next free slot taken. Binding happens outside the lock
// so that concurrent calls do not queue behind each other's system calls.
func (p *Ports) reserve() (int, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for range len(p.slots) {
		i := p.next
		p.next = (p.next + 1) % len(p.slots)
		if !p.slots[i].taken {
			p.slots[i].taken = true
			p.used++
			return i, true
		}
	}
	return 0, false
}

// free releases slot i if it still belongs to conn (nil: a failed bind).
func (p *Ports) free(i int, conn *net.UDPConn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := &p.slots[i]
	if !s.taken || s.conn != conn {
		return
	}
	*s = portSlot{}
	p.used--
}
