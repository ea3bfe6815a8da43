package gateway_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/internal/sipphone"
	"github.com/confgw/confgw/internal/sipvicious"
)

// These tests put hostile peers on the other end of the gateway: the
// SIPVicious scanners, which sweep every SIP port reachable on the internet
// and share no code with ours, and hand-made messages no SIP stack would
// send. Whatever they do, the gateway must keep serving, end every call
// they start and keep them out of the conferences.

const (
	// hostileWait bounds waits for cleanup that rides on SIP timers: a
	// transaction whose final response is never acknowledged lasts 64*T1 =
	// 32 s. It only catches hangs; every wait is on a condition.
	hostileWait = 60 * time.Second
	// hostileToolTimeout bounds one scanner run.
	hostileToolTimeout = 30 * time.Second
	// lockedPIN is the PIN of the "locked" conference.
	lockedPIN = "1234"
)

// TestHostilePeers scans a gateway with svmap, svwar and svcrack and throws
// malformed messages at it over UDP and TCP while a caller sits in "demo".
// Afterwards the gateway still answers OPTIONS, the caller is still there,
// new callers join "demo" and "locked" and hear the room, nothing from the
// scan is left in a conference, and once everyone hangs up no call is left.
func TestHostilePeers(t *testing.T) {
	t.Parallel()
	sipvicious.Require(t)
	h := newHarness(t, harnessOptions{})
	locked, err := h.reg.Create(conference.Spec{ID: "locked", Title: "Locked", PIN: lockedPIN})
	if err != nil {
		t.Fatal(err)
	}
	resident := h.dial(h.phone(sipphone.Config{Name: "Resident", User: "+15550301", Tone: 440}), "demo")
	eventually(t, "the resident caller in demo", func() bool { return len(phones(h.demo)) == 1 })

	// The scanners run all at once, and the malformed messages go out
	// meanwhile. (Goroutines rather than parallel subtests: those would
	// queue for -parallel slots behind the package's other tests.)
	scans := hostileScans(t)
	outs := make([]scanOutput, len(scans))
	var wg sync.WaitGroup
	for i, sc := range scans {
		wg.Go(func() { outs[i] = runScan(h, sc) })
	}
	t.Run("malformed", func(t *testing.T) { throwJunk(t, h) })
	wg.Wait()
	for i, sc := range scans {
		t.Run(sc.name, func(t *testing.T) { checkScan(t, sc, outs[i]) })
	}
	if t.Failed() {
		return
	}

	for _, tr := range []string{"UDP", "TCP"} {
		if s := optionsStatus(t, h.srv.Addr(), tr); s != 200 {
			t.Fatalf("OPTIONS over %s after the attack: %d, want 200", tr, s)
		}
	}
	select {
	case <-resident.Done():
		t.Fatal("the resident caller was hung up during the attack")
	default:
	}
	// svwar's INVITEs to demo and locked were answered: wait until those
	// calls are over and only real callers are in the conferences.
	const residentNumber, newcomerNumber = "+15550301", "+15550302"
	within(t, hostileWait, "no scanner left in demo or locked", func() bool {
		return onlyNumbers(phones(h.demo), residentNumber) && len(phones(locked)) == 0
	})

	newcomer := h.dial(h.phone(sipphone.Config{Name: "Newcomer", User: newcomerNumber, Tone: 770}), "demo")
	eventually(t, "the newcomer listed as a connected phone", func() bool {
		ps := phones(h.demo)
		return len(ps) == 2 && onlyNumbers(ps, residentNumber, newcomerNumber) && slices.IndexFunc(ps, func(p conference.Participant) bool {
			return p.Phone.Number == newcomerNumber && p.Phone.State == conference.PhoneConnected && p.Phone.Codec == "PCMU"
		}) >= 0
	})
	eventually(t, "the newcomer and the resident hear each other", func() bool {
		return newcomer.Media.Hears(440) && resident.Media.Hears(770)
	})
	keyer := h.dial(h.phone(sipphone.Config{Name: "Keyer", User: "+15550303", Tone: 1200}), "locked")
	key(t, keyer, lockedPIN+"#")
	eventually(t, "the keyer admitted to locked", func() bool { return len(phones(locked)) == 1 })

	for _, c := range []*sipphone.Call{newcomer, keyer, resident} {
		if err := c.HangUp(ctxT(t)); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "demo and locked empty after the hang-ups", func() bool {
		return len(phones(h.demo)) == 0 && len(phones(locked)) == 0
	})
	within(t, hostileWait, "no SIP call left", func() bool { return h.srv.ActiveCalls() == 0 })
}

