package sipphone

import (
	"context"
	"testing"
	"time"
)

// TestPhoneToPhone checks the phone against itself: one calls the other,
// each hears the other's tone, and a BYE ends both sides.
func TestPhoneToPhone(t *testing.T) {
	callee, err := New(Config{Tone: 770})
	if err != nil {
		t.Fatal(err)
	}
	defer callee.Close()
	caller, err := New(Config{Tone: 440})
	if err != nil {
		t.Fatal(err)
	}
	defer caller.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := caller.Dial(ctx, "sip:b@"+callee.Addr(), CallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var in *Call
	select {
	case in = <-callee.Incoming():
	case <-ctx.Done():
		t.Fatal("callee never answered")
	}
	for !(out.Media.Hears(770) && in.Media.Hears(440)) {
		if ctx.Err() != nil {
			t.Fatal("the phones never heard each other")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if out.Media.Hears(440) {
		t.Fatal("caller hears its own tone")
	}
	if err := out.HangUp(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-in.Done():
	case <-ctx.Done():
		t.Fatal("callee never saw the BYE")
	}
}
