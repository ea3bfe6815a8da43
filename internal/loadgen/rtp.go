package loadgen

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/ipv4"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/rtp/rtpwriter"
)

const (
	frameInterval = audio.FrameDuration
	// rtpFixedHeader is the part of an RTP header every packet has, before
	// any CSRCs and extension.
	rtpFixedHeader = 12
	// socketBuffer is asked of the kernel for each socket: a quarter of a
	// second of 256 legs' audio both ways, so a late reader drops nothing.
	socketBuffer = 4 << 20
	// readBatch is how many datagrams one recvmmsg may return.
	readBatch = 64
	// maxCatchUp bounds the frames sent at once after the sender was held
	// up; beyond it frames are skipped, as a real phone's would be lost.
	maxCatchUp = 5
)

// leg is one call's media as the sockets see it. Fields the sender owns
// are touched only under the socket's lock; counters are atomic because
// the report reads them while the reader runs.
type leg struct {
	idx     int
	talker  int // index into talkerFreqs, -1 for a quiet leg
	payload []byte
	remote  *net.UDPAddr
	key     uint64

	// sender's
	hdr    [rtpwriter.HeaderSize]byte
	bufs   [2][]byte
	w      rtpwriter.Writer
	first  bool
	slot   int
	sock   *rtpSocket
	active bool

	// reader's
	lastSeq uint16
	heard   bool

	sent, received, energy, gaps atomic.Uint64
	an                           *analyzer
}

func newLeg(idx, talker int, payload []byte, ssrc uint32, seq uint16, ts uint32) *leg {
	l := &leg{idx: idx, talker: talker, payload: payload, w: rtpwriter.New(ssrc, seq, ts), first: true, slot: -1}
	l.bufs = [2][]byte{l.hdr[:], payload}
	return l
}

// next writes the header of the leg's next packet, a PCMU frame; the first
// carries the marker of a talkspurt's start.
func (l *leg) next() {
	// The header always fits and PCMU's payload type is valid, so there
	// is no error to act on.
	_, _ = l.w.MarshalHeader(l.hdr[:], 0, l.first, l.w.Timestamp())
	l.first = false
	l.w.Advance(frameSamples)
}

// receive accounts one packet from the gateway; only the socket's reader
// calls it.
func (l *leg) receive(pkt []byte) {
	payload, seq, ok := parseRTP(pkt)
	if !ok {
		return
	}
	if l.heard {
		if d := seq - l.lastSeq; d > 1 && d < 0x8000 {
			l.gaps.Add(uint64(d - 1))
		} else if d == 0 || d >= 0x8000 {
			return // duplicate or late: counted once already
		}
	}
	l.heard, l.lastSeq = true, seq
	l.received.Add(1)
	l.energy.Add(frameEnergy(payload))
	if l.an != nil {
		l.an.add(payload)
	}
}

// parseRTP returns a PCMU packet's payload and sequence number.
func parseRTP(p []byte) ([]byte, uint16, bool) {
	if len(p) < rtpFixedHeader || p[0]>>6 != 2 || p[1]&0x7f != 0 {
		return nil, 0, false
	}
	off := rtpFixedHeader + 4*int(p[0]&0x0f)
	if p[0]&0x10 != 0 { // header extension
		if len(p) < off+4 {
			return nil, 0, false
		}
		off += 4 + 4*int(binary.BigEndian.Uint16(p[off+2:]))
	}
	end := len(p)
	if p[0]&0x20 != 0 && end > off { // padding
		end -= int(p[end-1])
	}
	if off > end {
		return nil, 0, false
	}
	return p[off:end], binary.BigEndian.Uint16(p[2:]), true
}

// addrKey packs an IPv4 address and port into a map key that costs no
// allocation to build or hash.
func addrKey(ip net.IP, port int) uint64 {
	if ip4 := ip.To4(); ip4 != nil {
		return uint64(binary.BigEndian.Uint32(ip4))<<16 | uint64(port)
	}
	return 0
}

// rtpSocket carries the media of many legs on one UDP port: every leg on
// it advertises this address, and the gateway's per-leg port tells their
// packets apart.
type rtpSocket struct {
	conn *net.UDPConn
	pc   *ipv4.PacketConn
	port int

	mu   sync.Mutex
	legs []*leg
	out  []ipv4.Message

	demuxMu sync.RWMutex
	byAddr  map[uint64]*leg

	assigned   int // legs placed on the socket, guarded by the pool's lock
	sendErrors atomic.Uint64
	strays     atomic.Uint64
}