// TestHostileAnswerNeverAcknowledged: svcrack "cracks" demo with an INVITE
// that needs no password, so we answer it, and it never acknowledges our
// 200. After 64*T1 (32 s) the gateway must give up on the call (RFC 3261
// §13.3.1.4: with a BYE) and forget it.
func TestHostileAnswerNeverAcknowledged(t *testing.T) {
	t.Parallel()
	sipvicious.Require(t)
	h := newHarness(t, harnessOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), hostileToolTimeout)
	defer cancel()
	out, err := sipvicious.Run(ctx, sipvicious.Options{Tool: "svcrack", Target: h.srv.Addr(),
		Args: []string{"-v", "-m", "INVITE", "-u", "demo", "-r", "1-3", "--requesturi", "sip:demo@" + h.srv.Addr()}})
	if err != nil {
		t.Error(err)
	}
	if !strings.Contains(out, "Does not seem to require authentication") {
		t.Fatalf("svcrack's INVITE was not answered:\n%s", out)
	}
	within(t, hostileWait, "the unacknowledged call forgotten", func() bool {
		return h.srv.ActiveCalls() == 0 && len(phones(h.demo)) == 0
	})
}

// TestHostileRefusedInvitesAreNoCalls: svwar's INVITEs to extensions that
// do not exist get 404, which it acknowledges with a new branch that
// matches no transaction, so each 404 is resent for 32 s (Timer H). The
// refused INVITEs are no calls: they must not count as active, nor keep
// the server from stopping (the harness gives it 20 s) meanwhile.
func TestHostileRefusedInvitesAreNoCalls(t *testing.T) {
	t.Parallel()
	sipvicious.Require(t)
	h := newHarness(t, harnessOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), hostileToolTimeout)
	defer cancel()
	out, err := sipvicious.Run(ctx, sipvicious.Options{Tool: "svwar", Target: h.srv.Addr(),
		Args: []string{"-v", "-m", "INVITE", "-e", "1-5"}})
	if err != nil {
		t.Error(err)
	}
	if !strings.Contains(out, "Ok SIP device found") || !strings.Contains(out, "found nothing") {
		t.Fatalf("svwar did not scan us:\n%s", out)
	}
	eventually(t, "no active call once every INVITE was refused", func() bool { return h.srv.ActiveCalls() == 0 })
}

// TestHostileByeBeforeAck: a caller hangs up as soon as we answer; its BYE
// overtakes its ACK (UDP keeps no order, and the gateway handles each
// message on its own goroutine, so even in order they race). The BYE ends
// the dialog (RFC 3261 §15.1.2): it gets 200, and the late ACK brings no
// one into the conference.
func TestHostileByeBeforeAck(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	media, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer media.Close()
	p := dialRaw(t, "UDP", h.srv.Addr())
	defer p.Close()
	invite := p.request("INVITE", "demo", []string{"Content-Type: application/sdp"}, hostileSDP(media.LocalAddr().(*net.UDPAddr).Port))
	if err := p.send(invite); err != nil {
		t.Fatal(err)
	}
	ok, err := p.final(deadline)
	if err != nil || statusOf(ok) != 200 {
		t.Fatalf("INVITE: %q, %v", ok, err)
	}
	if err := p.send(inDialog(invite, ok, "BYE", 2)); err != nil {
		t.Fatal(err)
	}
	res, err := p.responseTo("2 BYE", deadline)
	if err != nil {
		t.Fatalf("BYE: %v", err)
	}
	if s := statusOf(res); s != 200 {
		t.Errorf("BYE before the ACK answered %d, want 200", s)
	}
	if err := p.send(inDialog(invite, ok, "ACK", 1)); err != nil {
		t.Fatal(err)
	}
	// A round trip after the ACK, so that it has been read.
	if err := p.send(p.request("OPTIONS", "demo", nil, "")); err != nil {
		t.Fatal(err)
	}
	if _, err := p.final(deadline); err != nil {
		t.Fatalf("OPTIONS: %v", err)
	}
	eventually(t, "the hung-up call over and not in demo", func() bool {
		return h.srv.ActiveCalls() == 0 && len(phones(h.demo)) == 0
	})
}

