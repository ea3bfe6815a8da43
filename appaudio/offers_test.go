package appaudio

import (
	"fmt"
	"testing"
	"time"
)

func TestAParticipantMayOfferABurstThenOnceASecond(t *testing.T) {
	o := newOfferLimits(DefaultOfferRate)
	now := time.Unix(1000, 0)
	for i := range offerBurst {
		if ok, _ := o.allow("c/p1", now); !ok {
			t.Fatalf("offer %d of the burst refused", i+1)
		}
	}
	ok, wait := o.allow("c/p1", now)
	if ok || wait <= 0 || wait > time.Second {
		t.Fatalf("offer past the burst: allowed %v, wait %v; want refused with a wait of at most 1 s", ok, wait)
	}
	if ok, _ := o.allow("c/p2", now); !ok {
		t.Fatal("another participant's offer was refused for the first one's")
	}
	if ok, _ := o.allow("c/p1", now.Add(wait)); !ok {
		t.Fatal("an offer after the wait it was told was refused")
	}
}

func TestForgettingFullAllowancesBoundsWhatIsKept(t *testing.T) {
	o := newOfferLimits(DefaultOfferRate)
	now := time.Unix(1000, 0)
	for i := range sweepAt {
		o.allow(fmt.Sprint("c/p", i), now)
	}
	// A minute on, every allowance is full again and can go.
	o.allow("c/new", now.Add(time.Minute))
	if n := len(o.byWho); n != 1 {
		t.Fatalf("%d allowances kept after a sweep, want only the new one", n)
	}
}
