package conference_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/confgw/confgw/conference"
)

// promptLeg is a phone leg that remembers what its caller was told.
type promptLeg struct {
	fakeLeg
	pmu  sync.Mutex
	said []conference.Prompt
}

func (l *promptLeg) Prompt(p conference.Prompt) {
	l.pmu.Lock()
	defer l.pmu.Unlock()
	l.said = append(l.said, p)
}

func (l *promptLeg) told() []conference.Prompt {
	l.pmu.Lock()
	defer l.pmu.Unlock()
	return append([]conference.Prompt(nil), l.said...)
}

func codeOf(err error) conference.Code {
	var ce *conference.Error
	if errors.As(err, &ce) {
		return ce.Code
	}
	return ""
}

// Alice raises her hand, everyone is told once and sees since when; a
// second raise changes nothing, and a host lowers it.
func TestAParticipantRaisesItsHandAndAHostLowersIt(t *testing.T) {
	m := newMeeting(t)
	sub := m.c.Subscribe(64)
	defer sub.Close()
	p, err := m.c.RaiseHand(conference.As(m.alice), m.alice)
	if err != nil || !p.Hand || p.HandRaisedAt == nil {
		t.Fatalf("raise: %+v %v", p, err)
	}
	if _, err := m.c.RaiseHand(conference.As(m.alice), m.alice); err != nil {
		t.Fatal(err)
	}
	p, err = m.c.LowerHand(conference.As(m.host1), m.alice)
	if err != nil || p.Hand || p.HandRaisedAt != nil {
		t.Fatalf("host's lower: %+v %v", p, err)
	}
	evs := ofType(drain(sub), conference.EventParticipantHand)
	if len(evs) != 2 || evs[0].Reason != conference.HandRaised || evs[1].Reason != conference.HandLowered ||
		evs[0].Participant.ID != m.alice || !evs[0].Participant.Hand {
		t.Fatalf("hand events %+v, want raised then lowered", evs)
	}
}

// Nobody raises another's hand or asks for help in its name, not even a
// host; only a host lowers or clears someone else's.
func TestOnlyTheParticipantItselfRaisesItsHandOrAsksForHelp(t *testing.T) {
	m := newMeeting(t)
	cases := []struct {
		name string
		do   func() error
		want conference.Code
	}{
		{"a host raises Alice's hand", func() error { _, err := m.c.RaiseHand(conference.As(m.host1), m.alice); return err }, conference.CodeSelfOnly},
		{"the admin raises Alice's hand", func() error { _, err := m.c.RaiseHand(conference.Admin, m.alice); return err }, conference.CodeSelfOnly},
		{"Bob asks help for Alice", func() error { _, err := m.c.AskHelp(conference.As(m.bob), m.alice); return err }, conference.CodeSelfOnly},
		{"Bob lowers Alice's hand", func() error { _, err := m.c.LowerHand(conference.As(m.bob), m.alice); return err }, conference.CodeHostRequired},
		{"Bob clears Alice's help", func() error { _, err := m.c.ClearHelp(conference.As(m.bob), m.alice); return err }, conference.CodeHostRequired},
		{"a host lowers a hand of no one", func() error { _, err := m.c.LowerHand(conference.As(m.host1), "p-nobody"); return err }, conference.CodeNotFound},
		{"a host raises a hand of no one", func() error { _, err := m.c.RaiseHand(conference.As(m.host1), "p-nobody"); return err }, conference.CodeNotFound},
		{"someone gone raises its hand", func() error { _, err := m.c.RaiseHand(conference.As("p-gone"), "p-gone"); return err }, conference.CodeUnauthorized},
	}
	for _, tc := range cases {
		if got := codeOf(tc.do()); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	if p, _ := m.c.Participant(m.alice); p.Hand || p.Help {
		t.Fatalf("Alice after the refusals: %+v", p)
	}
	m.reg.EndAll()
	if _, err := m.c.RaiseHand(conference.As(m.alice), m.alice); codeOf(err) != conference.CodeEnded {
		t.Fatalf("a hand raised in an ended conference: %v", err)
	}
}

// A phone caller that asks for a host is told a host knows, and the mark
// stays until a host clears it.
func TestAPhoneCallerAsksForHelpAndAHostClearsIt(t *testing.T) {
	m := newMeeting(t)
	leg := &promptLeg{}
	ph, err := m.c.AddPhone(conference.PhoneSpec{Number: "+15550199", Direction: conference.DialIn, Leg: leg})
	if err != nil {
		t.Fatal(err)
	}
	sub := m.c.Subscribe(64)
	defer sub.Close()
	if p, err := m.c.AskHelp(conference.As(ph.ID), ph.ID); err != nil || !p.Help {
		t.Fatalf("ask: %+v %v", p, err)
	}
	if p, err := m.c.RaiseHand(conference.As(ph.ID), ph.ID); err != nil || !p.Hand {
		t.Fatalf("raise: %+v %v", p, err)
	}
	if p, err := m.c.ClearHelp(conference.As(m.host2), ph.ID); err != nil || p.Help {
		t.Fatalf("clear: %+v %v", p, err)
	}
	if p, err := m.c.LowerHand(conference.As(ph.ID), ph.ID); err != nil || p.Hand {
		t.Fatalf("lower: %+v %v", p, err)
	}
	want := []conference.Prompt{conference.PromptHelpRequested, conference.PromptHandRaised, conference.PromptHandLowered}
	if got := leg.told(); len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("the caller was told %v, want %v", got, want)
	}
	evs := ofType(drain(sub), conference.EventParticipantHelp)
	if len(evs) != 2 || evs[0].Reason != conference.HelpAsked || evs[1].Reason != conference.HelpCleared {
		t.Fatalf("help events %+v", evs)
	}
}

// A host switches the keypad off and on; conference.updated says so, and
// a conference starts with it on.
func TestAHostSwitchesTheKeypadOff(t *testing.T) {
	m := newMeeting(t)
	if !m.c.Keypad() || !m.c.Info().Keypad {
		t.Fatal("a new conference's keypad is off")
	}
	sub := m.c.Subscribe(64)
	defer sub.Close()
	off := false
	if err := m.c.Configure(conference.As(m.alice), conference.Settings{Keypad: &off}); codeOf(err) != conference.CodeHostRequired {
		t.Fatalf("Alice switching the keypad: %v", err)
	}
	if err := m.c.Configure(conference.As(m.host1), conference.Settings{Keypad: &off}); err != nil {
		t.Fatal(err)
	}
	if m.c.Keypad() {
		t.Fatal("the keypad is still on")
	}
	evs := ofType(drain(sub), conference.EventConferenceUpdated)
	if len(evs) != 1 || evs[0].Keypad == nil || *evs[0].Keypad || evs[0].Breakout != nil {
		t.Fatalf("updated events %+v", evs)
	}
}
