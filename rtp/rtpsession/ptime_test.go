package rtpsession

import (
	"fmt"
	"slices"
	"sort"
	"testing"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/g711"
	"github.com/confgw/confgw/internal/tone"
)

// TestPtimesPlayContinuousTone has a phone send its tone in packets of
// 10 to 40 ms while the mixer ticks every 20 ms. The two run on a shared
// schedule (each packet leaves when its audio is complete, ticks fall at a
// phase between) rather than on clocks, so the test sees the same
// interleaving every run. Once playout starts every tick must give the next
// 20 ms of the tone, sample for sample, with nothing concealed.
func TestPtimesPlayContinuousTone(t *testing.T) {
	const sentMs = 600
	for _, ptime := range []int{10, 20, 30, 40} {
		for _, phase := range []int{1, 7, 15} {
			t.Run(fmt.Sprintf("%dms/phase %dms", ptime, phase), func(t *testing.T) {
				s := startSession(t, Config{})
				ph := newPhone(t)

				// What the mixer should hear: the same tone through the codec.
				want := make([]int16, sentMs*8)
				tone.Sine(1000, 8000, audio.NarrowbandHz).Fill(want)
				for i, v := range want {
					want[i] = g711.DecodeUlawSample(g711.EncodeUlawSample(v))
				}

				type event struct {
					at  int // µs
					pkt bool
				}
				var events []event
				for k := 1; k*ptime <= sentMs; k++ {
					events = append(events, event{at: k * ptime * 1000, pkt: true})
				}
				for at := phase * 1000; at < (sentMs+100)*1000; at += 20000 {
					events = append(events, event{at: at - 1}) // a tick wins a tie
				}
				sort.SliceStable(events, func(i, j int) bool { return events[i].at < events[j].at })

				sent, played, ticks, firstPlay := 0, 0, 0, -1
				var f audio.Frame
				for _, e := range events {
					if e.pkt {
						ph.sendTonePacket(s.LocalAddr(), ptime)
						sent++
						settle(t, s.Session, "packet", func() bool { return s.Stats().PacketsIn == uint64(sent) })
						continue
					}
					if played == len(want)/audio.NarrowbandFrameSamples {
						break // what follows would be the concealment of the end
					}
					ticks++
					if !s.ReadFrame(&f) {
						if firstPlay >= 0 && played < len(want)/audio.NarrowbandFrameSamples {
							t.Fatalf("tick %d: no audio after %d frames of %d", ticks, played, len(want)/audio.NarrowbandFrameSamples)
						}
						continue
					}
					if firstPlay < 0 {
						firstPlay = ticks
					}
					if exp := want[played*audio.NarrowbandFrameSamples:][:audio.NarrowbandFrameSamples]; !slices.Equal(exp, f.Samples()) {
						t.Fatalf("frame %d is not the next 20 ms of the tone", played)
					}
					if !tone.Detect(f.Samples(), 1000, audio.NarrowbandHz) {
						t.Fatalf("frame %d: no 1 kHz tone (share %.2f)", played, tone.Share(f.Samples(), 1000, audio.NarrowbandHz))
					}
					played++
				}
				if played != sentMs/20 {
					t.Errorf("played %d frames, want %d", played, sentMs/20)
				}
				if st := s.Stats(); st.Concealed != 0 || st.Lost != 0 || st.Late != 0 || st.BadFrames != 0 || st.Skipped != 0 {
					t.Errorf("clean stream counted concealed %d, lost %d, late %d, bad %d, skipped %d",
						st.Concealed, st.Lost, st.Late, st.BadFrames, st.Skipped)
				}
			})
		}
	}
}

// blockLevels is a payload of 10 ms blocks, each decoding to one level, so
// that a played frame tells which blocks it came from.
func blockLevels(levels ...int16) []byte {
	var b []byte
	for _, l := range levels {
		b = append(b, levelFrame(l)[:blockBytes]...)
	}
	return b
}

func level(block int) int16 { return int16(500 * (block + 1)) }

func decoded(l int16) int16 { return g711.DecodeUlawSample(g711.EncodeUlawSample(l)) }

// send30 sends the 30 ms packet k of a stream whose block b has
// level(b).
func send30(ph *phone, s *running, k int) {
	ph.sendRaw(s.LocalAddr(), rtpHeader(0, ph.seq+uint16(k), ph.ts+uint32(k*3*blockBytes), ph.ssrc),
		blockLevels(level(3*k), level(3*k+1), level(3*k+2)))
}

// halves reads n ticks and returns, per tick, the level of each 10 ms half
// of the frame, or nil for a tick without audio.
func halves(s *running, n int) [][2]int16 {
	var out [][2]int16
	var f audio.Frame
	for range n {
		if !s.ReadFrame(&f) {
			out = append(out, [2]int16{})
			continue
		}
		out = append(out, [2]int16{f.PCM[0], f.PCM[blockBytes]})
		if f.PCM[blockBytes-1] != f.PCM[0] || f.PCM[audio.NarrowbandFrameSamples-1] != f.PCM[blockBytes] {
			panic("a half of a frame mixes levels")
		}
	}
	return out
}

