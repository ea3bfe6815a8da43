package gateway_test

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/gateway"
	"github.com/confgw/confgw/gateway/prompts"
	"github.com/confgw/confgw/internal/sipphone"
)

// keypadRoom is the demo conference with a listener and a talker playing
// 770 Hz, both in the room and hearing each other.
type keypadRoom struct {
	h      *harness
	ear    *sipphone.Call
	talker *sipphone.Call
	pid    string
	sub    *conference.Subscription
}

func newKeypadRoom(t *testing.T) *keypadRoom {
	t.Helper()
	h := newHarness(t, harnessOptions{})
	ear := h.dial(h.phone(sipphone.Config{User: "+15550160"}), "demo")
	eventually(t, "the listener in the room", func() bool { return len(phones(h.demo)) == 1 })
	first := phones(h.demo)[0].ID
	talker := h.dial(h.phone(sipphone.Config{User: "+15550161", Tone: 770}), "demo")
	eventually(t, "the listener hearing the talker", func() bool { return ear.Media.Hears(770) })
	var pid string
	for _, p := range phones(h.demo) {
		if p.ID != first {
			pid = p.ID
		}
	}
	sub := h.demo.Subscribe(256)
	t.Cleanup(sub.Close)
	return &keypadRoom{h: h, ear: ear, talker: talker, pid: pid, sub: sub}
}

// told waits until the talker has heard p.
func (k *keypadRoom) told(t *testing.T, p *prompts.Prompt) {
	t.Helper()
	eventually(t, "the talker hearing "+p.Name, func() bool {
		return find(k.talker.Media.Recent(16000), p, 20, "PCMU") >= 0
	})
}

// A caller keys *6 to mute itself: the room stops hearing it and it is
// told so; *6 again unmutes it.
func TestACallerKeysStarSixToMuteAndUnmuteItself(t *testing.T) {
	k := newKeypadRoom(t)
	key(t, k.talker, "*6")
	if e := nextEvent(t, k.sub, conference.EventParticipantMuted); e.Participant.ID != k.pid || e.Participant.MutedBy != k.pid {
		t.Fatalf("muted event %+v", e.Participant)
	}
	eventually(t, "the room no longer hearing the caller", func() bool { return !k.ear.Media.Hears(770) })
	k.told(t, prompts.Muted)

	key(t, k.talker, "*6")
	if e := nextEvent(t, k.sub, conference.EventParticipantUnmuted); e.Participant.ID != k.pid {
		t.Fatalf("unmuted event %+v", e.Participant)
	}
	eventually(t, "the room hearing the caller again", func() bool { return k.ear.Media.Hears(770) })
	k.told(t, prompts.Unmuted)
}

// A caller whose mute a host locked keys *6 and stays muted, and hears
// why.
func TestACallerCannotKeyItselfOutOfALockedMute(t *testing.T) {
	k := newKeypadRoom(t)
	reg := prometheus.NewRegistry()
	if err := k.h.gw.Metrics().Register(reg); err != nil {
		t.Fatal(err)
	}
	if _, err := k.h.demo.Mute(conference.Admin, k.pid, true); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the room no longer hearing the caller", func() bool { return !k.ear.Media.Hears(770) })
	key(t, k.talker, "*6")
	k.told(t, prompts.MuteLocked)
	if p, err := k.h.demo.Participant(k.pid); err != nil || !p.Muted || !p.Locked {
		t.Fatalf("after *6: %+v %v", p, err)
	}
	if k.ear.Media.Hears(770) {
		t.Fatal("the room hears a caller whose mute is locked")
	}
	if n := sample(t, reg, "confgw_keypad_commands_total", "command", "mute", "result", "mute_locked"); n != 1 {
		t.Fatalf("%v refused *6 counted, want 1", n)
	}
}

// *1 raises the caller's hand and lowers it again; *0 asks for a host.
// Each is told to everyone and to the caller.
func TestACallerRaisesItsHandAndAsksForHelpFromTheKeypad(t *testing.T) {
	k := newKeypadRoom(t)
	key(t, k.talker, "*1")
	if e := nextEvent(t, k.sub, conference.EventParticipantHand); e.Reason != conference.HandRaised || !e.Participant.Hand || e.Participant.ID != k.pid {
		t.Fatalf("hand event %+v %+v", e, e.Participant)
	}
	k.told(t, prompts.HandRaised)
	key(t, k.talker, "*1")
	if e := nextEvent(t, k.sub, conference.EventParticipantHand); e.Reason != conference.HandLowered || e.Participant.Hand {
		t.Fatalf("second hand event %+v %+v", e, e.Participant)
	}
	k.told(t, prompts.HandLowered)
	key(t, k.talker, "*0")
	if e := nextEvent(t, k.sub, conference.EventParticipantHelp); e.Reason != conference.HelpAsked || !e.Participant.Help {
		t.Fatalf("help event %+v %+v", e, e.Participant)
	}
	k.told(t, prompts.HelpRequested)
	if p, _ := k.h.demo.Participant(k.pid); !p.Help || p.Hand {
		t.Fatalf("after *1 *1 *0: %+v", p)
	}
}