func listenRTP(ip net.IP) (*rtpSocket, error) {
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: ip})
	if err != nil {
		return nil, fmt.Errorf("rtp socket on %s: %w", ip, err)
	}
	raiseBuffers(conn, socketBuffer)
	return &rtpSocket{
		conn:   conn,
		pc:     ipv4.NewPacketConn(conn),
		port:   conn.LocalAddr().(*net.UDPAddr).Port,
		byAddr: make(map[uint64]*leg),
	}, nil
}

// start puts an answered leg on the air: the reader knows its source and
// the sender includes it from the next tick.
func (s *rtpSocket) start(l *leg, remote *net.UDPAddr) {
	l.remote, l.key, l.sock = remote, addrKey(remote.IP, remote.Port), s
	s.demuxMu.Lock()
	s.byAddr[l.key] = l
	s.demuxMu.Unlock()
	s.mu.Lock()
	l.slot, l.active = len(s.legs), true
	s.legs = append(s.legs, l)
	s.mu.Unlock()
}

// stop takes l off the air; what it already received stays counted.
func (s *rtpSocket) stop(l *leg) {
	s.mu.Lock()
	if l.active {
		last := len(s.legs) - 1
		moved := s.legs[last]
		s.legs[l.slot], moved.slot = moved, l.slot
		s.legs[last] = nil
		s.legs = s.legs[:last]
		l.active, l.slot = false, -1
	}
	s.mu.Unlock()
	s.demuxMu.Lock()
	if s.byAddr[l.key] == l {
		delete(s.byAddr, l.key)
	}
	s.demuxMu.Unlock()
}

// sendFrame sends one packet for every leg on the socket with as few
// system calls as the kernel allows. Headers live in the legs and payloads
// are shared, so nothing is copied or allocated.
func (s *rtpSocket) sendFrame() {
	s.mu.Lock()
	out := s.out[:0]
	for _, l := range s.legs {
		l.next()
		l.sent.Add(1)
		out = append(out, ipv4.Message{Buffers: l.bufs[:], Addr: l.remote})
	}
	s.out = out
	s.mu.Unlock()
	for len(out) > 0 {
		n, err := s.pc.WriteBatch(out, 0)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// A refused datagram (ICMP from a leg the gateway just
			// closed) fails the call: skip it and carry on with the rest.
			s.sendErrors.Add(1)
			n = max(n, 1)
		}
		out = out[n:]
	}
}

// sendLoop sends a frame for every leg each 20 ms until ctx ends. Frames
// are counted against the start time, not the ticker, so that a late
// wake-up sends the frames it owes and the long-run rate stays 50/s.
func (s *rtpSocket) sendLoop(ctx context.Context, phase time.Duration) {
	select {
	case <-ctx.Done():
		return
	case <-time.After(phase):
	}
	t := time.NewTicker(frameInterval)
	defer t.Stop()
	start := time.Now()
	sent := 0
	for {
		due := int(time.Since(start)/frameInterval) + 1
		if due-sent > maxCatchUp {
			sent = due - maxCatchUp
		}
		for ; sent < due; sent++ {
			s.sendFrame()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// readLoop hands each datagram to the leg whose gateway port sent it,
// until the socket is closed.
func (s *rtpSocket) readLoop() {
	msgs := make([]ipv4.Message, readBatch)
	for i := range msgs {
		msgs[i].Buffers = [][]byte{make([]byte, 1500)}
	}
	for {
		n, err := s.pc.ReadBatch(msgs, 0)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		s.demuxMu.RLock()
		for i := range msgs[:n] {
			m := &msgs[i]
			ua, _ := m.Addr.(*net.UDPAddr)
			var l *leg
			if ua != nil {
				l = s.byAddr[addrKey(ua.IP, ua.Port)]
			}
			if l == nil {
				s.strays.Add(1)
				continue
			}
			l.receive(m.Buffers[0][:m.N])
		}
		s.demuxMu.RUnlock()
	}
}

func (s *rtpSocket) close() error { return s.conn.Close() }
