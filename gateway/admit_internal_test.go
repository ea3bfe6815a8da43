package gateway

import (
	"strconv"
	"testing"
	"time"
)

func TestASourceGetsItsBurstAtOnceThenItsRateAndOtherSourcesAreUntouched(t *testing.T) {
	a := newAdmission(Limits{InviteRate: 2, InviteBurst: 3})
	now := time.Unix(1000, 0)
	a.now = func() time.Time { return now }
	admit := func(src string) string {
		tk, refused := a.admit(src)
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
	now = now.Add(500 * time.Millisecond)
	if r := admit("192.0.2.1:5060"); r != "" {
		t.Fatalf("INVITE after one token's worth of time refused: %s", r)
	}
	if r := admit("192.0.2.1:5060"); r != refuseRate {
		t.Fatalf("second INVITE after one token's worth of time: %q, want %q", r, refuseRate)
	}
}

func TestUnacknowledgedCallsAreCappedPerSourceAndOverallAndFreedByTheirAckOrEnd(t *testing.T) {
	a := newAdmission(Limits{MaxCalls: 3, MaxUnacked: 2, MaxUnackedPerSource: 1})
	first, r := a.admit("192.0.2.1:5060")
	if r != "" {
		t.Fatal(r)
	}
	if _, r := a.admit("192.0.2.1:5062"); r != refuseUnackedBySource {
		t.Fatalf("second unacknowledged call from one address: %q, want %q", r, refuseUnackedBySource)
	}
	second, r := a.admit("[2001:db8::1]:5060")
	if r != "" {
		t.Fatal(r)
	}
	if _, r := a.admit("[2001:db8::2]:5060"); r != refuseUnackedBySource {
		t.Fatalf("an address of the same /64: %q, want %q", r, refuseUnackedBySource)
	}
	if _, r := a.admit("192.0.2.3:5060"); r != refuseUnacked {
		t.Fatalf("third unacknowledged call overall: %q, want %q", r, refuseUnacked)
	}
	first.ack()
	second.close()
	third, r := a.admit("192.0.2.1:5060")
	if r != "" {
		t.Fatalf("after an ACK and an end: %s", r)
	}
	third.ack()
	if _, r := a.admit("192.0.2.4:5060"); r != "" {
		t.Fatal(r)
	}
	if _, r := a.admit("192.0.2.5:5060"); r != refuseCalls {
		t.Fatalf("fourth call: %q, want %q", r, refuseCalls)
	}
}

func TestIdleSourcesAreForgottenSoTheTableStaysBounded(t *testing.T) {
	a := newAdmission(Limits{InviteRate: 1, InviteBurst: 1, MaxUnackedPerSource: 1})
	now := time.Unix(1000, 0)
	a.now = func() time.Time { return now }
	var held *ticket
	for i := range 1000 {
		tk, r := a.admit("198.51.100." + strconv.Itoa(i%250) + ":" + strconv.Itoa(1024+i/250))
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
	now = now.Add(sourceIdle)
	if _, r := a.admit("203.0.113.1:5060"); r != "" {
		t.Fatal(r)
	}
	// Only the new source and the one still holding an unacknowledged call.
	if n := a.size(); n != 2 {
		t.Fatalf("%d sources tracked after a sweep, want 2", n)
	}
	held.close()
}