func TestReadFramePlays30msPacketsInOrder(t *testing.T) {
	tests := []struct {
		name  string
		order []int
	}{
		{"in order", []int{0, 1, 2, 3}},
		{"swapped pair", []int{0, 2, 1, 3}},
		{"reversed", []int{3, 2, 1, 0}},
		{"first last", []int{1, 2, 3, 0}},
		{"with duplicates", []int{1, 0, 1, 3, 2, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startSession(t, Config{})
			ph := newPhone(t)
			for _, k := range tt.order {
				send30(ph, s, k)
			}
			settle(t, s.Session, "packets", func() bool {
				st := s.Stats()
				return st.PacketsIn == uint64(len(tt.order))
			})
			got := halves(s, 6)
			for i := range 6 {
				want := [2]int16{decoded(level(2 * i)), decoded(level(2*i + 1))}
				if got[i] != want {
					t.Fatalf("tick %d played levels %v, want %v (all: %v)", i, got[i], want, got)
				}
			}
			if st := s.Stats(); st.Concealed != 0 || st.Lost != 0 || st.Duplicates != uint64(len(tt.order)-4) {
				t.Errorf("concealed %d, lost %d, duplicates %d", st.Concealed, st.Lost, st.Duplicates)
			}
		})
	}
}

func TestLost30msPacketIsConcealedForAFrameAndAHalf(t *testing.T) {
	tests := []struct {
		name string
		lost int      // packet; its blocks are 3*lost to 3*lost+2
		want [][2]int // per tick, the block each half plays, from the stream or repeated
		// concealed and Lost, in frames
		concealed, lostFrames uint64
	}{{
		// Blocks 3-5 go: frame 1 keeps block 2 and repeats it for block 3,
		// frame 2 repeats frame 1, and frame 3 plays on time.
		name: "packet starting mid-frame", lost: 1,
		want:      [][2]int{{0, 1}, {2, 2}, {2, 2}, {6, 7}, {8, 9}, {10, 11}},
		concealed: 2, lostFrames: 2,
	}, {
		// Blocks 6-8 go: frame 3 repeats frame 2, frame 4 bridges block 8
		// with the last 10 ms played and keeps block 9.
		name: "packet starting on a frame", lost: 2,
		want:      [][2]int{{0, 1}, {2, 3}, {4, 5}, {4, 5}, {5, 9}, {10, 11}},
		concealed: 2, lostFrames: 2,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startSession(t, Config{})
			ph := newPhone(t)
			for k := range 4 {
				if k != tt.lost {
					send30(ph, s, k)
				}
			}
			settle(t, s.Session, "packets", func() bool { return s.Stats().PacketsIn == 3 })
			got := halves(s, len(tt.want))
			for i, w := range tt.want {
				want := [2]int16{decoded(level(w[0])), decoded(level(w[1]))}
				if got[i] != want {
					t.Fatalf("tick %d played %v, want blocks %v = %v (all: %v)", i, got[i], w, want, got)
				}
			}
			if st := s.Stats(); st.Concealed != tt.concealed || st.Lost != tt.lostFrames || st.Late != 0 {
				t.Errorf("concealed %d, lost %d, late %d; want %d, %d, 0", st.Concealed, st.Lost, st.Late, tt.concealed, tt.lostFrames)
			}
		})
	}
}

func TestMixedPacketSizesPlayInOrder(t *testing.T) {
	s := startSession(t, Config{})
	ph := newPhone(t)
	block := 0
	for _, n := range []int{1, 2, 3, 4, 6, 2} { // 10 to 60 ms, 18 blocks
		var levels []int16
		for k := range n {
			levels = append(levels, level(block+k))
		}
		ph.sendRaw(s.LocalAddr(), rtpHeader(0, ph.seq, ph.ts, ph.ssrc), blockLevels(levels...))
		ph.seq++
		ph.ts += uint32(n * blockBytes)
		block += n
	}
	settle(t, s.Session, "packets", func() bool { return s.Stats().PacketsIn == 6 })
	got := halves(s, 9)
	for i := range 9 {
		if want := [2]int16{decoded(level(2 * i)), decoded(level(2*i + 1))}; got[i] != want {
			t.Fatalf("tick %d played %v, want %v (all: %v)", i, got[i], want, got)
		}
	}
	if st := s.Stats(); st.Concealed != 0 || st.Lost != 0 || st.BadFrames != 0 {
		t.Errorf("concealed %d, lost %d, bad %d", st.Concealed, st.Lost, st.BadFrames)
	}
}

// TestDigitsBetween30msPackets checks RFC 4733 events are untouched by
// the re-framing: they reach the detector and never the audio.
func TestDigitsBetween30msPackets(t *testing.T) {
	const eventPT = 101
	digits := make(chan rune, 4)
	s := startSession(t, Config{TelephoneEventPT: eventPT, OnDigit: func(r rune) { digits <- r }})
	ph := newPhone(t)
	for range 3 {
		ph.sendTonePacket(s.LocalAddr(), 30)
	}
	ph.sendKey(s.LocalAddr(), eventPT, '7')
	settle(t, s.Session, "packets", func() bool { return s.Stats().PacketsIn == 9 })
	if len(digits) != 1 || <-digits != '7' {
		t.Fatal("digit not reported once")
	}
	var f audio.Frame
	played := 0
	// 90 ms is four whole frames and half of a fifth, which the end of the
	// stream leaves waiting.
	for range 4 {
		if s.ReadFrame(&f) {
			played++
			if !tone.Detect(f.Samples(), 1000, audio.NarrowbandHz) {
				t.Fatalf("frame %d is not the tone", played)
			}
		}
	}
	if st := s.Stats(); played != 4 || st.Concealed != 0 {
		t.Errorf("played %d frames (concealed %d), want the 4 of tone", played, st.Concealed)
	}
}
