package sip_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/confgw/confgw/internal/sipraw"
	confsip "github.com/confgw/confgw/sip"
)

// dialFrom opens a TCP connection to addr from the loopback address ip,
// which is a source of its own.
func dialFrom(t *testing.T, ip, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: deadline}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dialling from %s: %v", ip, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// optionsStatusOver sends an OPTIONS on c and returns the status of its
// answer, or 0 with the error when none came.
func optionsStatusOver(c net.Conn) (int, error) {
	local := c.LocalAddr().String()
	req := fmt.Sprintf("OPTIONS sip:demo@%s SIP/2.0\r\nVia: SIP/2.0/TCP %s;branch=z9hG4bK%d\r\n"+
		"Max-Forwards: 70\r\nFrom: <sip:t@%s>;tag=1\r\nTo: <sip:demo@%s>\r\nCall-ID: %d@test\r\n"+
		"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
		c.RemoteAddr(), local, time.Now().UnixNano(), local, c.RemoteAddr(), time.Now().UnixNano())
	_ = c.SetDeadline(time.Now().Add(deadline))
	if _, err := c.Write([]byte(req)); err != nil {
		return 0, err
	}
	head, err := readHead(bufio.NewReader(c))
	if err != nil {
		return 0, err
	}
	return sipraw.StatusOf(head), nil
}

// readHead reads a message's start line and headers.
func readHead(r *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		line, err := r.ReadString('\n')
		b.WriteString(line)
		if err != nil {
			return b.String(), err
		}
		if line == "\r\n" && b.Len() > 2 {
			return b.String(), nil
		}
	}
}

// refused tells whether the server shuts a new connection from ip at once:
// its reset may come before the connect call returns, or after.
func refused(t *testing.T, ip, addr string) bool {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: deadline}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		return errors.Is(err, syscall.ECONNRESET)
	}
	defer c.Close()
	return closedByServer(c)
}