// scan is one scanner run and what its output must show.
type scan struct {
	name  string
	opts  sipvicious.Options
	check func(t *testing.T, out string, target string)
}

func hostileScans(t *testing.T) []scan {
	dir := t.TempDir()
	// Numbers as svwar's -e would give them, with the real conference ids
	// and one that does not exist among them. Fewer than for REGISTER and
	// OPTIONS: svwar acknowledges our 404s with a new branch, which matches
	// no transaction, so each 404 is resent for 32 s (RFC 3261 Timer H),
	// and svwar waits for a 3 s silence before it stops; 30 INVITEs sent
	// together leave that silence between resends.
	var exts []string
	for i := 1; i <= 30; i++ {
		exts = append(exts, strconv.Itoa(i))
		switch i {
		case 10:
			exts = append(exts, "demo")
		case 20:
			exts = append(exts, "locked")
		case 25:
			exts = append(exts, "nosuch")
		}
	}
	extensions := writeLines(t, filepath.Join(dir, "extensions.txt"), exts)
	passwords := writeLines(t, filepath.Join(dir, "passwords.txt"), []string{"1234", "0000", "demo", "password", "confgw"})
	return []scan{
		{name: "svmap", opts: sipvicious.Options{Tool: "svmap", Args: []string{"-vv"}},
			check: func(t *testing.T, out, target string) {
				// It lists us as a SIP device, from our answer to its OPTIONS.
				if !regexp.MustCompile(`\|\s*` + regexp.QuoteMeta(target) + `\s*\|`).MatchString(out) {
					t.Errorf("svmap did not list %s", target)
				}
				mustContain(t, out, "SIP/2.0 200 OK", "Allow: INVITE")
			}},
		{name: "svwar/INVITE", opts: sipvicious.Options{Tool: "svwar", Args: []string{"-v", "-m", "INVITE", "-d", extensions}},
			check: func(t *testing.T, out, _ string) {
				mustContain(t, out, "Ok SIP device found")
				if found := svwarFound(out); !slices.Equal(found, []string{"demo", "locked"}) {
					t.Errorf("svwar found extensions %q, want the two conferences", found)
				}
			}},
		{name: "svwar/REGISTER", opts: sipvicious.Options{Tool: "svwar", Args: []string{"-v", "-m", "REGISTER", "-e", "1-200"}},
			check: func(t *testing.T, out, _ string) {
				// No registrar: every REGISTER gets 405.
				mustContain(t, out, "Ok SIP device found", "method not allowed", "found nothing")
			}},
		{name: "svwar/OPTIONS", opts: sipvicious.Options{Tool: "svwar", Args: []string{"-v", "-m", "OPTIONS", "-e", "1-200"}},
			check: func(t *testing.T, out, _ string) {
				// Every OPTIONS gets the same 200: nothing stands out.
				mustContain(t, out, "Ok SIP device found", "found nothing")
			}},
		{name: "svcrack", opts: sipvicious.Options{Tool: "svcrack", Args: []string{"-vv", "-u", "demo", "-d", passwords}},
			check: func(t *testing.T, out, _ string) {
				// Its REGISTERs are refused, not challenged: nothing to crack.
				mustContain(t, out, "SIP/2.0 405 Method Not Allowed", "found nothing")
				if strings.Contains(out, "The password for") {
					t.Error("svcrack cracked a password")
				}
			}},
	}
}

// scanOutput is what a scanner printed and how its run ended.
type scanOutput struct {
	target, out string
	err         error
}

func runScan(h *harness, sc scan) scanOutput {
	ctx, cancel := context.WithTimeout(context.Background(), hostileToolTimeout)
	defer cancel()
	o := sc.opts
	o.Target = h.srv.Addr()
	out, err := sipvicious.Run(ctx, o)
	return scanOutput{target: o.Target, out: out, err: err}
}

func checkScan(t *testing.T, sc scan, o scanOutput) {
	if o.err != nil {
		t.Error(o.err)
	}
	if strings.Contains(o.out, "Traceback") || strings.Contains(o.out, "Unhandled exception") {
		t.Errorf("%s crashed", sc.opts.Tool)
	}
	sc.check(t, o.out, o.target)
	if t.Failed() {
		t.Logf("%s %v:\n%s", sc.opts.Tool, sc.opts.Args, o.out)
	}
}

