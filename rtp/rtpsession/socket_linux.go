//go:build linux && (amd64 || arm64)

package rtpsession

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// drainBatch is how many datagrams one recvmmsg takes. A leg receives one
// packet per 20 ms tick, or a few after a burst; four covers that in one
// system call, and a longer backlog takes a few more.
const (
	drainBatch  = 4
	drainRounds = 4
	// cmsgSpace holds one SCM_TIMESTAMPNS message: a header and a timespec.
	cmsgSpace = unix.SizeofCmsghdr + 16
)

// socket is a leg's UDP socket, read by the mixer tick outside Go's network
// poller. Registered there, every packet arriving at any of a room's legs
// woke the runtime's poller thread, only for it to find nobody waiting: the
// mixer tick reads the socket itself (one recvmmsg and one sendto per leg
// and tick, without blocking). A full send buffer drops the packet rather
// than stall the tick.
//
// While no tick reads it (a call awaiting its ACK, a caller keying a PIN)
// Run waits for packets, and it does so in the poller, through pc: a
// goroutine parked there holds no OS thread, where a thread blocked in
// poll(2) per leg let a flood of answered, never-ACKed INVITEs start one
// thread per call.
type socket struct {
	// fd is the descriptor the tick reads and sends on; while pc is set it
	// is pc's, otherwise the socket's own.
	fd    int
	inet6 bool // the socket is AF_INET6: IPv4 peers go as mapped addresses

	// mu is held shared around every use of fd, and exclusively to close
	// or replace it: a descriptor number is never used after it is closed
	// and perhaps reused by another socket.
	mu     sync.RWMutex
	closed bool
	// pc is the socket in Go's poller while Run waits through it; only
	// Run sets it.
	pc  *net.UDPConn
	raw syscall.RawConn // pc's

	// The destination of send, kept between calls: a leg sends to one
	// address for its whole life but for a re-latch.
	sa    [unix.SizeofSockaddrInet6]byte
	saLen uint32
	saFor netip.AddrPort

	// conn is closed, but holds the port until it is released.
	conn  *net.UDPConn
	ports *Ports

	ticks     atomic.Uint64 // drains done by ticks
	ticksSeen uint64        // Run's last look at ticks
}

// recvBatch is the memory one recvmmsg fills. Ticks take one from a pool
// for the length of a drain, so sessions do not each carry 8 KiB of it.
type recvBatch struct {
	msgs  [drainBatch]mmsghdr
	iov   [drainBatch]unix.Iovec
	names [drainBatch]unix.RawSockaddrInet6
	oob   [drainBatch][cmsgSpace]byte
	bufs  [drainBatch][readBufferSize]byte
}

// mmsghdr is struct mmsghdr of recvmmsg(2).
type mmsghdr struct {
	hdr unix.Msghdr
	len uint32
	_   [4]byte
}

var batches = sync.Pool{New: func() any {
	b := new(recvBatch)
	for i := range b.msgs {
		b.iov[i].Base = &b.bufs[i][0]
		b.iov[i].SetLen(readBufferSize)
		h := &b.msgs[i].hdr
		h.Name = (*byte)(unsafe.Pointer(&b.names[i]))
		h.Iov = &b.iov[i]
		h.SetIovlen(1)
		h.Control = &b.oob[i][0]
	}
	return b
}}

// tickedTransport is the socket of this platform, or nil when conn cannot
// be made one.
func tickedTransport(conn *net.UDPConn, ports *Ports) transport {
	if so := newSocket(conn, ports); so != nil {
		return so
	}
	return nil
}

// newSocket takes conn's socket out of Go's poller: it keeps a duplicate
// of the descriptor and closes conn, which removes the original from the
// poller. It returns nil, leaving conn as it was, when the socket cannot be
// used that way; the session then keeps the portable path.
func newSocket(conn *net.UDPConn, ports *Ports) *socket {
	raw, err := conn.SyscallConn()
	if err != nil {
		return nil
	}
	so := &socket{fd: -1, conn: conn, ports: ports}
	var cerr error
	err = raw.Control(func(fd uintptr) {
		sa, err := unix.Getsockname(int(fd))
		if err != nil {
			cerr = err
			return
		}
		_, so.inet6 = sa.(*unix.SockaddrInet6)
		// Kernel arrival times keep the jitter measurement true although
		// the tick reads packets up to 20 ms after they arrive.
		if cerr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1); cerr != nil {
			return
		}
		so.fd, cerr = unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 0)
	})
	if err != nil || cerr != nil {
		if so.fd >= 0 {
			_ = unix.Close(so.fd)
		}
		return nil
	}
	// The duplicate shares the original's non-blocking mode; closing the
	// original leaves the socket bound through it.
	_ = conn.Close()
	return so
}

