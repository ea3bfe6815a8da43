package resample

import (
	"math"
	"math/rand/v2"
	"testing"
)

// frame is 20 ms at each side's rate, the block a room hands over.
const (
	narrowFrame = NarrowRate / 50
	wideFrame   = WideRate / 50
)

// upDirect is Up as the textbook defines it: insert a zero after every
// input sample, then run the whole 55-tap prototype, zeros and all, over
// the result with a gain of 2. It is slow and obviously right; Up must
// match it exactly, rounding and saturation included.
func upDirect(src []int16) []int16 {
	p := prototype()
	stuffed := make([]int64, 2*len(src))
	for i, x := range src {
		stuffed[2*i] = int64(x)
	}
	dst := make([]int16, len(stuffed))
	for n := range dst {
		var acc int64
		for j, c := range p {
			if n-j >= 0 {
				acc += int64(c) * stuffed[n-j]
			}
		}
		dst[n] = saturate64((acc + 1<<13) >> 14)
	}
	return dst
}

// downDirect is Down as the textbook defines it: run the prototype over
// every input sample, then keep every other output.
func downDirect(src []int16) []int16 {
	p := prototype()
	dst := make([]int16, len(src)/2)
	for m := range dst {
		var acc int64
		for j, c := range p {
			if k := 2*m - j; k >= 0 {
				acc += int64(c) * int64(src[k])
			}
		}
		dst[m] = saturate64((acc + 1<<14) >> 15)
	}
	return dst
}

func saturate64(v int64) int16 { return int16(max(-32768, min(32767, v))) }

// up and down run a whole signal through a fresh resampler in 20 ms frames,
// as a leg would; the signal's length must be a whole number of frames.
func up(src []int16) []int16 {
	var u Up
	dst := make([]int16, 2*len(src))
	for i := 0; i < len(src); i += narrowFrame {
		u.Process(dst[2*i:2*(i+narrowFrame)], src[i:i+narrowFrame])
	}
	return dst
}

func down(src []int16) []int16 {
	var d Down
	dst := make([]int16, len(src)/2)
	for i := 0; i < len(dst); i += narrowFrame {
		d.Process(dst[i:i+narrowFrame], src[2*i:2*(i+narrowFrame)])
	}
	return dst
}

// tone is seconds of a sine of amplitude amp at f Hz, sampled at rate.
func tone(f, amp float64, rate int, seconds float64) []int16 {
	s := make([]int16, int(float64(rate)*seconds))
	for n := range s {
		s[n] = int16(math.Round(amp * math.Sin(2*math.Pi*f*float64(n)/float64(rate))))
	}
	return s
}

func noise(seed uint64, n int, amp int) []int16 {
	r := rand.New(rand.NewPCG(seed, 0))
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(r.IntN(2*amp+1) - amp)
	}
	return s
}

// level is the amplitude at f Hz of one second of s, sampled at rate,
// starting after settle samples (so that the filter's start-up transient
// is not measured), by the Goertzel algorithm. One second holds a whole
// number of cycles of any whole-Hz tone, so a tone at another whole
// frequency does not leak into f's bin.
func level(s []int16, f float64, rate int, settle int) float64 {
	s = s[settle : settle+rate]
	c := 2 * math.Cos(2*math.Pi*f/float64(rate))
	var s1, s2 float64
	for _, x := range s {
		s1, s2 = float64(x)+c*s1-s2, s1
	}
	return 2 * math.Sqrt(s1*s1+s2*s2-c*s1*s2) / float64(len(s))
}

// Tones at amplitude 20000 leave room for the filter's ripple without
// clipping, and lie 60 dB above the 20-unit level the tests look for.
const amp = 20000

// settle skips the start-up transient: more than the filter's length at
// either rate.
const settle = taps + 1

func voiceBand() []float64 {
	var fs []float64
	for f := 300.0; f <= 3600; f += 100 {
		fs = append(fs, f)
	}
	return fs
}

func TestVoiceBandTonesPassUpWithinHalfADecibel(t *testing.T) {
	worst := 0.0
	for _, f := range voiceBand() {
		in := tone(f, amp, NarrowRate, 1.2)
		g := db(level(up(in), f, WideRate, 2*settle) / level(in, f, NarrowRate, settle))
		t.Logf("%4.0f Hz: %+.4f dB", f, g)
		worst = max(worst, math.Abs(g))
	}
	t.Logf("Up: 300–3600 Hz within ±%.4f dB", worst)
	if worst > 0.5 {
		t.Errorf("Up's gain strays %.3f dB from 0 in 300–3600 Hz; want within ±0.5 dB", worst)
	}
}

