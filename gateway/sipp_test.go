package gateway_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/conference"
	confhttp "github.com/confgw/confgw/http"
	"github.com/confgw/confgw/internal/apitest"
	"github.com/confgw/confgw/internal/rtppcap"
	"github.com/confgw/confgw/internal/sipptest"
	"github.com/confgw/confgw/internal/tone"
	confsip "github.com/confgw/confgw/sip"
)

// These tests put sipp, a SIP implementation that shares no code with
// ours, on the other end of the gateway: what it sends is what real phones
// and trunks send, and it fails its scenario on any message it did not
// expect. Each test runs its own gateway, so they run in parallel.

const (
	sippScenarios = "../testdata/sipp/"
	// sippCaller is the From user of the dial-in scenarios.
	sippCaller = "caller"
	// sippPINConf is the conference the PIN scenarios dial; its PIN is the
	// one the DTMF capture keys.
	sippPINConf = "pinned"
)

// sippGateway is a gateway with the API in front of it, sharing its
// registry as confgw serve does.
type sippGateway struct {
	*harness
	api    *apitest.Env
	pinned *conference.Conference
}

// newSippGateway starts a gateway; trunk, when set, is where dial-outs go.
func newSippGateway(t *testing.T, trunk *confsip.Trunk) *sippGateway {
	t.Helper()
	h := newHarness(t, harnessOptions{trunk: trunk})
	pinned, err := h.reg.Create(conference.Spec{ID: sippPINConf, Title: "PIN", PIN: rtppcap.PIN})
	if err != nil {
		t.Fatal(err)
	}
	api := apitest.Start(t, func(o *confhttp.Options) {
		o.Registry = h.reg
		o.Dialer = h.gw
	})
	return &sippGateway{harness: h, api: api, pinned: pinned}
}

// call runs a client scenario against the gateway.
func (g *sippGateway) call(t *testing.T, scenario, service, transport string) *sipptest.Sipp {
	t.Helper()
	return sipptest.Run(ctxT(t), t, sipptest.Options{
		Scenario: sippScenarios + scenario, Target: g.srv.Addr(), Service: service, Transport: transport,
	})
}

// sippTrunk starts a server scenario as the trunk dial-outs go to.
func sippTrunk(t *testing.T, scenario, transport string) (*sipptest.Sipp, *confsip.Trunk) {
	t.Helper()
	s := sipptest.Run(ctxT(t), t, sipptest.Options{Scenario: sippScenarios + scenario, Transport: transport})
	if err := s.Ready(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	tr := "udp"
	if transport == "t1" {
		tr = "tcp"
	}
	return s, &confsip.Trunk{Addr: s.Addr(), Transport: tr}
}

func sippPassed(t *testing.T, s *sipptest.Sipp) {
	t.Helper()
	if err := s.Wait(); err != nil {
		t.Fatalf("sipp scenario failed: %v", err)
	}
}

// participants lists a conference's participants through the API.
func (g *sippGateway) participants(t *testing.T, cid string) []conference.Participant {
	t.Helper()
	r := g.api.Do(http.MethodGet, "/v1/conferences/"+cid+"/participants", apitest.AdminKey, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("listing participants: %d %s", r.Status, r.Body)
	}
	var body struct {
		Participants []conference.Participant `json:"participants"`
	}
	r.Decode(t, &body)
	return body.Participants
}

// connectedPhone waits until the API lists a connected PCMU phone with
// number, and returns it.
func (g *sippGateway) connectedPhone(t *testing.T, cid, number string, dir conference.Direction) conference.Participant {
	t.Helper()
	var found conference.Participant
	eventually(t, "a connected PCMU phone "+number+" in "+cid, func() bool {
		for _, p := range g.participants(t, cid) {
			if p.Kind == conference.KindPhone && p.Phone != nil && p.Phone.Number == number &&
				p.Phone.Direction == dir && p.Phone.State == conference.PhoneConnected && p.Phone.Codec == "PCMU" {
				found = p
				return true
			}
		}
		return false
	})
	return found
}

func (g *sippGateway) hangUp(t *testing.T, cid, pid string) {
	t.Helper()
	r := g.api.Do(http.MethodPost, "/v1/conferences/"+cid+"/participants/"+pid+"/hangup", apitest.AdminKey, nil)
	if r.Status != http.StatusNoContent {
		t.Fatalf("hang-up: %d %s", r.Status, r.Body)
	}
}

// leftWith waits for pid's participant.left event and checks its reason.
func leftWith(t *testing.T, sub *conference.Subscription, pid, reason string) {
	t.Helper()
	for {
		e := nextEvent(t, sub, conference.EventParticipantLeft)
		if e.Participant.ID != pid {
			continue
		}
		if e.Reason != reason {
			t.Fatalf("%s left because %q, want %q", pid, e.Reason, reason)
		}
		return
	}
}

// ear is an in-process phone participant of the main room: it says nothing
// and notes whether the mix it is sent carried a tone.
type ear struct {
	freq float64

	mu     sync.Mutex
	recent []int16
	heard  bool
}

// earWindow is how much audio a detection looks at: 200 ms fits well inside
// the capture's tone and is long enough for Goertzel to tell 1 kHz from
// its neighbours.
const earWindow = 10 * audio.NarrowbandFrameSamples

func listen(t *testing.T, c *conference.Conference, freq float64) *ear {
	t.Helper()
	e := &ear{freq: freq}
	if _, err := c.AddPhone(conference.PhoneSpec{
		Name: "ear", Number: "ear", Direction: conference.DialIn, Codec: "PCMU", Leg: e, Media: e,
	}); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *ear) ReadFrame(*audio.Frame) bool { return false }

func (e *ear) WriteFrame(f *audio.Frame) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.recent = append(e.recent, f.Samples()...)
	if len(e.recent) > earWindow {
		e.recent = e.recent[len(e.recent)-earWindow:]
	}
	// Kept once true: the capture is a few seconds long, and the test may
	// look after it has ended.
	if len(e.recent) == earWindow && tone.Detect(e.recent, e.freq, audio.NarrowbandHz) {
		e.heard = true
	}
}