// With the keypad off a caller's keys change nothing: after *6, *1 and
// *0, the first event once it is back on is the hand of the next *1.
func TestACallersKeysAreIgnoredWhileTheKeypadIsOff(t *testing.T) {
	k := newKeypadRoom(t)
	off, on := false, true
	if err := k.h.demo.Configure(conference.Admin, conference.Settings{Keypad: &off}); err != nil {
		t.Fatal(err)
	}
	nextEvent(t, k.sub, conference.EventConferenceUpdated)
	key(t, k.talker, "*6*1*0")
	// Keys are read in order by one goroutine: once the *1 below raises a
	// hand, the ones before it have been read, and ignored.
	if err := k.h.demo.Configure(conference.Admin, conference.Settings{Keypad: &on}); err != nil {
		t.Fatal(err)
	}
	nextEvent(t, k.sub, conference.EventConferenceUpdated)
	key(t, k.talker, "*1")
	var e conference.Event
	for e.Type == "" || e.Type == conference.EventParticipantQuality {
		select {
		case e = <-k.sub.C:
		case <-time.After(deadline):
			t.Fatal("no event after the keypad came back on and the caller keyed *1")
		}
	}
	if e.Type != conference.EventParticipantHand || e.Reason != conference.HandRaised {
		t.Fatalf("first event after the keypad came back: %s %s, want the hand of the last *1", e.Type, e.Reason)
	}
	if p, _ := k.h.demo.Participant(k.pid); p.Muted || p.Help {
		t.Fatalf("keys with the keypad off changed the caller: %+v", p)
	}
}

// A PBX that sends its keys in SIP INFO (application/dtmf-relay) mutes and
// unmutes its caller with *6 as one sending RFC 4733 does.
func TestKeysInSIPInfoWorkAsKeysInRTP(t *testing.T) {
	k := newKeypadRoom(t)
	info := func(keys string) {
		t.Helper()
		for i := range len(keys) {
			if err := k.talker.KeyInfo(ctxT(t), keys[i]); err != nil {
				t.Fatalf("INFO %q: %v", keys[i], err)
			}
		}
	}
	info("*6")
	nextEvent(t, k.sub, conference.EventParticipantMuted)
	eventually(t, "the room no longer hearing the caller", func() bool { return !k.ear.Media.Hears(770) })
	info("*6")
	nextEvent(t, k.sub, conference.EventParticipantUnmuted)
	eventually(t, "the room hearing the caller again", func() bool { return k.ear.Media.Hears(770) })
}

// A PBX sending commands in INFO as fast as it can gets a burst of them
// through, then no more: the rest are counted and change nothing.
func TestACallerFloodingCommandsIsHeldToItsAllowance(t *testing.T) {
	k := newKeypadRoom(t)
	reg := prometheus.NewRegistry()
	if err := k.h.gw.Metrics().Register(reg); err != nil {
		t.Fatal(err)
	}
	const sent = 20
	start := time.Now()
	for range sent {
		for _, d := range []byte("*1") {
			if err := k.talker.KeyInfo(ctxT(t), d); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Keys the leg cannot take as fast as they come are dropped on the
	// way, so not every command need be counted; the burst always is.
	hand := func(result string) float64 {
		return sample(t, reg, "confgw_keypad_commands_total", "command", "hand", "result", result)
	}
	eventually(t, "the burst carried out and a command over the allowance refused", func() bool {
		return hand("ok") >= gateway.DefaultKeypadBurst && hand("rate_limited") >= 1
	})
	ok := hand("ok")
	// The burst, and one more for each second since the flood began.
	if most := gateway.DefaultKeypadBurst + gateway.DefaultKeypadRate*time.Since(start).Seconds(); ok > most {
		t.Fatalf("%v of %d commands carried out, want at most %.1f", ok, sent, most)
	}
}
