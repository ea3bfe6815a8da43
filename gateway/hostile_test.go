package gateway_test

import (
	"context"
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
	"github.com/confgw/confgw/internal/sipraw"
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
	p, invite, ok := answeredRaw(t, h, func(m string) string { return m })
	if err := p.Send(sipraw.InDialog(invite, ok, "BYE", 2)); err != nil {
		t.Fatal(err)
	}
	res, err := p.ResponseTo("2 BYE", deadline)
	if err != nil {
		t.Fatalf("BYE: %v", err)
	}
	if s := sipraw.StatusOf(res); s != 200 {
		t.Errorf("BYE before the ACK answered %d, want 200", s)
	}
	if err := p.Send(sipraw.InDialog(invite, ok, "ACK", 1)); err != nil {
		t.Fatal(err)
	}
	// A round trip after the ACK, so that it has been read.
	if err := p.Send(p.Request("OPTIONS", "demo", nil, "")); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Final(deadline); err != nil {
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

// answeredRaw places a call to demo by hand, its INVITE passed through
// tweak first, and returns the peer, the INVITE and our 200 (not yet ACKed).
func answeredRaw(t *testing.T, h *harness, tweak func(invite string) string) (p *sipraw.Peer, invite, ok string) {
	t.Helper()
	media, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = media.Close() })
	p = dialRaw(t, "UDP", h.srv.Addr())
	invite = tweak(p.Request("INVITE", "demo", []string{"Content-Type: application/sdp"}, hostileSDP(media.LocalAddr().(*net.UDPAddr).Port)))
	if err := p.Send(invite); err != nil {
		t.Fatal(err)
	}
	ok, err = p.Final(deadline)
	if err != nil || sipraw.StatusOf(ok) != 200 {
		t.Fatalf("INVITE: %q, %v", ok, err)
	}
	return p, invite, ok
}

// dialRaw opens a hand-speaking SIP peer that the test closes at its end.
func dialRaw(t *testing.T, tr, addr string) *sipraw.Peer {
	t.Helper()
	p, err := sipraw.Dial(tr, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// optionsStatus sends OPTIONS over tr from a fresh socket and returns the
// final status, 0 when none came.
func optionsStatus(t *testing.T, addr, tr string) int {
	t.Helper()
	res, err := sipraw.Do("OPTIONS", "demo", addr, tr)
	if err != nil {
		t.Logf("OPTIONS over %s: %v", tr, err)
		return 0
	}
	return res.StatusCode
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
