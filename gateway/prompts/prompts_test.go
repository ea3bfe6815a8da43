package prompts

import (
	"math"
	"testing"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/internal/tone"
)

func rms(s []int16) float64 {
	var sum float64
	for _, x := range s {
		sum += float64(x) * float64(x)
	}
	return math.Sqrt(sum / float64(len(s)))
}

func dBFS(v float64) float64 { return 20 * math.Log10(v/32768) }

// TestPromptFiles checks what scripts/prompts produced, so a regeneration
// gone wrong (a wrong format, a silent or clipped file, a runaway length)
// fails here rather than on a caller's ear.
func TestPromptFiles(t *testing.T) {
	for _, p := range All() {
		t.Run(p.Name, func(t *testing.T) {
			raw, err := files.ReadFile(p.Name + ".raw")
			if err != nil {
				t.Fatal(err)
			}
			if len(raw) == 0 || len(raw)%2 != 0 {
				t.Fatalf("%d bytes: not a whole number of 16-bit samples", len(raw))
			}
			// Prompts ride in the binary; a few seconds of speech is well
			// under 50 KB, more means the wrong rate or format.
			if len(raw) > 48000 {
				t.Errorf("%d bytes, want under 48000", len(raw))
			}
			secs := float64(len(p.Samples)) / audio.NarrowbandHz
			if secs < 0.5 || secs > 6 {
				t.Errorf("%.2f s long, want 0.5 to 6 s", secs)
			}
			// scripts/prompts aims at -16 dBFS RMS.
			if lvl := dBFS(rms(p.Samples)); lvl < -20 || lvl > -12 {
				t.Errorf("level %.1f dBFS RMS, want about -16", lvl)
			}
			clipped := 0
			for _, x := range p.Samples {
				if x >= 32000 || x <= -32000 {
					clipped++
				}
			}
			if clipped > len(p.Samples)/1000 {
				t.Errorf("%d of %d samples at full scale", clipped, len(p.Samples))
			}
			// Trimmed: speech from the first frame, so a caller hears it at once.
			if lvl := dBFS(rms(p.Frames[0].Samples())); lvl < -60 {
				t.Errorf("first frame at %.1f dBFS: leading silence left in", lvl)
			}
		})
	}
}

func TestFramesHoldTheSamples(t *testing.T) {
	for _, p := range All() {
		want := (len(p.Samples) + audio.NarrowbandFrameSamples - 1) / audio.NarrowbandFrameSamples
		if len(p.Frames) != want {
			t.Fatalf("%s: %d frames for %d samples, want %d", p.Name, len(p.Frames), len(p.Samples), want)
		}
		for i, x := range p.Samples {
			if got := p.Frames[i/audio.NarrowbandFrameSamples].PCM[i%audio.NarrowbandFrameSamples]; got != x {
				t.Fatalf("%s: sample %d is %d in the frames, %d in the file", p.Name, i, got, x)
			}
		}
		last := p.Frames[len(p.Frames)-1]
		for i := len(p.Samples) % audio.NarrowbandFrameSamples; i > 0 && i < audio.NarrowbandFrameSamples; i++ {
			if last.PCM[i] != 0 {
				t.Fatalf("%s: padding sample %d of the last frame is %d", p.Name, i, last.PCM[i])
			}
		}
	}
}

func TestDecodeRefusesBrokenFiles(t *testing.T) {
	for _, raw := range [][]byte{nil, {1}, {1, 2, 3}} {
		if _, err := decode("broken", raw); err == nil {
			t.Errorf("%d bytes decoded", len(raw))
		}
	}
}

// hears is the 200 ms that sipphone's Hears judges.
const hears = 1600

// peak returns the largest share of a 200 ms window's energy at any one
// frequency of the telephone band, and that frequency. Over 200 ms a 2 Hz
// step lands within a fifth of a bin of any tone, which then scores over
// 0.85, while speech's moving pitch spreads its energy.
func peak(s []int16) (worst, at float64) {
	for i := 0; i+hears <= len(s); i += hears {
		for f := 200.0; f <= 3400; f += 2 {
			if sh := tone.Share(s[i:i+hears], f, audio.NarrowbandHz); sh > worst {
				worst, at = sh, f
			}
		}
	}
	return worst, at
}

// TestSpeechNotATone: speech spreads its energy over many frequencies,
// unlike the beeps the prompts replaced. It must also stay clear of the
// tones that the gateway tests' phones play (440, 770 and 1200 Hz) to tell
// who hears whom: a prompt that tone.Detect took for one of them would make
// a caller keying its PIN seem to hear the conference. scripts/prompts
// picks a voice that keeps clear; this catches a regeneration that doesn't.
func TestSpeechNotATone(t *testing.T) {
	beep := make([]int16, hears)
	tone.Sine(661.3, 6000, audio.NarrowbandHz).Fill(beep)
	if worst, _ := peak(beep); worst < 0.8 {
		t.Fatalf("a pure beep scores only %.2f", worst)
	}
	for _, p := range All() {
		s := append(append([]int16(nil), p.Samples...), make([]int16, hears)...)
		worst, at := peak(s)
		t.Logf("%s: at most %.2f of 200 ms of speech at one frequency (%v Hz)", p.Name, worst, at)
		if worst > 0.6 {
			t.Errorf("%s: %.2f of 200 ms at %v Hz: a tone, not speech", p.Name, worst, at)
		}
		for i := 0; i+hears <= len(s); i += audio.NarrowbandFrameSamples {
			for _, f := range []float64{440, 770, 1200} {
				if tone.Detect(s[i:i+hears], f, audio.NarrowbandHz) {
					t.Errorf("%s: %v Hz detected at %.2f s (share %.3f)", p.Name, f,
						float64(i)/audio.NarrowbandHz, tone.Share(s[i:i+hears], f, audio.NarrowbandHz))
				}
			}
		}
	}
}
