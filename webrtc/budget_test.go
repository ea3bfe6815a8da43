package webrtc

import (
	"testing"
	"time"
)

func TestAPeerSendingMoreThanItsBudgetLosesTheRestOfThatSecond(t *testing.T) {
	var b packetBudget
	start := time.Unix(5000, 0)
	for i := range maxPacketsPerSecond {
		if !b.take(start.Add(time.Duration(i) * time.Millisecond)) {
			t.Fatalf("packet %d within the budget dropped", i+1)
		}
	}
	if b.take(start.Add(999 * time.Millisecond)) {
		t.Fatal("a packet past the budget was taken")
	}
	if !b.take(start.Add(time.Second)) {
		t.Fatal("the next second's first packet was dropped")
	}
}
