package sip

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"
)

// TCPLimits bound what a stranger can hold over SIP-TCP: sipgo serves
// every connection it accepts for as long as the peer keeps it, with a 32 KB
// read buffer and, once a message's headers are in, its whole declared body
// allocated up front. Zero in any field means no limit.
type TCPLimits struct {
	// MaxConns caps SIP-TCP connections open at once from all sources.
	MaxConns int
	// MaxConnsPerSource caps them per source (as WithSources says), so
	// that one host cannot take the whole of MaxConns.
	MaxConnsPerSource int
	// IdleTimeout closes a connection that sent nothing for this long
	// between messages, unless a call still rides on it.
	IdleTimeout time.Duration
	// MessageTimeout closes a connection whose message is not whole this
	// long after its first byte arrived.
	MessageTimeout time.Duration
}

// DefaultTCPLimits are the limits a Server has unless WithTCPLimits says
// otherwise; serve's flags default to the same.
var DefaultTCPLimits = TCPLimits{
	// A phone keeps one connection and a proxy a few; 32 leave room for an
	// office behind one NAT while 32 such offices still fit in 1024, which
	// costs at most about 100 MB even if every connection holds a message
	// of the largest size.
	MaxConns:          1024,
	MaxConnsPerSource: 32,
	// RFC 5626 (4.4.1) has a client keep its flow alive with a CRLF ping
	// every 95 to 120 s by default; 150 s lets such a client, one round
	// trip late, keep its connection, and frees an abandoned one within
	// three minutes.
	IdleTimeout: 150 * time.Second,
	// A SIP message is a few KB and even the largest one allowed takes
	// under 10 s at 64 kbit/s, so 10 s cuts only a peer that trickles a
	// message to keep its buffers held.
	MessageTimeout: 10 * time.Second,
}

// Why a SIP-TCP connection was refused at accept (TCPStats.Refused).
const (
	// RefuseTCPConns: MaxConns connections were open.
	RefuseTCPConns = "max_conns"
	// RefuseTCPConnsBySource: MaxConnsPerSource were open from its source.
	RefuseTCPConnsBySource = "max_conns_per_source"
)

// Why the gateway closed a SIP-TCP connection (TCPStats.Closed).
const (
	// CloseTCPIdle: nothing arrived for IdleTimeout and no call used it.
	CloseTCPIdle = "idle"
	// CloseTCPSlowMessage: a message was not whole within MessageTimeout.
	CloseTCPSlowMessage = "message_timeout"
	// CloseTCPTooLarge: a message was over the size limit; it was answered
	// 513 Message Too Large when its headers allowed.
	CloseTCPTooLarge = "too_large"
)

// TCPStats are the SIP-TCP guard's counters, for metrics.
type TCPStats struct {
	// Open is how many accepted connections are open now.
	Open int
	// Refused counts connections closed at accept, by RefuseTCP* reason.
	Refused map[string]uint64
	// Closed counts connections the gateway cut, by CloseTCP* reason.
	Closed map[string]uint64
}

// Bounds of the rejection path: how long a 513 may take to write, and how
// long and how much of the rest of the refused message is read and dropped
// before the close, so the 513 is not lost to the reset that closing a
// socket with unread data sends.
const (
	rejectWriteTimeout = 2 * time.Second
	rejectLinger       = time.Second
)

// headKeep is how much of a message's header section a connection keeps to
// answer 513 with: a real request's headers are one or two KB, and one with
// more is closed without an answer rather than kept whole.
const headKeep = 8 << 10

// tcpGuard is the listener sipgo serves SIP-TCP on: it refuses connections
// over the caps at accept, and wraps the others in guardedConns.
type tcpGuard struct {
	net.Listener
	lim      TCPLimits
	maxMsg   int
	sourceOf func(netip.Addr) netip.Prefix
	log      *slog.Logger
	// busy tells whether a call still uses the connection from raddr, which
	// then outlives IdleTimeout: our BYE must reach a phone behind NAT over
	// it, and a phone need not send anything during a long call.
	busy func(raddr string) bool

	mu     sync.Mutex
	open   int
	bySrc  map[netip.Prefix]int
	refCap atomic.Uint64
	refSrc atomic.Uint64
	idle   atomic.Uint64
	slow   atomic.Uint64
	large  atomic.Uint64
}

