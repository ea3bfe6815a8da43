package gateway

import (
	"strconv"
	"testing"
	"time"
)

func TestASourceGetsItsBurstAtOnceThenItsRateAndOtherSourcesAreUntouched(t *testing.T) {
	a, now := clockedAdmission(Limits{InviteRate: 2, InviteBurst: 3})
	admit := func(src string) string {
		tk, refused := a.admit(src, nil)
		if tk != nil {
			tk.ack()
			tk.close()
		}
		return refused
	}
	for i := range 3 {
		if r := admit("192.0.2.1:5060"); r != "" {
			t.Fatalf("INVITE %d of the burst refused: %s", i+1, r)
		}
	}
	if r := admit("192.0.2.1:5061"); r != refuseRate {
		t.Fatalf("INVITE past the burst from another port of the same address: %q, want %q", r, refuseRate)
	}
	if r := admit("192.0.2.2:5060"); r != "" {
		t.Fatalf("another address refused: %s", r)
	}
	*now = now.Add(500 * time.Millisecond)
	if r := admit("192.0.2.1:5060"); r != "" {
		t.Fatalf("INVITE after one token's worth of time refused: %s", r)
	}
	if r := admit("192.0.2.1:5060"); r != refuseRate {
		t.Fatalf("second INVITE after one token's worth of time: %q, want %q", r, refuseRate)
	}
}

func TestUnacknowledgedCallsAreCappedPerSourceAndOverallAndFreedByTheirAckOrEnd(t *testing.T) {
	a := newAdmission(Limits{MaxCalls: 3, MaxUnacked: 2, MaxUnackedPerSource: 1})
	first, r := a.admit("192.0.2.1:5060", nil)
	if r != "" {
		t.Fatal(r)
	}
	if _, r := a.admit("192.0.2.1:5062", nil); r != refuseUnackedBySource {
		t.Fatalf("second unacknowledged call from one address: %q, want %q", r, refuseUnackedBySource)
	}
	second, r := a.admit("[2001:db8::1]:5060", nil)
	if r != "" {
		t.Fatal(r)
	}
	if _, r := a.admit("[2001:db8::2]:5060", nil); r != refuseUnackedBySource {
		t.Fatalf("an address of the same /64: %q, want %q", r, refuseUnackedBySource)
	}
	if _, r := a.admit("192.0.2.3:5060", nil); r != refuseUnacked {
		t.Fatalf("third unacknowledged call overall: %q, want %q", r, refuseUnacked)
	}
	first.ack()
	second.close()
	third, r := a.admit("192.0.2.1:5060", nil)
	if r != "" {
		t.Fatalf("after an ACK and an end: %s", r)
	}
	third.ack()
	if _, r := a.admit("192.0.2.4:5060", nil); r != "" {
		t.Fatal(r)
	}
	if _, r := a.admit("192.0.2.5:5060", nil); r != refuseCalls {
		t.Fatalf("fourth call: %q, want %q", r, refuseCalls)
	}
}

func TestIdleSourcesAreForgottenSoTheTableStaysBounded(t *testing.T) {
	a, now := clockedAdmission(Limits{InviteRate: 1, InviteBurst: 1, MaxUnackedPerSource: 1})
	var held *ticket
	for i := range 1000 {
		tk, r := a.admit("198.51.100."+strconv.Itoa(i%250)+":"+strconv.Itoa(1024+i/250), nil)
		if i == 0 {
			held = tk
			continue
		}
		if tk != nil {
			tk.ack()
			tk.close()
		} else if r == "" {
			t.Fatal("neither admitted nor refused")
		}
	}
	if n := a.size(); n != 250 {
		t.Fatalf("%d sources tracked, want 250", n)
	}
	*now = now.Add(sourceIdle)
	if _, r := a.admit("203.0.113.1:5060", nil); r != "" {
		t.Fatal(r)
	}
	// Only the new source and the one still holding an unacknowledged call.
	if n := a.size(); n != 2 {
		t.Fatalf("%d sources tracked after a sweep, want 2", n)
	}
	held.close()
}

// At the global cap, a source holding fewer unacknowledged calls than the
// greediest by two or more takes the greediest's oldest place, whose wait
// for its ACK is given up; a source as greedy as the rest is refused.
func TestAtTheGlobalCapAFairerSourceTakesTheGreediestsOldestPlace(t *testing.T) {
	a := newAdmission(Limits{MaxUnacked: 4})
	var gaveUp []int
	var flood []*ticket
	for i := range 4 {
		tk, r := a.admit("192.0.2.1:"+strconv.Itoa(5060+i), func() { gaveUp = append(gaveUp, i) })
		if r != "" {
			t.Fatal(r)
		}
		flood = append(flood, tk)
	}
	caller, r := a.admit("198.51.100.7:5060", func() { t.Error("the caller's own wait was given up") })
	if r != "" {
		t.Fatalf("a caller holding nothing at the cap: %q, want a place", r)
	}
	if len(gaveUp) != 1 || gaveUp[0] != 0 {
		t.Fatalf("waits given up %v, want the flood's oldest, [0]", gaveUp)
	}
	if n := a.takenBack(); n != 1 {
		t.Fatalf("taken back %d, want 1", n)
	}
	// The flooder's oldest call then ends as any call that got no ACK:
	// its end must not count it out twice.
	flood[0].close()
	caller.ack()
	if _, r := a.admit("198.51.100.8:5060", nil); r != "" {
		t.Fatalf("after the caller's ACK: %q", r)
	}
	// Now the flood holds 3 and the newcomer 1: a source holding 2 is
	// within two of the greediest and is refused rather than served.
	if _, r := a.admit("203.0.113.9:5060", nil); r != "" {
		t.Fatalf("a source holding nothing, the flood holding 3: %q", r)
	}
	if _, r := a.admit("203.0.113.9:5062", nil); r != refuseUnacked {
		t.Fatalf("a source holding 1 against a greediest holding 2: %q, want %q", r, refuseUnacked)
	}
	if a.unacked != 4 {
		t.Fatalf("%d unacknowledged counted, want the cap, 4", a.unacked)
	}
}