func (e *ear) HangUp(string) {}

func (e *ear) hasHeard() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.heard
}

// TestSippDialInHungUpByAPI: sipp calls in and plays a 1 kHz tone, which
// another participant of the main room hears; the host hangs the phone up
// through the API and sipp, having answered the BYE, passes.
func TestSippDialInHungUpByAPI(t *testing.T) {
	t.Parallel()
	g := newSippGateway(t, nil)
	sub := g.demo.Subscribe(64)
	defer sub.Close()
	e := listen(t, g.demo, rtppcap.ToneHz)

	s := g.call(t, "dialin_hangup_by_api.xml", "demo", "u1")
	p := g.connectedPhone(t, "demo", sippCaller, conference.DialIn)
	eventually(t, "the main room hearing the caller's 1 kHz tone", e.hasHeard)

	g.hangUp(t, "demo", p.ID)
	sippPassed(t, s)
	leftWith(t, sub, p.ID, conference.ReasonHungUpByHost)
}

// TestSippCallerHangsUp: the phone hangs up first, over UDP and over TCP.
func TestSippCallerHangsUp(t *testing.T) {
	t.Parallel()
	for _, transport := range []string{"u1", "t1"} {
		t.Run(transport, func(t *testing.T) {
			t.Parallel()
			g := newSippGateway(t, nil)
			sub := g.demo.Subscribe(64)
			defer sub.Close()

			s := g.call(t, "dialin_caller_hangs_up.xml", "demo", transport)
			joined := nextEvent(t, sub, conference.EventParticipantJoined)
			if ph := joined.Participant.Phone; ph == nil || ph.Number != sippCaller || ph.Codec != "PCMU" {
				t.Fatalf("joined %+v, want the sipp caller on PCMU", joined.Participant)
			}
			sippPassed(t, s)
			leftWith(t, sub, joined.Participant.ID, conference.ReasonCallerHungUp)
			if n := len(phones(g.demo)); n != 0 {
				t.Fatalf("%d phones left after the caller hung up", n)
			}
		})
	}
}

// TestSippRefusals: sipp's scenarios expect the status and acknowledge it;
// nobody joins.
func TestSippRefusals(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ scenario, service string }{
		{"unknown_conference.xml", "nosuch"}, // 404
		{"codec_mismatch.xml", "demo"},       // 488
	} {
		t.Run(tt.scenario, func(t *testing.T) {
			t.Parallel()
			g := newSippGateway(t, nil)
			sippPassed(t, g.call(t, tt.scenario, tt.service, "u1"))
			if n := len(phones(g.demo)); n != 0 {
				t.Fatalf("%d phones joined a refused call", n)
			}
		})
	}
}