// closedByServer tells whether the server closes c within the test's
// deadline, reading and dropping what it sends until then.
func closedByServer(c net.Conn) bool {
	_ = c.SetReadDeadline(time.Now().Add(deadline))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestTheConnectionPastThePerSourceCapIsRefusedWhileAnotherSourceStillConnects(t *testing.T) {
	srv := startServer(t, nil, confsip.WithTCPLimits(confsip.TCPLimits{MaxConnsPerSource: 3}))
	for range 3 {
		dialFrom(t, "127.0.0.1", srv.Addr())
	}
	waitFor(t, "3 connections are open", func() bool { return srv.TCPStats().Open == 3 })
	if !refused(t, "127.0.0.1", srv.Addr()) {
		t.Fatal("a 4th connection from 127.0.0.1 was kept")
	}
	if n := srv.TCPStats().Refused[confsip.RefuseTCPConnsBySource]; n != 1 {
		t.Errorf("refused per source: %d, want 1", n)
	}
	other := dialFrom(t, "127.0.0.2", srv.Addr())
	if s, err := optionsStatusOver(other); s != 200 {
		t.Fatalf("OPTIONS from 127.0.0.2: %d %v, want 200", s, err)
	}
}

// WithSources decides what one source is: here all of 127/8 is one host,
// so its second address shares the first's allowance.
func TestWithSourcesGroupsAddressesIntoOneSource(t *testing.T) {
	loopbackNet := netip.MustParsePrefix("127.0.0.0/8")
	srv := startServer(t, nil, confsip.WithTCPLimits(confsip.TCPLimits{MaxConnsPerSource: 1}),
		confsip.WithSources(func(a netip.Addr) netip.Prefix {
			if loopbackNet.Contains(a) {
				return loopbackNet
			}
			return netip.PrefixFrom(a, a.BitLen())
		}))
	dialFrom(t, "127.0.0.1", srv.Addr())
	waitFor(t, "a connection is open", func() bool { return srv.TCPStats().Open == 1 })
	if !refused(t, "127.0.0.2", srv.Addr()) {
		t.Fatal("127.0.0.2 was let in as a source of its own")
	}
}

func TestTheConnectionPastTheGlobalCapIsRefusedUntilOneCloses(t *testing.T) {
	srv := startServer(t, nil, confsip.WithTCPLimits(confsip.TCPLimits{MaxConns: 2}))
	first := dialFrom(t, "127.0.0.1", srv.Addr())
	dialFrom(t, "127.0.0.2", srv.Addr())
	waitFor(t, "2 connections are open", func() bool { return srv.TCPStats().Open == 2 })
	if !refused(t, "127.0.0.3", srv.Addr()) {
		t.Fatal("a 3rd connection was kept")
	}
	if n := srv.TCPStats().Refused[confsip.RefuseTCPConns]; n != 1 {
		t.Errorf("refused by the global cap: %d, want 1", n)
	}
	_ = first.Close()
	waitFor(t, "the closed connection is counted out", func() bool { return srv.TCPStats().Open == 1 })
	if s, err := optionsStatusOver(dialFrom(t, "127.0.0.3", srv.Addr())); s != 200 {
		t.Fatalf("OPTIONS once a connection closed: %d %v, want 200", s, err)
	}
}

func TestAnIdleConnectionIsClosedAfterTheIdleTimeout(t *testing.T) {
	srv := startServer(t, nil, confsip.WithTCPLimits(confsip.TCPLimits{IdleTimeout: 300 * time.Millisecond}))
	c := dialFrom(t, "127.0.0.1", srv.Addr())
	if s, err := optionsStatusOver(c); s != 200 {
		t.Fatalf("OPTIONS: %d %v", s, err)
	}
	if !closedByServer(c) {
		t.Fatal("an idle connection was kept")
	}
	waitFor(t, "the connection is counted out", func() bool { return srv.TCPStats().Open == 0 })
	if n := srv.TCPStats().Closed[confsip.CloseTCPIdle]; n != 1 {
		t.Errorf("closed idle: %d, want 1", n)
	}
}

func TestAConnectionTricklingABodyIsCutAtTheMessageDeadline(t *testing.T) {
	const timeout = 500 * time.Millisecond
	srv := startServer(t, nil, confsip.WithTCPLimits(confsip.TCPLimits{IdleTimeout: time.Minute, MessageTimeout: timeout}))
	c := dialFrom(t, "127.0.0.1", srv.Addr())
	local := c.LocalAddr().String()
	head := "OPTIONS sip:demo@x SIP/2.0\r\nVia: SIP/2.0/TCP " + local + ";branch=z9hG4bKslow\r\n" +
		"From: <sip:t@x>;tag=1\r\nTo: <sip:demo@x>\r\nCall-ID: slow@test\r\nCSeq: 1 OPTIONS\r\n" +
		"Content-Type: text/plain\r\nContent-Length: 60000\r\n\r\n"
	start := time.Now()
	if _, err := c.Write([]byte(head)); err != nil {
		t.Fatal(err)
	}
	// A byte every 50 ms keeps the connection far from idle; only the
	// message's own deadline can cut it.
	stop := make(chan struct{})
	trickled := make(chan struct{})
	go func() {
		defer close(trickled)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if _, err := c.Write([]byte("x")); err != nil {
					return
				}
			}
		}
	}()
	defer func() { close(stop); <-trickled }()
	if !closedByServer(c) {
		t.Fatal("a trickled body was waited for")
	}
	if took := time.Since(start); took < timeout {
		t.Errorf("cut after %v, before the %v message deadline", took, timeout)
	}
	if n := srv.TCPStats().Closed[confsip.CloseTCPSlowMessage]; n != 1 {
		t.Errorf("closed for a slow message: %d, want 1", n)
	}
}

func TestAMessageOverTheSizeLimitIsAnswered513AndItsConnectionClosed(t *testing.T) {
	srv := startServer(t, nil, confsip.WithMaxMessageSize(4096))
	p, err := sipraw.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	// The body is declared, not sent: the answer must not wait for it.
	inv := p.Request("INVITE", "demo", []string{"Content-Type: application/sdp", "Content-Length: 60000"}, "")
	if err := p.Send(inv); err != nil {
		t.Fatal(err)
	}
	res, err := p.Final(deadline)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	if s := sipraw.StatusOf(res); s != 513 {
		t.Fatalf("answered %d, want 513", s)
	}
	for _, h := range []string{"Via", "CSeq", "From"} {
		if got, want := sipraw.Header(res, h), sipraw.Header(inv, h); !strings.HasPrefix(got, want) {
			t.Errorf("513 %s: %q, want the request's %q", h, got, want)
		}
	}
	if !p.ClosedByPeer(deadline) {
		t.Fatal("the connection was kept after the 513")
	}
	if n := srv.TCPStats().Closed[confsip.CloseTCPTooLarge]; n != 1 {
		t.Errorf("closed as too large: %d, want 1", n)
	}
}