// A caller that the cap on calls would refuse anyway takes no place back:
// hanging a call up for it would free nothing it could use.
func TestNoPlaceIsTakenBackForACallTheCallsCapRefuses(t *testing.T) {
	a := newAdmission(Limits{MaxUnacked: 2, MaxCalls: 2})
	gaveUp := 0
	for i := range 2 {
		if _, r := a.admit("192.0.2.1:"+strconv.Itoa(5060+i), func() { gaveUp++ }); r != "" {
			t.Fatal(r)
		}
	}
	if _, r := a.admit("198.51.100.7:5060", nil); r != refuseCalls {
		t.Fatalf("a caller at both caps: %q, want %q", r, refuseCalls)
	}
	if gaveUp != 0 || a.takenBack() != 0 {
		t.Fatalf("%d waits given up for a call refused anyway", gaveUp)
	}
}

func TestASourceSendingAtItsRateAfterItsBurstIsNeverRefused(t *testing.T) {
	a, now := clockedAdmission(Limits{InviteRate: 2, InviteBurst: 3})
	for i := range 3 {
		if _, r := a.admit("192.0.2.1:5060", nil); r != "" {
			t.Fatalf("INVITE %d of the burst refused: %s", i+1, r)
		}
	}
	for i := range 240 {
		*now = now.Add(500 * time.Millisecond)
		tk, r := a.admit("192.0.2.1:5060", nil)
		if r != "" {
			t.Fatalf("INVITE %d at the rate refused: %s", i+1, r)
		}
		tk.ack()
		tk.close()
	}
}

func TestASourceFloodingInvitesGetsItsBurstAndItsRateNoMore(t *testing.T) {
	a, now := clockedAdmission(Limits{InviteRate: 2, InviteBurst: 3})
	admitted := 0
	// Ten a second for ten seconds: the burst, then two for each second
	// gone by.
	for range 101 {
		if tk, r := a.admit("192.0.2.1:5060", nil); r == "" {
			admitted++
			tk.ack()
			tk.close()
		} else if r != refuseRate {
			t.Fatalf("refused for %q, want %q", r, refuseRate)
		}
		*now = now.Add(100 * time.Millisecond)
	}
	if want := 3 + 2*10; admitted != want {
		t.Fatalf("%d INVITEs admitted, want %d", admitted, want)
	}
	// A pause, even one long enough for the source to be forgotten, gives
	// back the burst and no more.
	for _, pause := range []time.Duration{sourceIdle / 2, 2 * sourceIdle} {
		*now = now.Add(pause)
		for i := range 3 {
			if _, r := a.admit("192.0.2.1:5060", nil); r != "" {
				t.Fatalf("INVITE %d of the burst after %s refused: %s", i+1, pause, r)
			}
		}
		if _, r := a.admit("192.0.2.1:5060", nil); r != refuseRate {
			t.Fatalf("an INVITE past the burst after %s: %q, want %q", pause, r, refuseRate)
		}
	}
}

func TestWithoutAnInviteRateASourceMaySendAsManyInvitesAsItLikes(t *testing.T) {
	a, _ := clockedAdmission(Limits{InviteBurst: 1})
	for i := range 1000 {
		if _, r := a.admit("192.0.2.1:5060", nil); r != "" {
			t.Fatalf("INVITE %d refused: %s", i+1, r)
		}
	}
}

func TestAnInviteFromAKnownSourceCostsOneAllocationAndFromANewOneTwo(t *testing.T) {
	a, now := clockedAdmission(Limits{InviteRate: 5, InviteBurst: 20})
	addrs := make([]string, 101)
	for i := range addrs {
		addrs[i] = "198.51.100." + strconv.Itoa(i) + ":5060"
	}
	admit := func(src string) {
		tk, r := a.admit(src, nil)
		if r != "" {
			t.Fatal(r)
		}
		tk.ack()
		tk.close()
	}
	admit(addrs[0])
	if n := testing.AllocsPerRun(100, func() {
		*now = now.Add(time.Second)
		admit(addrs[0])
	}); n > 1 {
		t.Errorf("an INVITE from a known source: %v allocations, want the ticket's alone", n)
	}
	next := 1
	if n := testing.AllocsPerRun(99, func() {
		admit(addrs[next])
		next++
	}); n > 2 {
		t.Errorf("an INVITE from a new source: %v allocations, want its entry's and the ticket's", n)
	}
}

func TestABurstBelowOneLetsASourceOneInviteAtATime(t *testing.T) {
	a, now := clockedAdmission(Limits{InviteRate: 2})
	for i := range 3 {
		if _, r := a.admit("192.0.2.1:5060", nil); r != "" {
			t.Fatalf("INVITE %d, half a second after the last, refused: %s", i+1, r)
		}
		if _, r := a.admit("192.0.2.1:5060", nil); r != refuseRate {
			t.Fatalf("a second INVITE at once: %q, want %q", r, refuseRate)
		}
		*now = now.Add(500 * time.Millisecond)
	}
}

// clockedAdmission is an admission on a clock of the test's own, which
// stands at now until the test moves it.
func clockedAdmission(lim Limits) (*admission, *time.Time) {
	a := newAdmission(lim)
	now := time.Unix(1000, 0)
	a.now = func() time.Time { return now }
	return a, &now
}
