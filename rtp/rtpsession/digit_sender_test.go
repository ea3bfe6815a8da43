package rtpsession

import (
	"errors"
	"testing"

	"github.com/confgw/confgw/rtp/dtmf"
)

// playKey runs d for ticks ticks from timestamp ts, a frame apart, and
// returns what each tick carried.
func playKey(d *digitSender, ts uint32, ticks int) []*digitPacket {
	out := make([]*digitPacket, ticks)
	for i := range out {
		if p, ok := d.next(ts+uint32(i)*160, true); ok {
			out[i] = &p
		}
	}
	return out
}

func TestAKeyLastsFiveTicksAndEndsThreeTimes(t *testing.T) {
	d := newDigitSender()
	if err := d.add('5'); err != nil {
		t.Fatal(err)
	}
	got := playKey(&d, 1000, digitTicks+endRepeats+1)
	want, _ := dtmf.EventFor('5')
	for i, p := range got[:digitTicks+endRepeats] {
		if p == nil {
			t.Fatalf("tick %d carried audio", i)
		}
		if p.event.Code != want.Code || p.timestamp != 1000 || p.marker != (i == 0) {
			t.Errorf("tick %d: code %d ts %d marker %v", i, p.event.Code, p.timestamp, p.marker)
		}
		if wantDur := uint16(min(i+1, digitTicks) * 160); p.event.Duration != wantDur {
			t.Errorf("tick %d: duration %d, want %d", i, p.event.Duration, wantDur)
		}
		if p.event.End != (i >= digitTicks) {
			t.Errorf("tick %d: end %v", i, p.event.End)
		}
	}
	if got[digitTicks+endRepeats] != nil {
		t.Error("the tick after the key's end packets carried an event")
	}
}

func TestTheNextKeyWaitsForAGapOfAudio(t *testing.T) {
	d := newDigitSender()
	for _, k := range "12" {
		if err := d.add(k); err != nil {
			t.Fatal(err)
		}
	}
	key := digitTicks + endRepeats
	got := playKey(&d, 0, key+digitGapTicks+1)
	for i := key; i < key+digitGapTicks; i++ {
		if got[i] != nil {
			t.Fatalf("tick %d, in the gap, carried an event", i)
		}
	}
	second := got[key+digitGapTicks]
	if second == nil || second.event.Digit() != '2' || !second.marker {
		t.Fatalf("the second key began with %+v", second)
	}
	if want := uint32(key+digitGapTicks) * 160; second.timestamp != want {
		t.Errorf("the second key has ts %d, want %d", second.timestamp, want)
	}
}

func TestAKeyIsDroppedWhileTelephoneEventIsNotNegotiated(t *testing.T) {
	d := newDigitSender()
	if err := d.add('9'); err != nil {
		t.Fatal(err)
	}
	if _, ok := d.next(0, false); ok {
		t.Fatal("an event went out with no telephone-event payload type")
	}
	if _, ok := d.next(160, true); ok {
		t.Fatal("the dropped key played later")
	}
}

func TestAddTakesOnlyKeysAndOnlyWhileTheQueueHasRoom(t *testing.T) {
	d := newDigitSender()
	for _, r := range []rune{'x', -1, '٣'} {
		if err := d.add(r); !errors.Is(err, dtmf.ErrUnknownDigit) {
			t.Errorf("add(%q) = %v, want ErrUnknownDigit", r, err)
		}
	}
	for range digitQueue {
		if err := d.add('#'); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.add('#'); !errors.Is(err, ErrDigitQueueFull) {
		t.Errorf("add past the queue = %v, want ErrDigitQueueFull", err)
	}
}