func TestVoiceBandTonesPassDownWithinHalfADecibel(t *testing.T) {
	worst := 0.0
	for _, f := range voiceBand() {
		in := tone(f, amp, WideRate, 1.2)
		g := db(level(down(in), f, NarrowRate, settle) / level(in, f, WideRate, 2*settle))
		t.Logf("%4.0f Hz: %+.4f dB", f, g)
		worst = max(worst, math.Abs(g))
	}
	t.Logf("Down: 300–3600 Hz within ±%.4f dB", worst)
	if worst > 0.5 {
		t.Errorf("Down's gain strays %.3f dB from 0 in 300–3600 Hz; want within ±0.5 dB", worst)
	}
}

// A phone heard by another phone through a wideband room goes up and down:
// the two passes' roll-offs add, so only 3.4 kHz, G.711's own edge, is
// held to ±0.5 dB; 3.5 and 3.6 kHz are logged.
func TestVoiceBandTonesPassUpThenDownWithinHalfADecibelToThreePointFourKilohertz(t *testing.T) {
	worst := 0.0
	for _, f := range voiceBand() {
		in := tone(f, amp, NarrowRate, 1.2)
		g := db(level(down(up(in)), f, NarrowRate, settle) / level(in, f, NarrowRate, settle))
		t.Logf("%4.0f Hz: %+.4f dB", f, g)
		if f <= 3400 {
			worst = max(worst, math.Abs(g))
		}
	}
	t.Logf("Up then Down: 300–3400 Hz within ±%.4f dB", worst)
	if worst > 0.5 {
		t.Errorf("Up then Down strays %.3f dB from 0 in 300–3400 Hz; want within ±0.5 dB", worst)
	}
}

func TestAToneUpsampledLeavesItsImageSixtyDecibelsDown(t *testing.T) {
	for _, f := range []float64{1000, 300, 2000, 3000, 3400} {
		in := tone(f, amp, NarrowRate, 1.2)
		out := up(in)
		image := NarrowRate - f
		a := -db(level(out, image, WideRate, 2*settle) / level(in, f, NarrowRate, settle))
		t.Logf("%4.0f Hz in: image at %4.0f Hz is %.1f dB down", f, image, a)
		if a < 60 {
			t.Errorf("%4.0f Hz in: image at %4.0f Hz is only %.1f dB down; want at least 60 dB", f, image, a)
		}
	}
}

func TestAToneAboveTheNarrowBandDownsampledLeavesItsAliasSixtyDecibelsDown(t *testing.T) {
	for _, f := range []float64{5000, 6000, 4600, 7000, 7500} {
		in := tone(f, amp, WideRate, 1.2)
		out := down(in)
		alias := NarrowRate - f
		a := -db(level(out, alias, NarrowRate, settle) / level(in, f, WideRate, 2*settle))
		t.Logf("%4.0f Hz in: alias at %4.0f Hz is %.1f dB down", f, alias, a)
		if a < 60 {
			t.Errorf("%4.0f Hz in: alias at %4.0f Hz is only %.1f dB down; want at least 60 dB", f, alias, a)
		}
	}
}

func TestUpIsZeroStuffingThenTheFilterExactly(t *testing.T) {
	in := noise(1, 50*narrowFrame, 32768)
	if got, want := up(in), upDirect(in); !equal(t, got, want) {
		t.Error("Up differs from zero-stuffing and the direct-form filter")
	}
}

func TestDownIsTheFilterThenEveryOtherSampleExactly(t *testing.T) {
	in := noise(2, 50*wideFrame, 32768)
	if got, want := down(in), downDirect(in); !equal(t, got, want) {
		t.Error("Down differs from the direct-form filter decimated")
	}
}

func equal(t *testing.T, got, want []int16) bool {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d samples, want %d", len(got), len(want))
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("sample %d: got %d, want %d", i, got[i], want[i])
			return false
		}
	}
	return true
}