var svwarExtension = regexp.MustCompile(`extension '([^']*)' (?:probably )?exists`)

// svwarFound lists the extensions svwar reports, sorted. Its own BYEs to
// the calls we answer get replies it cannot attribute; it reports those as
// extension 'None', which is not ours.
func svwarFound(out string) []string {
	var found []string
	for _, m := range svwarExtension.FindAllStringSubmatch(out, -1) {
		if m[1] != "None" && !slices.Contains(found, m[1]) {
			found = append(found, m[1])
		}
	}
	slices.Sort(found)
	return found
}

// junk is one malformed message. want, when set, is the final status the
// gateway must answer it with; tcpOnly marks messages too big for a
// datagram; closes says the gateway must drop the TCP connection.
type junk struct {
	name    string
	msg     func(p *rawPeer) string
	want    int
	tcpOnly bool
	closes  bool
}

func junkCases() []junk {
	garbage := make([]byte, 1400)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range garbage {
		garbage[i] = byte(r.UintN(256))
	}
	many := make([]string, 3000)
	for i := range many {
		many[i] = fmt.Sprintf("X-Junk-%d: %d", i, i)
	}
	return []junk{
		{name: "binary garbage", msg: func(*rawPeer) string { return string(garbage) }},
		{name: "NUL bytes", msg: func(*rawPeer) string { return strings.Repeat("\x00", 1000) }},
		{name: "CRLF flood", msg: func(*rawPeer) string { return strings.Repeat("\r\n", 20000) }},
		{name: "truncated start line", msg: func(*rawPeer) string { return "INVITE sip:demo@127.0.0.1" }},
		{name: "start line only", msg: func(*rawPeer) string { return "INVITE sip:demo@127.0.0.1 SIP/2.0\r\n\r\n" }},
		{name: "no request URI", msg: func(*rawPeer) string { return "INVITE  SIP/2.0\r\nContent-Length: 0\r\n\r\n" }},
		{name: "unknown SIP version", msg: func(p *rawPeer) string {
			return strings.Replace(p.request("OPTIONS", "demo", nil, ""), "SIP/2.0\r\n", "SIP/7.0\r\n", 1)
		}},
		{name: "NUL inside headers", msg: func(p *rawPeer) string {
			return strings.Replace(p.request("INVITE", "nosuch", nil, ""), "Max-Forwards", "Max-\x00Forwards\x00\x00", 1)
		}},
		{name: "header without colon", msg: func(p *rawPeer) string {
			return p.request("OPTIONS", "demo", []string{"this header has no colon"}, "")
		}},
		{name: "huge header", want: 200, msg: func(p *rawPeer) string {
			return p.request("OPTIONS", "demo", []string{"Subject: " + strings.Repeat("A", 30000)}, "")
		}},
		{name: "datagram past the read buffer", msg: func(p *rawPeer) string {
			return p.request("OPTIONS", "demo", []string{"Subject: " + strings.Repeat("A", 60000)}, "")
		}},
		{name: "three thousand headers", msg: func(p *rawPeer) string { return p.request("OPTIONS", "demo", many, "") }},
		{name: "oversized message", tcpOnly: true, closes: true, msg: func(p *rawPeer) string {
			return p.request("OPTIONS", "demo", []string{"Subject: " + strings.Repeat("B", 200000)}, "")
		}},
		{name: "Content-Length larger than the body", msg: func(p *rawPeer) string {
			return p.request("OPTIONS", "demo", []string{"Content-Type: text/plain", "Content-Length: 999"}, "short")
		}},
		{name: "Content-Length smaller than the body", msg: func(p *rawPeer) string {
			return p.request("INVITE", "nosuch", []string{"Content-Type: application/sdp", "Content-Length: 5"}, hostileSDP(9))
		}},
		{name: "negative Content-Length", msg: func(p *rawPeer) string {
			return p.request("OPTIONS", "demo", []string{"Content-Length: -1"}, "")
		}},
		{name: "Content-Length overflowing", msg: func(p *rawPeer) string {
			return p.request("OPTIONS", "demo", []string{"Content-Length: 99999999999999999999999"}, "")
		}},
		{name: "two Content-Lengths", msg: func(p *rawPeer) string {
			return p.request("OPTIONS", "demo", []string{"Content-Length: 0", "Content-Length: 40"}, "")
		}},
		{name: "INVITE announcing 10 MB", closes: true, msg: func(p *rawPeer) string {
			// Over TCP the gateway must give up past its size limit, not
			// wait for or buffer 10 MB.
			body := hostileSDP(9)
			if p.tr == "TCP" {
				body += strings.Repeat("a=x:"+strings.Repeat("y", 76)+"\r\n", 1300)
			}
			return p.request("INVITE", "demo", []string{"Content-Type: application/sdp", "Content-Length: 10485760"}, body)
		}},
		{name: "INVITE with garbage SDP", want: 400, msg: func(p *rawPeer) string {
			return p.request("INVITE", "demo", []string{"Content-Type: application/sdp"}, "v=0\r\nm=audio banana RTP/AVP 0\r\n"+string(garbage[:200]))
		}},
		{name: "INVITE with binary SDP", want: 400, msg: func(p *rawPeer) string {
			return p.request("INVITE", "locked", []string{"Content-Type: application/sdp"}, string(garbage))
		}},
		{name: "INVITE to nobody", want: 404, msg: func(p *rawPeer) string {
			return p.request("INVITE", "nosuch", []string{"Content-Type: application/sdp"}, hostileSDP(9))
		}},
		{name: "INVITE without Contact", want: 400, msg: func(p *rawPeer) string {
			return dropHeader(p.request("INVITE", "demo", []string{"Content-Type: application/sdp"}, hostileSDP(9)), "Contact")
		}},
		{name: "INVITE without Call-ID", msg: func(p *rawPeer) string {
			return dropHeader(p.request("INVITE", "demo", []string{"Content-Type: application/sdp"}, hostileSDP(9)), "Call-ID")
		}},
		{name: "CSeq overflowing", msg: func(p *rawPeer) string {
			return replaceHeader(p.request("INVITE", "nosuch", []string{"Content-Type: application/sdp"}, hostileSDP(9)), "CSeq", "CSeq: 99999999999999999999 INVITE")
		}},
		{name: "CSeq of another method", msg: func(p *rawPeer) string {
			return replaceHeader(p.request("INVITE", "nosuch", nil, ""), "CSeq", "CSeq: 1 BYE")
		}},
		{name: "re-INVITE to no dialog", want: 481, msg: func(p *rawPeer) string {
			return replaceHeader(p.request("INVITE", "demo", []string{"Content-Type: application/sdp"}, hostileSDP(9)), "To", "To: <sip:demo@127.0.0.1>;tag=nosuchdialog")
		}},
		{name: "BYE to no dialog", want: 481, msg: func(p *rawPeer) string {
			return replaceHeader(p.request("BYE", "demo", nil, ""), "To", "To: <sip:demo@127.0.0.1>;tag=nosuchdialog")
		}},
		{name: "CANCEL of nothing", want: 481, msg: func(p *rawPeer) string { return p.request("CANCEL", "demo", nil, "") }},
		{name: "ACK of nothing", msg: func(p *rawPeer) string {
			return replaceHeader(p.request("ACK", "demo", nil, ""), "To", "To: <sip:demo@127.0.0.1>;tag=nosuchdialog")
		}},
		{name: "response to nothing", msg: func(p *rawPeer) string {
			return "SIP/2.0 200 OK\r\nVia: SIP/2.0/" + p.tr + " 127.0.0.1:" + strconv.Itoa(p.port) + ";branch=z9hG4bKstray\r\n" +
				"From: <sip:confgw@127.0.0.1>;tag=a\r\nTo: <sip:x@127.0.0.1>;tag=b\r\nCall-ID: stray\r\nCSeq: 1 INVITE\r\n" +
				"Contact: <sip:x@127.0.0.1:" + strconv.Itoa(p.port) + ">\r\nContent-Length: 0\r\n\r\n"
		}},
		{name: "unknown method", want: 405, msg: func(p *rawPeer) string { return p.request("FROBNICATE", "demo", nil, "") }},
		{name: "mangled addresses", msg: func(p *rawPeer) string {
			m := replaceHeader(p.request("INVITE", "nosuch", nil, ""), "From", "From: <<<<sip:@@@>>>;tag=;tag=")
			return replaceHeader(m, "To", "To: \"unterminated <sip:demo@127.0.0.1")
		}},
	}
}