// enterPoller gives the socket to Go's poller for Run to wait on. It
// costs a few system calls, once per stretch without ticks: at the
// answer, and when a leg leaves its room's mixer.
func (so *socket) enterPoller() error {
	so.mu.Lock()
	defer so.mu.Unlock()
	if so.closed {
		return errSocketClosed
	}
	if so.pc != nil {
		return nil
	}
	// The net package takes a descriptor only from an os.File, which owns
	// it: give it a duplicate, so that a failure leaves fd as it was.
	dup, err := unix.FcntlInt(uintptr(so.fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("rtpsession: dup: %w", err)
	}
	f := os.NewFile(uintptr(dup), "rtp")
	c, err := net.FilePacketConn(f)
	_ = f.Close()
	if err != nil {
		return fmt.Errorf("rtpsession: into the poller: %w", err)
	}
	pc, ok := c.(*net.UDPConn)
	var raw syscall.RawConn
	if ok {
		raw, err = pc.SyscallConn()
	}
	fd := -1
	if ok && err == nil {
		err = raw.Control(func(d uintptr) { fd = int(d) })
	}
	if !ok || err != nil || fd < 0 {
		_ = c.Close()
		return fmt.Errorf("rtpsession: into the poller: %T, %v", c, err)
	}
	// pc's descriptor stays open until pc is closed, which only Run (by
	// leavePoller) and shut do, each after taking it out of so.
	_ = unix.Close(so.fd)
	so.fd, so.pc, so.raw = fd, pc, raw
	return nil
}

// leavePoller takes the socket back out of the poller once ticks read it,
// so that its packets no longer wake the poller's thread.
func (so *socket) leavePoller() error {
	so.mu.Lock()
	pc := so.pc
	if so.closed || pc == nil {
		so.mu.Unlock()
		return nil
	}
	dup, err := unix.FcntlInt(uintptr(so.fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		// Still in the poller: correct, only dearer.
		so.mu.Unlock()
		return nil
	}
	so.fd, so.pc, so.raw = dup, nil, nil
	so.mu.Unlock()
	// Outside mu: Close waits for pc's users, and nothing uses it now.
	return pc.Close()
}

func (so *socket) recv(fd int, b *recvBatch) int {
	for i := range b.msgs {
		b.msgs[i].hdr.Namelen = unix.SizeofSockaddrInet6
		b.msgs[i].hdr.SetControllen(cmsgSpace)
	}
	n, _, errno := unix.Syscall6(unix.SYS_RECVMMSG, uintptr(fd), uintptr(unsafe.Pointer(&b.msgs[0])),
		drainBatch, unix.MSG_DONTWAIT, 0, 0)
	if errno != 0 {
		return 0 // an empty socket ends the drain
	}
	return int(n)
}

// drain hands every datagram queued on the socket to receive, with its
// kernel arrival time. It reports how many it read and whether any showed
// the phone alive.
func (so *socket) drain(receive func(b []byte, from netip.AddrPort, at time.Time) bool) (read int, alive bool) {
	so.mu.RLock()
	defer so.mu.RUnlock()
	if so.closed {
		return 0, false
	}
	b := batches.Get().(*recvBatch)
	defer batches.Put(b)
	for range drainRounds {
		got := so.recv(so.fd, b)
		read += got
		for i := range got {
			from, ok := sockaddrAddrPort(&b.names[i])
			if !ok {
				continue
			}
			n := min(int(b.msgs[i].len), readBufferSize)
			if receive(b.bufs[i][:n], from, arrival(b.oob[i][:b.msgs[i].hdr.Controllen])) {
				alive = true
			}
		}
		if got < drainBatch {
			break
		}
	}
	return read, alive
}

var (
	errSendFailed   = errors.New("rtpsession: send refused")
	errSocketClosed = errors.New("rtpsession: socket closed")
	errFamily       = errors.New("rtpsession: an IPv6 peer on an IPv4 socket")
)

// send writes one datagram to to without blocking. One goroutine sends at
// a time (the prompt player, then the mixer tick, never both): the
// destination it keeps is not guarded against two.
func (so *socket) send(p []byte, to netip.AddrPort) error {
	so.mu.RLock()
	defer so.mu.RUnlock()
	if so.closed {
		return errSocketClosed
	}
	if to != so.saFor {
		if err := so.setDestination(to); err != nil {
			return err
		}
	}
	_, _, errno := unix.Syscall6(unix.SYS_SENDTO, uintptr(so.fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)),
		unix.MSG_DONTWAIT, uintptr(unsafe.Pointer(&so.sa[0])), uintptr(so.saLen))
	if errno != 0 {
		return errors.Join(errSendFailed, errno)
	}
	return nil
}

// wake ends Run's wait in progress, or its next one: Run sets its deadline
// before it looks at what would make it stop.
func (so *socket) wake() {
	so.mu.RLock()
	defer so.mu.RUnlock()
	if so.pc != nil {
		_ = so.pc.SetReadDeadline(time.Unix(1, 0))
	}
}

// shut closes the socket's descriptor once nothing uses it, which ends
// Run's wait.
func (so *socket) shut() error {
	so.mu.Lock()
	if so.closed {
		so.mu.Unlock()
		return nil
	}
	so.closed = true
	pc, fd := so.pc, so.fd
	so.pc, so.raw, so.fd = nil, nil, -1
	so.mu.Unlock()
	if pc != nil {
		// Outside mu: Close waits for Run's read, which may be draining
		// and so waiting for mu.
		return pc.Close()
	}
	if fd >= 0 {
		return unix.Close(fd)
	}
	return nil
}

// setDestination builds the sockaddr for to. An IPv6 peer cannot be
// reached from an IPv4 socket, whatever its SDP said: that is an error for
// the caller to count, never a panic.
func (so *socket) setDestination(to netip.AddrPort) error {
	if !so.inet6 && !to.Addr().Unmap().Is4() {
		return errFamily
	}
	so.saFor = to
	so.sa = [unix.SizeofSockaddrInet6]byte{}
	port := to.Port()
	if so.inet6 {
		sa := (*unix.RawSockaddrInet6)(unsafe.Pointer(&so.sa[0]))
		sa.Family = unix.AF_INET6
		binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:], port)
		sa.Addr = to.Addr().As16()
		so.saLen = unix.SizeofSockaddrInet6
		return nil
	}
	sa := (*unix.RawSockaddrInet4)(unsafe.Pointer(&so.sa[0]))
	sa.Family = unix.AF_INET
	binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:], port)
	sa.Addr = to.Addr().Unmap().As4()
	so.saLen = unix.SizeofSockaddrInet4
	return nil
}