// The filter's history must carry over from one frame to the next: a
// stream cut into frames, or into any other blocks, must come out as if
// processed in one go, or every frame edge would click.
func TestALongToneProcessedInFramesEqualsTheSameInOneGo(t *testing.T) {
	signals := map[string][]int16{
		"tone":  tone(1234, amp, NarrowRate, 1),
		"noise": noise(3, NarrowRate, 32768),
	}
	for name, in := range signals {
		var whole Up
		wantUp := make([]int16, 2*len(in))
		whole.Process(wantUp, in)
		var wholeDown Down
		wantDown := make([]int16, len(in))
		wholeDown.Process(wantDown, wantUp)

		for _, block := range []int{narrowFrame, 1, 7, 80, 333} {
			var u Up
			var d Down
			gotUp := make([]int16, 2*len(in))
			gotDown := make([]int16, len(in))
			for i := 0; i < len(in); i += block {
				j := min(i+block, len(in))
				u.Process(gotUp[2*i:2*j], in[i:j])
				d.Process(gotDown[i:j], gotUp[2*i:2*j])
			}
			if !equal(t, gotUp, wantUp) {
				t.Errorf("%s: Up in blocks of %d differs from one go", name, block)
			}
			if !equal(t, gotDown, wantDown) {
				t.Errorf("%s: Down in blocks of %d differs from one go", name, block)
			}
		}
	}
}

// The filter overshoots: Up's computed phase can reach 2.35 times its
// input's peak. Full-scale input must clip at the rails, never wrap to the
// other sign, which would be a loud click.
func TestFullScaleInputSaturatesWithoutWrapping(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 0))
	in := make([]int16, 50*narrowFrame)
	for i := range in {
		in[i] = [2]int16{32767, -32768}[r.IntN(2)]
	}
	p := prototype()
	check := func(name string, got []int16, unclipped func(n int) int64) {
		clipped := 0
		var peak int64
		for n, y := range got {
			v := unclipped(n)
			peak = max(peak, v, -v)
			switch {
			case v > 32767:
				clipped++
				if y != 32767 {
					t.Fatalf("%s: sample %d should be %d, clipped to 32767; got %d", name, n, v, y)
				}
			case v < -32768:
				clipped++
				if y != -32768 {
					t.Fatalf("%s: sample %d should be %d, clipped to -32768; got %d", name, n, v, y)
				}
			case int64(y) != v:
				t.Fatalf("%s: sample %d: got %d, want %d", name, n, y, v)
			}
		}
		t.Logf("%s: %d of %d samples clipped; unclipped peak %d (%.2f × full scale)", name, clipped, len(got), peak, float64(peak)/32768)
		if clipped == 0 {
			t.Errorf("%s: nothing clipped; the test does not reach saturation", name)
		}
	}
	check("Up", up(in), func(n int) int64 {
		var acc int64
		for j, c := range p {
			if k := n - j; k >= 0 && k%2 == 0 {
				acc += int64(c) * int64(in[k/2])
			}
		}
		return (acc + 1<<13) >> 14
	})
	wide := make([]int16, 2*len(in))
	for i := range wide {
		wide[i] = [2]int16{32767, -32768}[r.IntN(2)]
	}
	check("Down", down(wide), func(m int) int64 {
		var acc int64
		for j, c := range p {
			if k := 2*m - j; k >= 0 {
				acc += int64(c) * int64(wide[k])
			}
		}
		return (acc + 1<<14) >> 15
	})
}

func TestSilenceInGivesExactSilenceOut(t *testing.T) {
	for i, y := range up(make([]int16, 10*narrowFrame)) {
		if y != 0 {
			t.Fatalf("Up: sample %d of silence is %d", i, y)
		}
	}
	for i, y := range down(make([]int16, 10*wideFrame)) {
		if y != 0 {
			t.Fatalf("Down: sample %d of silence is %d", i, y)
		}
	}
}

// An FIR filter in integers has no rounding residue that could circulate:
// once a talker stops and the history has passed, the output is exactly
// zero, not a hiss of ±1 that comfort-noise or silence detection would see.
func TestSilenceAfterSoundIsExactSilenceOnceTheHistoryHasPassed(t *testing.T) {
	in := append(noise(5, 5*narrowFrame, 32768), make([]int16, 5*narrowFrame)...)
	out := up(in)
	for n := 2 * (5*narrowFrame + phaseTaps); n < len(out); n++ {
		if out[n] != 0 {
			t.Fatalf("Up: sample %d after the sound is %d", n, out[n])
		}
	}
	wide := append(noise(6, 5*wideFrame, 32768), make([]int16, 5*wideFrame)...)
	dout := down(wide)
	for m := (5*wideFrame + taps + 1) / 2; m < len(dout); m++ {
		if dout[m] != 0 {
			t.Fatalf("Down: sample %d after the sound is %d", m, dout[m])
		}
	}
}