// TestSippPIN: the right PIN keyed as RFC 4733 events lets the caller in,
// as the host's hang-up reaching sipp shows; a wrong PIN keyed three times
// gets a BYE from the gateway and nobody joins.
func TestSippPIN(t *testing.T) {
	t.Parallel()
	t.Run("right", func(t *testing.T) {
		t.Parallel()
		g := newSippGateway(t, nil)
		s := g.call(t, "pin_dtmf.xml", sippPINConf, "u1")
		p := g.connectedPhone(t, sippPINConf, sippCaller, conference.DialIn)
		g.hangUp(t, sippPINConf, p.ID)
		sippPassed(t, s)
	})
	t.Run("wrong three times", func(t *testing.T) {
		t.Parallel()
		g := newSippGateway(t, nil)
		sub := g.pinned.Subscribe(64)
		defer sub.Close()
		sippPassed(t, g.call(t, "pin_wrong_x3.xml", sippPINConf, "u1"))
		// Events are published before the gateway's BYE goes out, so all
		// of them are queued by now.
		for drained := false; !drained; {
			select {
			case e := <-sub.C:
				if e.Type == conference.EventParticipantJoined {
					t.Fatalf("%+v joined with a wrong PIN", e.Participant)
				}
			default:
				drained = true
			}
		}
		if n := len(g.pinned.Participants()); n != 0 {
			t.Fatalf("%d participants after three wrong PINs", n)
		}
	})
}

func (g *sippGateway) dialOut(t *testing.T, to string) conference.Participant {
	t.Helper()
	r := g.api.Do(http.MethodPost, "/v1/conferences/demo/dial-out", apitest.AdminKey, map[string]string{"to": to})
	if r.Status != http.StatusCreated {
		t.Fatalf("dial-out: %d %s", r.Status, r.Body)
	}
	var body struct {
		Participant conference.Participant `json:"participant"`
	}
	r.Decode(t, &body)
	if ph := body.Participant.Phone; ph == nil || ph.State != conference.PhoneRinging || ph.Direction != conference.DialOut {
		t.Fatalf("dial-out participant %+v, want a ringing dial-out phone", body.Participant)
	}
	return body.Participant
}

// TestSippDialOutAnswered: the API dials out, sipp as the trunk rings then
// answers and plays the tone the room hears, and the host's hang-up sends it
// a BYE; over UDP and over TCP.
func TestSippDialOutAnswered(t *testing.T) {
	t.Parallel()
	for _, transport := range []string{"u1", "t1"} {
		t.Run(transport, func(t *testing.T) {
			t.Parallel()
			trunk, tr := sippTrunk(t, "uas_answer.xml", transport)
			g := newSippGateway(t, tr)
			sub := g.demo.Subscribe(64)
			defer sub.Close()
			e := listen(t, g.demo, rtppcap.ToneHz)

			ringing := g.dialOut(t, "5551234")
			p := g.connectedPhone(t, "demo", "5551234", conference.DialOut)
			if p.ID != ringing.ID {
				t.Fatalf("connected participant %s, dialled %s", p.ID, ringing.ID)
			}
			eventually(t, "the main room hearing the trunk's 1 kHz tone", e.hasHeard)

			g.hangUp(t, "demo", p.ID)
			sippPassed(t, trunk)
			leftWith(t, sub, p.ID, conference.ReasonHungUpByHost)
		})
	}
}

// TestSippDialOutBusy: the trunk answers 486; the API's subscribers learn
// the status and the ringing participant goes.
func TestSippDialOutBusy(t *testing.T) {
	t.Parallel()
	trunk, tr := sippTrunk(t, "uas_busy.xml", "u1")
	g := newSippGateway(t, tr)
	sub := g.demo.Subscribe(64)
	defer sub.Close()

	p := g.dialOut(t, "5551234")
	failed := nextEvent(t, sub, conference.EventPhoneFailed)
	if failed.Participant.ID != p.ID || failed.Status != 486 {
		t.Fatalf("phone.failed for %s with status %d, want %s with 486", failed.Participant.ID, failed.Status, p.ID)
	}
	leftWith(t, sub, p.ID, conference.ReasonCallFailed)
	sippPassed(t, trunk)
	if n := len(g.participants(t, "demo")); n != 0 {
		t.Fatalf("%d participants after a busy dial-out", n)
	}
}
