package webrtc

import (
	"testing"

	"github.com/confgw/confgw/audio"
)

func frameOf(v int16) *audio.Frame {
	var f audio.Frame
	f.PCM[0] = v
	return &f
}

func TestPlayoutWaitsForTwoFramesThenPlaysThemInOrder(t *testing.T) {
	var p playout
	var f audio.Frame
	p.push(frameOf(1))
	if p.pop(&f) {
		t.Fatal("played with one frame queued")
	}
	p.push(frameOf(2))
	for _, want := range []int16{1, 2} {
		if !p.pop(&f) || f.PCM[0] != want {
			t.Fatalf("got %v (frame %d), want frame %d", p.count, f.PCM[0], want)
		}
	}
	if p.pop(&f) {
		t.Error("played from an empty queue")
	}
}

func TestAfterRunningDryPlayoutRefillsBeforePlayingAgain(t *testing.T) {
	var p playout
	var f audio.Frame
	p.push(frameOf(1))
	p.push(frameOf(2))
	p.pop(&f)
	p.pop(&f)
	p.pop(&f) // dry
	p.push(frameOf(3))
	if p.pop(&f) {
		t.Error("played a lone frame right after running dry")
	}
	p.push(frameOf(4))
	if !p.pop(&f) || f.PCM[0] != 3 {
		t.Errorf("got frame %d, want 3", f.PCM[0])
	}
}

func TestAFastSenderLosesItsOldestFramesNotTheRoomsDelay(t *testing.T) {
	var p playout
	var f audio.Frame
	for i := range int16(maxDepth + 3) {
		p.push(frameOf(i))
	}
	if p.count != maxDepth || p.dropped != 3 {
		t.Fatalf("count %d dropped %d, want %d and 3", p.count, p.dropped, maxDepth)
	}
	if !p.pop(&f) || f.PCM[0] != 3 {
		t.Errorf("oldest kept is frame %d, want 3", f.PCM[0])
	}
}
