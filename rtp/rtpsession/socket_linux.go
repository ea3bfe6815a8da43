//go:build linux && (amd64 || arm64)

package rtpsession

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
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

// socket is a leg's UDP socket on a descriptor of its own, outside Go's
// network poller. Registered there, every packet arriving at any of a
// room's legs woke the runtime's poller thread, only for it to find nobody
// waiting: the mixer tick reads the socket itself (one recvmmsg and one
// sendto per leg and tick, without blocking), and Run polls it only while
// no tick does. A full send buffer drops the packet rather than stall the
// tick.
type socket struct {
	fd     int
	wakeFd int  // an eventfd that ends Run's poll early
	inet6  bool // the socket is AF_INET6: IPv4 peers go as mapped addresses

	// mu is held shared around every use of the descriptors, and
	// exclusively by close: a descriptor number is never used after it is
	// closed and perhaps reused by another socket.
	mu     sync.RWMutex
	closed bool

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
	so := &socket{fd: -1, wakeFd: -1, conn: conn, ports: ports}
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
	if err == nil && cerr == nil {
		so.wakeFd, cerr = unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	}
	if err != nil || cerr != nil {
		so.closeFds()
		return nil
	}
	// The duplicate shares the original's non-blocking mode; closing the
	// original leaves the socket bound through it.
	_ = conn.Close()
	return so
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
// kernel arrival time, and reports whether any showed the phone alive.
func (so *socket) drain(receive func(b []byte, from netip.AddrPort, at time.Time) bool) bool {
	so.mu.RLock()
	defer so.mu.RUnlock()
	if so.closed {
		return false
	}
	b := batches.Get().(*recvBatch)
	defer batches.Put(b)
	alive := false
	for range drainRounds {
		got := so.recv(so.fd, b)
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
	return alive
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

// wait blocks its thread until a datagram is queued, wake is called, or d
// passes, and reports whether one is queued. Only Run waits, and only
// while no tick reads the socket: a thread per such leg (a caller keying
// a PIN, a leg between answer and its first tick) is the price of keeping
// every socket out of the poller.
func (so *socket) wait(d time.Duration) (bool, error) {
	so.mu.RLock()
	defer so.mu.RUnlock()
	if so.closed {
		return false, errSocketClosed
	}
	fds := [2]unix.PollFd{{Fd: int32(so.fd), Events: unix.POLLIN}, {Fd: int32(so.wakeFd), Events: unix.POLLIN}}
	ms := int(min(max(d, time.Millisecond), time.Hour) / time.Millisecond)
	if _, err := unix.Poll(fds[:], ms); err != nil && !errors.Is(err, unix.EINTR) {
		return false, fmt.Errorf("rtpsession: poll: %w", err)
	}
	if fds[1].Revents != 0 {
		var v [8]byte
		_, _ = unix.Read(so.wakeFd, v[:])
	}
	return fds[0].Revents&unix.POLLIN != 0, nil
}

// wake ends a wait in progress, or the next one.
func (so *socket) wake() {
	so.mu.RLock()
	defer so.mu.RUnlock()
	if !so.closed {
		var one [8]byte
		binary.NativeEndian.PutUint64(one[:], 1)
		_, _ = unix.Write(so.wakeFd, one[:])
	}
}

// shut wakes Run's wait, then closes the descriptors once nothing uses
// them.
func (so *socket) shut() error {
	so.wake()
	so.mu.Lock()
	defer so.mu.Unlock()
	if so.closed {
		return nil
	}
	so.closed = true
	return so.closeFds()
}

func (so *socket) closeFds() error {
	var err error
	if so.fd >= 0 {
		err = unix.Close(so.fd)
	}
	if so.wakeFd >= 0 {
		_ = unix.Close(so.wakeFd)
	}
	so.fd, so.wakeFd = -1, -1
	return err
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
