package sipraw

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Peer speaks SIP by hand over one UDP socket or TCP connection, so that it
// can send what no SIP stack would. Its Via and Contact are always its own
// loopback address.
type Peer struct {
	tr   string // "UDP", "TCP" or "TLS", as Via spells it
	host string // the local address, as Via and Contact spell it
	conn net.Conn
	rd   *bufio.Reader
	port int
	seq  int
	// callID is that of the last request built.
	callID string
}

// Dial opens a peer to addr over "udp" or "tcp" (either case).
func Dial(transport, addr string) (*Peer, error) {
	return DialFrom(transport, "127.0.0.1", addr)
}

// DialFrom is Dial from the local address host (any of 127/8 on
// loopback), as another machine would send.
func DialFrom(transport, host, addr string) (*Peer, error) {
	network := strings.ToLower(transport)
	d := net.Dialer{Timeout: Timeout}
	if network == "udp" {
		d.LocalAddr = &net.UDPAddr{IP: net.ParseIP(host)}
	} else {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(host)}
	}
	conn, err := d.Dial(network, addr)
	if err != nil {
		return nil, err
	}
	p := &Peer{tr: strings.ToUpper(transport), host: host, conn: conn, rd: bufio.NewReaderSize(conn, 1<<16)}
	_, port, _ := net.SplitHostPort(conn.LocalAddr().String())
	p.port, _ = strconv.Atoi(port)
	return p, nil
}

// DialTLS opens a peer to addr over TLS, verifying the server as cfg says;
// its requests then use sips: URIs.
func DialTLS(addr string, cfg *tls.Config) (*Peer, error) {
	d := &tls.Dialer{NetDialer: &net.Dialer{Timeout: Timeout}, Config: cfg}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	p := &Peer{tr: "TLS", host: "127.0.0.1", conn: conn, rd: bufio.NewReaderSize(conn, 1<<16)}
	_, port, _ := net.SplitHostPort(conn.LocalAddr().String())
	p.port, _ = strconv.Atoi(port)
	return p, nil
}

// Close closes the socket.
func (p *Peer) Close() error { return p.conn.Close() }

// CallID is the Call-ID of the last request built.
func (p *Peer) CallID() string { return p.callID }

// Request is a well-formed out-of-dialog request to user at the peer's
// remote address, with extra header lines after the usual ones, and body;
// a Content-Length among extra replaces the true one.
func (p *Peer) Request(method, user string, extra []string, body string) string {
	p.seq++
	id := fmt.Sprintf("%d-%d-%d", p.port, p.seq, rand.Uint32())
	host := p.conn.RemoteAddr().String()
	var b strings.Builder
	scheme := "sip"
	if p.tr == "TLS" {
		scheme = "sips"
	}
	fmt.Fprintf(&b, "%s %s:%s@%s SIP/2.0\r\n", method, scheme, user, host)
	fmt.Fprintf(&b, "Via: SIP/2.0/%s %s:%d;branch=z9hG4bK%s;rport\r\n", p.tr, p.host, p.port, id)
	b.WriteString("Max-Forwards: 70\r\n")
	fmt.Fprintf(&b, "From: \"Raw\" <sip:raw@127.0.0.1>;tag=%s\r\n", id)
	fmt.Fprintf(&b, "To: <%s:%s@%s>\r\n", scheme, user, host)
	p.callID = id + "@sipraw"
	fmt.Fprintf(&b, "Call-ID: %s\r\n", p.callID)
	fmt.Fprintf(&b, "CSeq: 1 %s\r\n", method)
	transport := ""
	if p.tr == "TCP" {
		transport = ";transport=tcp"
	}
	fmt.Fprintf(&b, "Contact: <%s:raw@%s:%d%s>\r\n", scheme, p.host, p.port, transport)
	length := true
	for _, l := range extra {
		if strings.HasPrefix(strings.ToLower(l), "content-length:") {
			length = false
		}
		b.WriteString(l + "\r\n")
	}
	if length {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	}
	b.WriteString("\r\n" + body)
	return b.String()
}

// Send writes one message.
func (p *Peer) Send(m string) error {
	_ = p.conn.SetWriteDeadline(time.Now().Add(Timeout))
	_, err := p.conn.Write([]byte(m))
	return err
}