// throwJunk sends each malformed message over UDP and over a TCP connection
// of its own, and checks after each that the gateway still answers OPTIONS
// on both.
func throwJunk(t *testing.T, h *harness) {
	addr := h.srv.Addr()
	for _, j := range junkCases() {
		t.Run(j.name, func(t *testing.T) {
			for _, tr := range []string{"UDP", "TCP"} {
				p := dialRaw(t, tr, addr)
				m := j.msg(p)
				if tr == "UDP" && (j.tcpOnly || len(m) > 65000) {
					p.Close()
					continue
				}
				err := p.send(m)
				switch {
				case j.want != 0:
					if err != nil {
						t.Fatalf("%s: %v", tr, err)
					}
					res, err := p.final(deadline)
					if err != nil {
						t.Fatalf("%s: no final response: %v", tr, err)
					}
					if s := statusOf(res); s != j.want {
						t.Errorf("%s: answered %d, want %d", tr, s, j.want)
					}
				case j.closes && tr == "TCP":
					if !p.closedByPeer(deadline) {
						t.Errorf("TCP connection kept open")
					}
				}
				p.Close()
				if s := optionsStatus(t, addr, tr); s != 200 {
					t.Fatalf("OPTIONS over %s afterwards: %d", tr, s)
				}
			}
		})
	}
}