func TestResetForgetsTheOldStream(t *testing.T) {
	in := noise(7, narrowFrame, 32768)
	var u, fresh Up
	scratch := make([]int16, 2*narrowFrame)
	u.Process(scratch, noise(8, narrowFrame, 32768))
	u.Reset()
	got, want := make([]int16, 2*narrowFrame), make([]int16, 2*narrowFrame)
	u.Process(got, in)
	fresh.Process(want, in)
	if !equal(t, got, want) {
		t.Error("Up after Reset differs from a new Up")
	}

	var d, freshDown Down
	d.Process(make([]int16, narrowFrame), noise(9, wideFrame, 32768))
	d.Reset()
	gotDown, wantDown := make([]int16, narrowFrame), make([]int16, narrowFrame)
	d.Process(gotDown, want)
	freshDown.Process(wantDown, want)
	if !equal(t, gotDown, wantDown) {
		t.Error("Down after Reset differs from a new Down")
	}
}

func TestAnImpulseComesOutDelayedByTheStatedDelay(t *testing.T) {
	in := make([]int16, narrowFrame)
	in[0] = amp
	out := up(in)
	if peak := argmax(out); peak != delaySamples {
		t.Errorf("Up: impulse peaks at sample %d, want %d", peak, delaySamples)
	}
	wide := make([]int16, wideFrame)
	wide[1] = amp // Down keeps even-numbered samples' filter outputs; 1 + 27 is one of them
	dout := down(wide)
	if peak := 2 * argmax(dout); peak != 1+delaySamples {
		t.Errorf("Down: impulse at 16 kHz sample 1 peaks at 16 kHz sample %d, want %d", peak, 1+delaySamples)
	}
	t.Logf("delay: %d samples at %d Hz = %v each way; %v phone to phone", delaySamples, WideRate, Delay, 2*Delay)
}

func argmax(s []int16) int {
	best := 0
	for i, x := range s {
		if x > s[best] {
			best = i
		}
	}
	return best
}

// Up then Down is, in the voice band, a pure delay of 27 samples at 8 kHz:
// the two filters are linear-phase and their delays add to a whole number
// of narrowband samples.
func TestUpThenDownIsTheVoiceTwentySevenSamplesLate(t *testing.T) {
	in := make([]int16, 10*narrowFrame)
	for _, f := range []float64{300, 1000, 2500, 3300} {
		for n, x := range tone(f, 6000, NarrowRate, 0.2) {
			in[n] += x
		}
	}
	out := down(up(in))
	const late = 2 * delaySamples / 2 // two passes at 16 kHz, counted at 8 kHz
	var worst int
	for n := late + taps; n < len(out); n++ {
		worst = max(worst, abs(int(out[n])-int(in[n-late])))
	}
	t.Logf("four voice-band tones of 6000 each: Up then Down differs from the input %d samples late by at most %d (%.1f dB below the tones)", late, worst, -db(float64(worst)/6000))
	if worst > 60 {
		t.Errorf("Up then Down differs from the input %d samples late by up to %d; want at most 60", late, worst)
	}
}

func abs(x int) int { return max(x, -x) }

func TestMismatchedLengthsPanicRatherThanGlitch(t *testing.T) {
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s did not panic", name)
			}
		}()
		f()
	}
	var u Up
	var d Down
	mustPanic("Up with dst too short", func() { u.Process(make([]int16, 319), make([]int16, 160)) })
	mustPanic("Up with dst too long", func() { u.Process(make([]int16, 321), make([]int16, 160)) })
	mustPanic("Down with an odd src", func() { d.Process(make([]int16, 160), make([]int16, 319)) })
	mustPanic("Down with dst too long", func() { d.Process(make([]int16, 161), make([]int16, 320)) })
}

func TestProcessingAFrameAllocatesNothing(t *testing.T) {
	var u Up
	var d Down
	narrow, wide := noise(10, narrowFrame, 32768), make([]int16, wideFrame)
	if n := testing.AllocsPerRun(100, func() { u.Process(wide, narrow) }); n != 0 {
		t.Errorf("Up.Process allocates %v times per frame", n)
	}
	if n := testing.AllocsPerRun(100, func() { d.Process(narrow, wide) }); n != 0 {
		t.Errorf("Down.Process allocates %v times per frame", n)
	}
}

// BenchmarkUp is the cost of one 20 ms frame, 160 samples in, 320 out.
func BenchmarkUp(b *testing.B) {
	var u Up
	src, dst := noise(11, narrowFrame, 32768), make([]int16, wideFrame)
	b.ReportAllocs()
	for b.Loop() {
		u.Process(dst, src)
	}
}

// BenchmarkDown is the cost of one 20 ms frame, 320 samples in, 160 out.
func BenchmarkDown(b *testing.B) {
	var d Down
	src, dst := noise(12, wideFrame, 32768), make([]int16, narrowFrame)
	b.ReportAllocs()
	for b.Loop() {
		d.Process(dst, src)
	}
}