func newTCPGuard(l net.Listener, cfg config, log *slog.Logger, busy func(string) bool) *tcpGuard {
	of := cfg.sourceOf
	if of == nil {
		of = func(a netip.Addr) netip.Prefix { return netip.PrefixFrom(a, a.BitLen()) }
	}
	return &tcpGuard{Listener: l, lim: cfg.tcpLimits, maxMsg: cfg.maxMessage, sourceOf: of, log: log, busy: busy, bySrc: map[netip.Prefix]int{}}
}

// Accept returns the next connection within the caps; those over them are
// closed at once with a reset, which leaves no TIME_WAIT on our side.
func (g *tcpGuard) Accept() (net.Conn, error) {
	for {
		c, err := g.Listener.Accept()
		if err != nil {
			return nil, err
		}
		src := g.sourceOfConn(c.RemoteAddr())
		reason := g.admit(src)
		if reason == "" {
			gc := &guardedConn{Conn: c, g: g, src: src}
			if tc, ok := c.(*tls.Conn); ok {
				gc.tls, gc.msgStart = tc, time.Now()
			}
			return gc, nil
		}
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		_ = c.Close()
		g.log.Warn("SIP-TCP connection refused", "reason", reason, "source", src.String())
	}
}

// admit counts a new connection from src in, or tells which cap refuses it.
func (g *tcpGuard) admit(src netip.Prefix) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case g.lim.MaxConns > 0 && g.open >= g.lim.MaxConns:
		g.refCap.Add(1)
		return RefuseTCPConns
	case g.lim.MaxConnsPerSource > 0 && g.bySrc[src] >= g.lim.MaxConnsPerSource:
		g.refSrc.Add(1)
		return RefuseTCPConnsBySource
	}
	g.open++
	g.bySrc[src]++
	return ""
}

func (g *tcpGuard) release(src netip.Prefix) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.open--
	if g.bySrc[src]--; g.bySrc[src] <= 0 {
		delete(g.bySrc, src)
	}
}

func (g *tcpGuard) stats() TCPStats {
	g.mu.Lock()
	open := g.open
	g.mu.Unlock()
	return TCPStats{
		Open:    open,
		Refused: map[string]uint64{RefuseTCPConns: g.refCap.Load(), RefuseTCPConnsBySource: g.refSrc.Load()},
		Closed: map[string]uint64{
			CloseTCPIdle: g.idle.Load(), CloseTCPSlowMessage: g.slow.Load(), CloseTCPTooLarge: g.large.Load(),
		},
	}
}

// sourceOfConn is the source a connection counts against; one whose
// address is not IP (never, from a TCP listener) counts as the zero
// prefix.
func (g *tcpGuard) sourceOfConn(a net.Addr) netip.Prefix {
	if ta, ok := a.(*net.TCPAddr); ok {
		if ip, ok := netip.AddrFromSlice(ta.IP); ok {
			return g.sourceOf(ip.Unmap())
		}
	}
	return netip.Prefix{}
}

// guardedConn enforces the idle and message deadlines and the size limit on
// what sipgo reads. It follows message boundaries itself (header section,
// then Content-Length bytes) so as to know when a message starts and ends,
// and to refuse an oversized one before sipgo allocates its body. Only
// sipgo's one reading goroutine calls Read.
type guardedConn struct {
	net.Conn
	g       *tcpGuard
	src     netip.Prefix
	release sync.Once

	frame framer
	// tls is the connection while its handshake is unfinished, which
	// counts as a message begun at accept: a peer that stalls it holds
	// the connection no longer than one that stalls a message.
	tls      *tls.Conn
	msgStart time.Time
	deadline time.Time
	ended    bool
}

// errRejected ends a connection the guard has given up on; sipgo only
// sees io.EOF, which it closes quietly, as the guard logged why.
var errRejected = io.EOF