// sockaddrAddrPort reads the source of a datagram; IPv4-mapped sources come
// out as IPv4, as everywhere else in the session.
func sockaddrAddrPort(n *unix.RawSockaddrInet6) (netip.AddrPort, bool) {
	switch n.Family {
	case unix.AF_INET6:
		port := binary.BigEndian.Uint16((*[2]byte)(unsafe.Pointer(&n.Port))[:])
		return netip.AddrPortFrom(netip.AddrFrom16(n.Addr).Unmap(), port), true
	case unix.AF_INET:
		v4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(n))
		port := binary.BigEndian.Uint16((*[2]byte)(unsafe.Pointer(&v4.Port))[:])
		return netip.AddrPortFrom(netip.AddrFrom4(v4.Addr), port), true
	}
	return netip.AddrPort{}, false
}

// arrival reads the SCM_TIMESTAMPNS message; without one the packet counts
// as arriving now.
func arrival(oob []byte) time.Time {
	if len(oob) >= cmsgSpace {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&oob[0]))
		if h.Level == unix.SOL_SOCKET && h.Type == unix.SCM_TIMESTAMPNS && h.Len >= cmsgSpace {
			ts := (*unix.Timespec)(unsafe.Pointer(&oob[unix.SizeofCmsghdr]))
			return time.Unix(int64(ts.Sec), int64(ts.Nsec))
		}
	}
	return time.Now()
}
