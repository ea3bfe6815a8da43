package rtpsession

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"sync"
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

// socket is a leg's UDP socket as the mixer tick uses it: read without
// blocking and written without a deadline, by raw system calls, so that a
// tick costs one recvmmsg and one sendto per leg and wakes no goroutine.
// The calls go through Control, not Read and Write: those take the lock a
// blocked read in Run holds, and MSG_DONTWAIT never needs the poller. A
// full send buffer drops the packet rather than stall the tick.
type socket struct {
	raw   syscall.RawConn
	inet6 bool // the socket is AF_INET6: IPv4 peers go as mapped addresses

	// Set before raw.Read or raw.Write, read by the callbacks, which are
	// built once in newSocket so that calling them allocates nothing.
	batch   *recvBatch
	got     int
	out     []byte
	sa      [unix.SizeofSockaddrInet6]byte
	saLen   uint32
	saFor   netip.AddrPort
	sendErr syscall.Errno
	readFn  func(fd uintptr)
	sendFn  func(fd uintptr)
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

// newSocket prepares conn for tick-driven use. It returns nil when the
// socket cannot be used that way; the session then keeps the portable path.
func newSocket(conn *net.UDPConn) *socket {
	raw, err := conn.SyscallConn()
	if err != nil {
		return nil
	}
	so := &socket{raw: raw}
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
		cerr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
	})
	if err != nil || cerr != nil {
		return nil
	}
	so.readFn = so.recv
	so.sendFn = so.sendto
	return so
}

func (so *socket) recv(fd uintptr) {
	b := so.batch
	for i := range b.msgs {
		b.msgs[i].hdr.Namelen = unix.SizeofSockaddrInet6
		b.msgs[i].hdr.SetControllen(cmsgSpace)
	}
	n, _, errno := unix.Syscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&b.msgs[0])),
		drainBatch, unix.MSG_DONTWAIT, 0, 0)
	so.got = int(n)
	if errno != 0 {
		so.got = 0 // an empty socket ends the drain
	}
}

func (so *socket) sendto(fd uintptr) {
	_, _, so.sendErr = unix.Syscall6(unix.SYS_SENDTO, fd, uintptr(unsafe.Pointer(&so.out[0])), uintptr(len(so.out)),
		unix.MSG_DONTWAIT, uintptr(unsafe.Pointer(&so.sa[0])), uintptr(so.saLen))
}

// drain hands every datagram queued on the socket to receive, with its
// kernel arrival time, and reports whether any showed the phone alive.
func (so *socket) drain(receive func(b []byte, from netip.AddrPort, at time.Time) bool) bool {
	b := batches.Get().(*recvBatch)
	defer batches.Put(b)
	so.batch = b
	alive := false
	for range drainRounds {
		if err := so.raw.Control(so.readFn); err != nil || so.got == 0 {
			break
		}
		for i := range so.got {
			from, ok := sockaddrAddrPort(&b.names[i])
			if !ok {
				continue
			}
			n := min(int(b.msgs[i].len), readBufferSize)
			if receive(b.bufs[i][:n], from, arrival(b.oob[i][:b.msgs[i].hdr.Controllen])) {
				alive = true
			}
		}
		if so.got < drainBatch {
			break
		}
	}
	so.batch = nil
	return alive
}

var errSendFailed = errors.New("rtpsession: send refused")

// send writes one datagram to to without blocking.
func (so *socket) send(p []byte, to netip.AddrPort) error {
	if to != so.saFor {
		so.setDestination(to)
	}
	so.out = p
	err := so.raw.Control(so.sendFn)
	so.out = nil
	if err != nil {
		return err
	}
	if so.sendErr != 0 {
		return errors.Join(errSendFailed, so.sendErr)
	}
	return nil
}

func (so *socket) setDestination(to netip.AddrPort) {
	so.saFor = to
	so.sa = [unix.SizeofSockaddrInet6]byte{}
	port := to.Port()
	if so.inet6 {
		sa := (*unix.RawSockaddrInet6)(unsafe.Pointer(&so.sa[0]))
		sa.Family = unix.AF_INET6
		binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:], port)
		sa.Addr = to.Addr().As16()
		so.saLen = unix.SizeofSockaddrInet6
		return
	}
	sa := (*unix.RawSockaddrInet4)(unsafe.Pointer(&so.sa[0]))
	sa.Family = unix.AF_INET
	binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:], port)
	sa.Addr = to.Addr().Unmap().As4()
	so.saLen = unix.SizeofSockaddrInet4
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