// Read reads the next bytes within the connection's deadlines and hands
// sipgo no byte of a message over the size limit.
func (c *guardedConn) Read(p []byte) (int, error) {
	if c.ended {
		return 0, errRejected
	}
	for {
		c.setDeadline()
		n, err := c.Conn.Read(p)
		if n > 0 {
			r := c.frame.feed(p[:n], c.g.maxMsg)
			if r.started {
				c.msgStart = time.Now()
			}
			if r.tooLarge {
				c.ended = true
				c.rejectTooLarge()
				if r.keep > 0 {
					return r.keep, nil
				}
				return 0, errRejected
			}
			return n, err
		}
		if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
			if c.frame.inMsg || c.tls != nil {
				c.ended = true
				c.g.slow.Add(1)
				c.g.log.Warn("SIP-TCP message not whole in time: connection closed",
					"source", c.src.String(), "timeout", c.g.lim.MessageTimeout, "received", c.frame.size)
				return 0, errRejected
			}
			if c.g.busy != nil && c.g.busy(c.RemoteAddr().String()) {
				continue
			}
			c.ended = true
			c.g.idle.Add(1)
			c.g.log.Debug("SIP-TCP connection idle: closed", "source", c.src.String(), "timeout", c.g.lim.IdleTimeout)
			return 0, errRejected
		}
		return n, err
	}
}

// setDeadline puts the read deadline at the earlier of the idle timeout
// from now and the current message's deadline.
func (c *guardedConn) setDeadline() {
	if c.tls != nil && c.tls.ConnectionState().HandshakeComplete {
		c.tls = nil
	}
	var d time.Time
	if (c.frame.inMsg || c.tls != nil) && c.g.lim.MessageTimeout > 0 {
		d = c.msgStart.Add(c.g.lim.MessageTimeout)
	}
	if c.g.lim.IdleTimeout > 0 {
		if i := time.Now().Add(c.g.lim.IdleTimeout); d.IsZero() || i.Before(d) {
			d = i
		}
	}
	if d.Equal(c.deadline) {
		return
	}
	c.deadline = d
	_ = c.Conn.SetReadDeadline(d)
}

// rejectTooLarge answers the message being read 513 when its headers make
// a request to answer, then lingers briefly over what the peer still sends.
func (c *guardedConn) rejectTooLarge() {
	c.g.large.Add(1)
	res := tooLargeResponse(c.frame.head, c.RemoteAddr().String())
	if res != nil {
		_ = c.Conn.SetWriteDeadline(time.Now().Add(rejectWriteTimeout))
		if _, err := c.Conn.Write(res); err != nil {
			res = nil
		}
	}
	c.g.log.Warn("SIP-TCP message over the size limit: connection closed",
		"source", c.src.String(), "size", c.frame.declared(), "max", c.g.maxMsg, "answered_513", res != nil)
	c.frame.head = nil
	if tc, ok := c.Conn.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	}
	_ = c.Conn.SetReadDeadline(time.Now().Add(rejectLinger))
	var sink [4096]byte
	for left := 2 * c.g.maxMsg; left > 0; {
		n, err := c.Conn.Read(sink[:])
		left -= n
		if err != nil {
			break
		}
	}
}

// Close closes the connection and counts it out of the caps, once.
func (c *guardedConn) Close() error {
	c.release.Do(func() { c.g.release(c.src) })
	return c.Conn.Close()
}

// tooLargeResponse is the 513 for the request whose header section starts
// head (cut to whole lines), or nil when head is not a request that can be
// answered: a response, an ACK, or one missing what a response copies.
func tooLargeResponse(head []byte, raddr string) []byte {
	i := bytes.LastIndex(head, []byte("\r\n"))
	if i < 0 {
		return nil
	}
	block := append(bytes.Clone(head[:i+2]), "\r\n"...)
	msg, _, err := sipmsg.NewParser().ParseHeaders(block, true)
	if err != nil {
		return nil
	}
	req, ok := msg.(*sipmsg.Request)
	if !ok || req.IsAck() || req.Via() == nil || req.From() == nil || req.To() == nil || req.CallID() == nil || req.CSeq() == nil {
		return nil
	}
	req.SetSource(raddr)
	res := sipmsg.NewResponseFromRequest(req, 513, "Message Too Large", nil)
	res.SetBody(nil)
	return []byte(res.String())
}