// Read returns the next message received within d; on TCP and TLS
// messages are framed by their Content-Length.
func (p *Peer) Read(d time.Duration) (string, error) {
	_ = p.conn.SetReadDeadline(time.Now().Add(d))
	if p.tr == "UDP" {
		buf := make([]byte, 1<<16)
		n, err := p.conn.Read(buf)
		return string(buf[:n]), err
	}
	var b strings.Builder
	length := 0
	for {
		line, err := p.rd.ReadString('\n')
		b.WriteString(line)
		if err != nil {
			return b.String(), err
		}
		if line == "\r\n" && b.Len() == 2 {
			b.Reset() // keep-alive
			continue
		}
		if line == "\r\n" {
			break
		}
		if k, v, ok := strings.Cut(line, ":"); ok && (strings.EqualFold(strings.TrimSpace(k), "Content-Length") || strings.TrimSpace(k) == "l") {
			length, _ = strconv.Atoi(strings.TrimSpace(v))
		}
	}
	body := make([]byte, length)
	_, err := io.ReadFull(p.rd, body)
	return b.String() + string(body), err
}

// Final waits up to d for a final response to the last request built,
// skipping provisional ones, answers to earlier requests and requests.
func (p *Peer) Final(d time.Duration) (string, error) {
	return p.await(d, func(m string) bool { return true })
}

// ResponseTo waits up to d for a final response whose CSeq is cseq.
func (p *Peer) ResponseTo(cseq string, d time.Duration) (string, error) {
	return p.await(d, func(m string) bool { return Header(m, "CSeq") == cseq })
}

func (p *Peer) await(d time.Duration, match func(string) bool) (string, error) {
	end := time.Now().Add(d)
	for {
		m, err := p.Read(time.Until(end))
		if err != nil {
			return m, err
		}
		if StatusOf(m) >= 200 && Header(m, "Call-ID") == p.callID && match(m) {
			return m, nil
		}
	}
}

// ClosedByPeer tells whether the other side closes the TCP connection
// within d.
func (p *Peer) ClosedByPeer(d time.Duration) bool {
	_ = p.conn.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, p.conn)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

// StatusOf is a response's status code, 0 for anything else.
func StatusOf(m string) int {
	rest, ok := strings.CutPrefix(m, "SIP/2.0 ")
	if !ok || len(rest) < 3 {
		return 0
	}
	n, _ := strconv.Atoi(rest[:3])
	return n
}

// Header is the value of the first header called name in m.
func Header(m, name string) string {
	head, _, _ := strings.Cut(m, "\r\n\r\n")
	for _, l := range strings.Split(head, "\r\n")[1:] {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// InDialog is a request with method and cseq in the dialog that ok (the
// 200) established for invite.
func InDialog(invite, ok, method string, cseq int) string {
	target := strings.Trim(Header(ok, "Contact"), "<>")
	if i := strings.Index(target, ">"); i >= 0 {
		target = target[:i]
	}
	head, _, _ := strings.Cut(invite, "\r\n\r\n")
	via := Header(invite, "Via")
	branch := via[strings.Index(via, "branch=")+len("branch="):]
	branch, _, _ = strings.Cut(branch, ";")
	m := method + " " + target + " SIP/2.0\r\n" + head[strings.Index(head, "\r\n")+2:] + "\r\n\r\n"
	m = ReplaceHeader(m, "Via", "Via: "+strings.Replace(via, branch, branch+method, 1))
	m = ReplaceHeader(m, "To", "To: "+Header(ok, "To"))
	m = ReplaceHeader(m, "CSeq", "CSeq: "+strconv.Itoa(cseq)+" "+method)
	m = ReplaceHeader(m, "Content-Type", "")
	return ReplaceHeader(m, "Content-Length", "Content-Length: 0")
}

// ReplaceHeader replaces the header line called name with line, or drops
// it when line is empty.
func ReplaceHeader(m, name, line string) string {
	head, body, _ := strings.Cut(m, "\r\n\r\n")
	lines := strings.Split(head, "\r\n")
	for i, l := range lines {
		if k, _, ok := strings.Cut(l, ":"); i > 0 && ok && strings.EqualFold(k, name) {
			if line == "" {
				lines = slices.Delete(lines, i, i+1)
			} else {
				lines[i] = line
			}
			break
		}
	}
	return strings.Join(lines, "\r\n") + "\r\n\r\n" + body
}

// Transport is "UDP", "TCP" or "TLS", as Via spells it.
func (p *Peer) Transport() string { return p.tr }

// Port is the peer's own port.
func (p *Peer) Port() int { return p.port }

// Response answers request m with status, copying what a response must
// echo (Via, From, To, Call-ID, CSeq).
func Response(m string, status int, reason string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "SIP/2.0 %d %s\r\n", status, reason)
	for _, h := range []string{"Via", "From", "To", "Call-ID", "CSeq"} {
		fmt.Fprintf(&b, "%s: %s\r\n", h, Header(m, h))
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	return b.String()
}