func TestAHeaderSectionOverTheSizeLimitClosesItsConnection(t *testing.T) {
	srv := startServer(t, nil, confsip.WithMaxMessageSize(4096))
	p, err := sipraw.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Send(p.Request("OPTIONS", "demo", []string{"Subject: " + strings.Repeat("B", 20000)}, "")); err != nil {
		t.Fatal(err)
	}
	if !p.ClosedByPeer(deadline) {
		t.Fatal("the connection was kept")
	}
	if n := srv.TCPStats().Closed[confsip.CloseTCPTooLarge]; n != 1 {
		t.Errorf("closed as too large: %d, want 1", n)
	}
}

func TestMessagesSplitAnyWayAndKeepAlivesStillGetThrough(t *testing.T) {
	srv := startServer(t, nil, confsip.WithMaxMessageSize(4096))
	c := dialFrom(t, "127.0.0.1", srv.Addr())
	local := c.LocalAddr().String()
	msg := func(n int, body string) string {
		return fmt.Sprintf("OPTIONS sip:demo@x SIP/2.0\r\nVia: SIP/2.0/TCP %s;branch=z9hG4bKs%d\r\n"+
			"From: <sip:t@x>;tag=1\r\nTo: <sip:demo@x>\r\nCall-ID: split%d@test\r\nCSeq: %d OPTIONS\r\n"+
			"Content-Type: text/plain\r\nl : %d\r\n\r\n%s", local, n, n, n, len(body), body)
	}
	// Three messages, each body just under what a miscount of its header
	// would take for the limit, with keep-alives between, sent a few bytes
	// at a time.
	body := strings.Repeat("b", 3500)
	stream := "\r\n\r\n" + msg(1, body) + "\r\n\r\n" + msg(2, body) + msg(3, "")
	_ = c.SetDeadline(time.Now().Add(deadline))
	for i := 0; i < len(stream); i += 700 {
		if _, err := c.Write([]byte(stream[i:min(i+700, len(stream))])); err != nil {
			t.Fatal(err)
		}
	}
	r := bufio.NewReader(c)
	for n := 1; n <= 3; n++ {
		head, err := readHead(r)
		for err == nil && sipraw.StatusOf(head) == 0 {
			head, err = readHead(r) // the pongs to the pings
		}
		if s := sipraw.StatusOf(head); s != 200 {
			t.Fatalf("message %d: %d %v, want 200", n, s, err)
		}
	}
	if st := srv.TCPStats(); st.Closed[confsip.CloseTCPTooLarge] != 0 || st.Open != 1 {
		t.Fatalf("stats %+v, want the connection open and nothing refused", st)
	}
}

func TestAnInviteOverTCPStillMakesACallThatOutlivesTheIdleTimeout(t *testing.T) {
	const idle = 300 * time.Millisecond
	rec := newRecorder()
	srv := startServer(t, rec, confsip.WithTCPLimits(confsip.TCPLimits{
		MaxConns: 4, MaxConnsPerSource: 2, IdleTimeout: idle, MessageTimeout: time.Second,
	}))
	p, err := sipraw.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	inv := p.Request("INVITE", "demo", []string{"Content-Type: application/sdp"}, string(fakeSDP("sendrecv")))
	if err := p.Send(inv); err != nil {
		t.Fatal(err)
	}
	ok, err := p.Final(deadline)
	if err != nil || sipraw.StatusOf(ok) != 200 {
		t.Fatalf("INVITE over TCP: %q %v, want 200", ok, err)
	}
	if err := p.Send(sipraw.InDialog(inv, ok, "ACK", 1)); err != nil {
		t.Fatal(err)
	}
	c := within(t, rec.calls, "answered call")
	within(t, rec.acks, "ACK")
	// A connection opened after the call's last message is cut once idle:
	// by then the call's own connection has been silent longer than that.
	if !closedByServer(dialFrom(t, "127.0.0.1", srv.Addr())) {
		t.Fatal("an idle connection was kept")
	}
	if err := p.Send(sipraw.InDialog(inv, ok, "BYE", 2)); err != nil {
		t.Fatalf("BYE on the call's connection: %v", err)
	}
	if res, err := p.ResponseTo("2 BYE", deadline); err != nil || sipraw.StatusOf(res) != 200 {
		t.Fatalf("BYE after the idle timeout: %q %v, want 200", res, err)
	}
	closedWithin(t, c.Done(), "call end")
}
