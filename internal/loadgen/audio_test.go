package loadgen

import (
	"math"
	"slices"
	"testing"

	"github.com/confgw/confgw/audio/g711"
	"github.com/confgw/confgw/internal/tone"
)

func TestSquaresTable(t *testing.T) {
	for b := range 256 {
		s := int64(g711.DecodeUlawSample(byte(b)))
		if squares[b] != uint64(s*s) {
			t.Fatalf("squares[%#x] = %d, want %d", b, squares[b], s*s)
		}
	}
}

func TestTalkerPayloadLevelAndSeam(t *testing.T) {
	p := newPayloads()
	for i, f := range talkerFreqs {
		if db := dBFS(frameEnergy(p.talker[i]), frameSamples); math.Abs(db-TalkerDBFS) > 0.5 {
			t.Errorf("%v Hz talker at %.2f dBFS, want %.0f", f, db, TalkerDBFS)
		}
		// The frame repeats: four copies in a row must still be one pure
		// tone, which a seam would smear.
		lin := make([]int16, 4*frameSamples)
		for k := range 4 {
			g711.DecodeUlaw(lin[k*frameSamples:], p.talker[i])
		}
		if s := tone.Share(lin, f, sampleRate); s < 0.95 {
			t.Errorf("%v Hz looped: share %.3f, want a pure tone", f, s)
		}
	}
	for i, q := range p.quiet {
		if db := dBFS(frameEnergy(q), frameSamples); db > -60 {
			t.Errorf("quiet phase %d at %.1f dBFS, want under -60", i, db)
		}
	}
}

func TestTalkerFrequenciesAvoidQuietHarmonics(t *testing.T) {
	for _, f := range talkerFreqs {
		if math.Mod(f, quietHz) == 0 || math.Mod(f, 50) != 0 {
			t.Errorf("%v Hz: want a whole number of cycles per frame and no multiple of %v Hz", f, quietHz)
		}
	}
}

func TestDBFS(t *testing.T) {
	if got := dBFS(0, 160); got != floorDBFS {
		t.Errorf("silence: %v", got)
	}
	if got := dBFS(5, 0); got != floorDBFS {
		t.Errorf("nothing heard: %v", got)
	}
	if got := dBFS(32768*32768*160, 160); math.Abs(got) > 1e-9 {
		t.Errorf("full scale: %v", got)
	}
}

// heard plays freqs (each at the talker level) plus a quiet background into
// an analyzer for one second, as the gateway's mix would arrive.
func heard(freqs ...float64) *analyzer {
	a := newAnalyzer(sampleRate)
	a.setOn(true)
	gens := make([]*tone.Generator, len(freqs))
	for i, f := range freqs {
		gens[i] = tone.Sine(f, peakFor(TalkerDBFS), sampleRate)
	}
	quiet := tone.Sine(quietHz, 300, sampleRate)
	sum, part := make([]int16, frameSamples), make([]int16, frameSamples)
	payload := make([]byte, frameSamples)
	for range 50 {
		quiet.Fill(sum)
		for _, g := range gens {
			g.Fill(part)
			for k := range sum {
				sum[k] += part[k]
			}
		}
		g711.EncodeUlaw(payload, sum)
		a.add(payload)
	}
	return a
}

func TestAnalyzerShares(t *testing.T) {
	s := heard(500, 700, 1100).shares()
	for i, want := range []float64{1.0 / 3, 1.0 / 3, 1.0 / 3, 0} {
		if math.Abs(s[i]-want) > 0.05 {
			t.Errorf("share of %v Hz %.3f, want about %.2f", talkerFreqs[i], s[i], want)
		}
	}
	if s := newAnalyzer(sampleRate).shares(); s != [MaxTalkers]float64{} {
		t.Errorf("nothing heard: %v", s)
	}
	off := newAnalyzer(sampleRate)
	off.add(make([]byte, 4*analysisBlock))
	if off.samples != 0 {
		t.Error("an analyzer outside the window counted audio")
	}
}

func TestJudge(t *testing.T) {
	up := []bool{true, true, true, true}
	tests := []struct {
		name    string
		self    int
		a       *analyzer
		missing []float64
		hearsMe bool
	}{
		{"listener hears all", -1, heard(500, 700, 1100, 1300), nil, false},
		{"talker hears the others", 0, heard(700, 1100, 1300), nil, false},
		{"talker hears itself", 0, heard(500, 700, 1100, 1300), nil, true},
		{"one talker absent", -1, heard(500, 1100, 1300), []float64{700}, false},
		{"silence", 2, newAnalyzer(sampleRate), []float64{500, 700, 1300}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := judge(7, tt.self, tt.a.shares(), up)
			if !slices.Equal(h.Missing, tt.missing) || h.Self != tt.hearsMe {
				t.Fatalf("missing %v self %t, want %v %t (shares %v)", h.Missing, h.Self, tt.missing, tt.hearsMe, h.Shares)
			}
			if h.OK() != (tt.missing == nil && !tt.hearsMe) {
				t.Fatalf("OK() = %t", h.OK())
			}
		})
	}
	// A talker that never came up is not expected.
	h := judge(7, -1, heard(500, 700, 1100).shares(), []bool{true, true, true, false})
	if !h.OK() {
		t.Fatalf("a talker that is not up was expected: %+v", h)
	}
}

func TestHearThreshold(t *testing.T) {
	if hearThreshold(3) != tone.DetectShare || hearThreshold(0) != tone.DetectShare {
		t.Error("few talkers: want tone.DetectShare")
	}
	if got := hearThreshold(11); math.Abs(got-0.5/11) > 1e-12 {
		t.Errorf("11 talkers: %v", got)
	}
}