// rawPeer speaks SIP by hand over one UDP socket or TCP connection, so that
// it can send what no SIP stack would. Its Via and Contact are always its
// own loopback address.
type rawPeer struct {
	t    *testing.T
	tr   string
	conn net.Conn
	rd   *bufio.Reader
	port int
	seq  int
	// callID is that of the last request built.
	callID string
}

func dialRaw(t *testing.T, tr, addr string) *rawPeer {
	t.Helper()
	conn, err := net.Dial(strings.ToLower(tr), addr)
	if err != nil {
		t.Fatal(err)
	}
	p := &rawPeer{t: t, tr: tr, conn: conn, rd: bufio.NewReaderSize(conn, 1<<16)}
	_, port, _ := net.SplitHostPort(conn.LocalAddr().String())
	p.port, _ = strconv.Atoi(port)
	return p
}

func (p *rawPeer) Close() { _ = p.conn.Close() }

// request is a well-formed out-of-dialog request to user at the gateway,
// with extra header lines after the usual ones, and body; a Content-Length
// among extra replaces the true one.
func (p *rawPeer) request(method, user string, extra []string, body string) string {
	p.seq++
	id := fmt.Sprintf("%d-%d-%d", p.port, p.seq, rand.Uint32())
	host := p.conn.RemoteAddr().String()
	var b strings.Builder
	fmt.Fprintf(&b, "%s sip:%s@%s SIP/2.0\r\n", method, user, host)
	fmt.Fprintf(&b, "Via: SIP/2.0/%s 127.0.0.1:%d;branch=z9hG4bK%s;rport\r\n", p.tr, p.port, id)
	b.WriteString("Max-Forwards: 70\r\n")
	fmt.Fprintf(&b, "From: \"Hostile\" <sip:hostile@127.0.0.1>;tag=%s\r\n", id)
	fmt.Fprintf(&b, "To: <sip:%s@%s>\r\n", user, host)
	p.callID = id + "@hostile"
	fmt.Fprintf(&b, "Call-ID: %s\r\n", p.callID)
	fmt.Fprintf(&b, "CSeq: 1 %s\r\n", method)
	transport := ""
	if p.tr == "TCP" {
		transport = ";transport=tcp"
	}
	fmt.Fprintf(&b, "Contact: <sip:hostile@127.0.0.1:%d%s>\r\n", p.port, transport)
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

func (p *rawPeer) send(m string) error {
	_ = p.conn.SetWriteDeadline(time.Now().Add(deadline))
	_, err := p.conn.Write([]byte(m))
	return err
}

// read returns the next message the gateway sends within d.
func (p *rawPeer) read(d time.Duration) (string, error) {
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
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(strings.TrimSpace(k), "Content-Length") {
			length, _ = strconv.Atoi(strings.TrimSpace(v))
		}
	}
	body := make([]byte, length)
	_, err := io.ReadFull(p.rd, body)
	return b.String() + string(body), err
}

