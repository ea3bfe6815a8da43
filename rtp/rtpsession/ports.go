package rtpsession

import (
	"fmt"
	"net"
	"sync"
)

// Ports allocates RTP ports from a range. Only even ports are handed out:
// RFC 3550 puts RTP on an even port and RTCP on the next odd one, and some
// phones refuse an odd media port in SDP. The odd port is bound with its
// even one, so that a phone's RTCP reaches the leg and no other program
// sits on it; when the range ends on an even port, that port's RTCP is the
// one past the range. It is safe for concurrent use.
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
	rtcp  *net.UDPConn // the odd port above conn's
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

// Listen binds a free even port on ip (nil for all addresses), and the odd
// port above it for RTCP, which RTCP returns. Ports the system refuses,
// such as ones another program holds, are skipped; once every port has
// been tried it returns ErrNoPorts. Give the socket back with Release, or
// through the Session that owns it: that closes the RTCP socket too.
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
		rtcp, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip, Port: port + 1})
		if err != nil {
			lastErr = err
			_ = conn.Close()
			p.free(i, nil)
			continue
		}
		p.mu.Lock()
		p.slots[i].conn, p.slots[i].rtcp = conn, rtcp
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
	if i, ok := p.slotOf(conn); ok {
		p.free(i, conn)
	}
	return conn.Close()
}

// RTCP returns the RTCP socket bound with conn by Listen, nil for a socket
// this allocator did not hand out. It stays the allocator's: Release
// closes it.
func (p *Ports) RTCP(conn *net.UDPConn) *net.UDPConn {
	i, ok := p.slotOf(conn)
	if !ok {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if s := &p.slots[i]; s.taken && s.conn == conn {
		return s.rtcp
	}
	return nil
}

func (p *Ports) slotOf(conn *net.UDPConn) (int, bool) {
	addr, ok := conn.LocalAddr().(*net.UDPAddr)
	if !ok || addr.Port < p.first {
		return 0, false
	}
	i := (addr.Port - p.first) / 2
	return i, i < len(p.slots)
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
	if s.rtcp != nil {
		_ = s.rtcp.Close()
	}
	*s = portSlot{}
	p.used--
}