// framer follows SIP message boundaries on a stream as RFC 3261 (7.5,
// 18.3) draws them: CRLFs between messages are skipped (they are RFC 5626
// keep-alives), a message is its header section up to the empty line, then
// Content-Length bytes of body. It keeps only a few bytes of each header
// line, enough to read Content-Length, and the first headKeep bytes of the
// header section for a 513.
type framer struct {
	inMsg    bool
	inBody   bool
	size     int // bytes of the current message so far
	bodyLeft int
	length   int // the last Content-Length seen, -1 for none

	line lineScan
	head []byte
}

// feedResult is what one chunk did: whether a message started in it, and
// whether a message went over the size limit, then how many leading bytes
// of the chunk belong to earlier messages and may still be parsed.
type feedResult struct {
	started  bool
	tooLarge bool
	keep     int
}

// maxLength stands for any Content-Length past it, so that the sum with
// the header size cannot overflow.
const maxLength = 1 << 40

func (f *framer) feed(p []byte, max int) feedResult {
	var r feedResult
	begin := 0 // where the current message began in p; 0 if before p
	for i := 0; i < len(p); i++ {
		if !f.inMsg {
			if p[i] == '\r' || p[i] == '\n' {
				continue
			}
			f.start()
			r.started, begin = true, i
		}
		if f.inBody {
			k := min(f.bodyLeft, len(p)-i)
			f.bodyLeft -= k
			f.size += k
			i += k - 1
			if f.bodyLeft == 0 {
				f.inMsg = false
			}
			continue
		}
		b := p[i]
		f.size++
		if len(f.head) < headKeep {
			f.head = append(f.head, b)
		}
		if b != '\n' {
			f.line.add(b)
			if f.size > max {
				r.tooLarge, r.keep = true, begin
				return r
			}
			continue
		}
		if !f.line.any {
			// The empty line: the header section is over.
			if f.length < 0 {
				f.length = 0 // sipgo refuses such a message itself
			}
			if f.size+f.length > max {
				r.tooLarge, r.keep = true, begin
				return r
			}
			f.inBody, f.bodyLeft = f.length > 0, f.length
			f.inMsg = f.inBody
			continue
		}
		if n, ok := f.line.contentLength(); ok {
			f.length = n
		}
		f.line = lineScan{}
		if f.size > max {
			r.tooLarge, r.keep = true, begin
			return r
		}
	}
	return r
}

func (f *framer) start() {
	f.inMsg, f.inBody = true, false
	f.size, f.bodyLeft, f.length = 0, 0, -1
	f.line = lineScan{}
	f.head = f.head[:0]
}

// declared is the size the current message would have: its header section
// so far plus its Content-Length, for the log.
func (f *framer) declared() int { return f.size + max(f.length, 0) }

// lineScan reads one header line byte by byte, keeping its name (lower
// case, white space dropped) up to the colon and, for Content-Length, the
// value.
type lineScan struct {
	any      bool // any byte other than CR
	name     [len("content-length")]byte
	nameLen  int
	nameOver bool
	colon    bool
	value    int
	digits   bool
	bad      bool
}

func (l *lineScan) add(b byte) {
	if b == '\r' {
		return
	}
	l.any = true
	switch {
	case b == ' ' || b == '\t':
	case !l.colon && b == ':':
		l.colon = true
	case !l.colon:
		if l.nameLen == len(l.name) {
			l.nameOver = true
			return
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		l.name[l.nameLen] = b
		l.nameLen++
	case '0' <= b && b <= '9':
		l.value = min(l.value*10+int(b-'0'), maxLength)
		l.digits = true
	default:
		l.bad = true
	}
}

// contentLength is the line's Content-Length (or its compact form, l).
func (l *lineScan) contentLength() (int, bool) {
	if !l.colon || l.nameOver || !l.digits || l.bad {
		return 0, false
	}
	switch string(l.name[:l.nameLen]) {
	case "content-length", "l":
		return l.value, true
	}
	return 0, false
}