// final waits up to d for a final response to the last request built,
// skipping provisional ones, answers to earlier requests and requests.
func (p *rawPeer) final(d time.Duration) (string, error) {
	end := time.Now().Add(d)
	for {
		m, err := p.read(time.Until(end))
		if err != nil {
			return m, err
		}
		if s := statusOf(m); s >= 200 && header(m, "Call-ID") == p.callID {
			return m, nil
		}
	}
}

// responseTo waits up to d for a final response whose CSeq is cseq.
func (p *rawPeer) responseTo(cseq string, d time.Duration) (string, error) {
	end := time.Now().Add(d)
	for {
		m, err := p.read(time.Until(end))
		if err != nil {
			return m, err
		}
		if s := statusOf(m); s >= 200 && header(m, "CSeq") == cseq && header(m, "Call-ID") == p.callID {
			return m, nil
		}
	}
}

// closedByPeer tells whether the gateway closes the TCP connection within d.
func (p *rawPeer) closedByPeer(d time.Duration) bool {
	_ = p.conn.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, p.conn)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

// optionsStatus sends OPTIONS over tr from a fresh socket and returns the
// final status, 0 when none came.
func optionsStatus(t *testing.T, addr, tr string) int {
	t.Helper()
	p := dialRaw(t, tr, addr)
	defer p.Close()
	if err := p.send(p.request("OPTIONS", "demo", nil, "")); err != nil {
		t.Logf("OPTIONS over %s: %v", tr, err)
		return 0
	}
	res, err := p.final(deadline)
	if err != nil {
		t.Logf("OPTIONS over %s: %v", tr, err)
		return 0
	}
	return statusOf(res)
}

func statusOf(m string) int {
	rest, ok := strings.CutPrefix(m, "SIP/2.0 ")
	if !ok || len(rest) < 3 {
		return 0
	}
	n, _ := strconv.Atoi(rest[:3])
	return n
}

// header is the value of the first header called name in m.
func header(m, name string) string {
	head, _, _ := strings.Cut(m, "\r\n\r\n")
	for _, l := range strings.Split(head, "\r\n")[1:] {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// inDialog is a request with method and cseq in the dialog that ok (our
// 200) established for invite.
func inDialog(invite, ok, method string, cseq int) string {
	target := strings.Trim(header(ok, "Contact"), "<>")
	if i := strings.Index(target, ">"); i >= 0 {
		target = target[:i]
	}
	head, _, _ := strings.Cut(invite, "\r\n\r\n")
	via := header(invite, "Via")
	branch := via[strings.Index(via, "branch=")+len("branch="):]
	branch, _, _ = strings.Cut(branch, ";")
	m := method + " " + target + " SIP/2.0\r\n" + head[strings.Index(head, "\r\n")+2:] + "\r\n\r\n"
	m = replaceHeader(m, "Via", "Via: "+strings.Replace(via, branch, branch+method, 1))
	m = replaceHeader(m, "To", "To: "+header(ok, "To"))
	m = replaceHeader(m, "CSeq", "CSeq: "+strconv.Itoa(cseq)+" "+method)
	m = dropHeader(m, "Content-Type")
	return replaceHeader(m, "Content-Length", "Content-Length: 0")
}

func dropHeader(m, name string) string { return replaceHeader(m, name, "") }

// replaceHeader replaces the header line called name with line, or drops
// it when line is empty.
func replaceHeader(m, name, line string) string {
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

// hostileSDP is a plain PCMU offer with audio to port on loopback.
func hostileSDP(port int) string {
	return "v=0\r\no=hostile 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=audio " + strconv.Itoa(port) + " RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"
}

// onlyNumbers tells whether every phone in ps has one of numbers.
func onlyNumbers(ps []conference.Participant, numbers ...string) bool {
	for _, p := range ps {
		if p.Phone == nil || !slices.Contains(numbers, p.Phone.Number) {
			return false
		}
	}
	return true
}

func mustContain(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q", w)
		}
	}
}

func writeLines(t *testing.T, path string, lines []string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// within is eventually with its own bound, for waits on SIP timers.
func within(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(d)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("still not %s after %v", what, d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
