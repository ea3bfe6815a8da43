package gateway

import (
	"testing"
	"time"
)

func TestTheKeypadReadsAStarThenADigitWithinTheWindowAsACommand(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	type key struct {
		d     rune
		after time.Duration // since the previous key
	}
	cases := []struct {
		name string
		keys []key
		want []command // one per key
	}{
		{"*6 mutes", []key{{'*', 0}, {'6', 300 * time.Millisecond}}, []command{cmdNone, cmdMute}},
		{"*1 raises a hand", []key{{'*', 0}, {'1', 0}}, []command{cmdNone, cmdHand}},
		{"*0 asks for help", []key{{'*', 0}, {'0', keypadWindow}}, []command{cmdNone, cmdHelp}},
		{"a digit alone is nothing", []key{{'6', 0}, {'1', 0}, {'0', 0}}, []command{cmdNone, cmdNone, cmdNone}},
		{"too late after the star", []key{{'*', 0}, {'6', keypadWindow + time.Millisecond}}, []command{cmdNone, cmdNone}},
		{"an unknown command resets", []key{{'*', 0}, {'9', 0}, {'6', 0}}, []command{cmdNone, cmdNone, cmdNone}},
		{"pound resets", []key{{'*', 0}, {'#', 0}, {'6', 0}}, []command{cmdNone, cmdNone, cmdNone}},
		{"a second star starts again", []key{{'*', 0}, {'*', time.Second}, {'6', 1500 * time.Millisecond}}, []command{cmdNone, cmdNone, cmdMute}},
		{"one star serves one command", []key{{'*', 0}, {'6', 0}, {'6', 0}}, []command{cmdNone, cmdMute, cmdNone}},
		{"commands follow each other", []key{{'*', 0}, {'1', 0}, {'*', 0}, {'0', 0}}, []command{cmdNone, cmdHand, cmdNone, cmdHelp}},
		{"letters are nothing", []key{{'*', 0}, {'A', 0}, {'D', 0}}, []command{cmdNone, cmdNone, cmdNone}},
		{"a clock gone backwards is nothing", []key{{'*', 0}, {'6', -time.Second}}, []command{cmdNone, cmdNone}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var k keypad
			now := t0
			for i, key := range tc.keys {
				now = now.Add(key.after)
				if got := k.feed(key.d, now); got != tc.want[i] {
					t.Fatalf("key %d (%q): %q, want %q", i, key.d, got, tc.want[i])
				}
			}
		})
	}
}

func TestEveryConferencePromptIsSpoken(t *testing.T) {
	for p, pr := range spoken {
		if pr == nil || len(pr.Frames) == 0 {
			t.Errorf("%s has no speech", p)
		}
	}
}

func TestACallerKeysABurstOfCommandsThenOneASecond(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	var k keypad
	for i := range 5 {
		if !k.allow(t0, 1, 5) {
			t.Fatalf("command %d of the burst refused", i+1)
		}
	}
	if k.allow(t0.Add(500*time.Millisecond), 1, 5) {
		t.Fatal("a sixth command half a second on allowed")
	}
	if !k.allow(t0.Add(1600*time.Millisecond), 1, 5) {
		t.Fatal("a command a second after the burst refused")
	}
	if k.allow(t0.Add(1700*time.Millisecond), 1, 5) {
		t.Fatal("a second command within that second allowed")
	}
	// A long pause gives back the burst, no more.
	later := t0.Add(time.Hour)
	for i := range 5 {
		if !k.allow(later, 1, 5) {
			t.Fatalf("command %d after an hour refused", i+1)
		}
	}
	if k.allow(later, 1, 5) {
		t.Fatal("more than a burst after an hour")
	}
}

func TestACallerKeyingOneCommandASecondAfterItsBurstIsNeverRefused(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	var k keypad
	for i := range DefaultKeypadBurst {
		if !k.allow(t0, DefaultKeypadRate, DefaultKeypadBurst) {
			t.Fatalf("command %d of the burst refused", i+1)
		}
	}
	for s := 1; s <= 120; s++ {
		if !k.allow(t0.Add(time.Duration(s)*time.Second), DefaultKeypadRate, DefaultKeypadBurst) {
			t.Fatalf("the command keyed %d s after the burst refused", s)
		}
	}
}

func TestACallerKeyingFasterThanItsRateGetsItsBurstAndItsRateAndRefusalsCostItNothing(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	var k keypad
	allowed := 0
	// Four a second for twenty seconds: the burst, then one for each
	// second gone by, however many were refused in between.
	for at := time.Duration(0); at <= 20*time.Second; at += 250 * time.Millisecond {
		if k.allow(t0.Add(at), 1, 5) {
			allowed++
		}
	}
	if want := 5 + 20; allowed != want {
		t.Fatalf("%d commands allowed, want %d", allowed, want)
	}
}
