package loadgen

import (
	"math"
	"sync"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/g711"
	"github.com/confgw/confgw/internal/tone"
)

const (
	frameSamples = g711.FrameBytes // one 20 ms PCMU payload is 160 samples
	sampleRate   = audio.NarrowbandHz

	// TalkerDBFS is each talker's tone level (RMS re full scale): loud
	// enough to dominate the mix, low enough that a dozen never clip.
	TalkerDBFS = -20.0

	// Quiet legs send a faint 200 Hz tone so that the gateway mixes them as
	// real talkers. Its µ-law quantisation only adds odd harmonics, all
	// multiples of 200 Hz, which no talker frequency is. Even 2000 legs of
	// it sum to about -40 dBFS: far under the talkers, so a sampled leg's
	// spectrum is the talkers'.
	quietHz   = 200.0
	quietPeak = 12.0

	// analysisBlock is how many samples each Goertzel pass covers: 100 ms
	// resolves 10 Hz, so talkers 200 Hz apart do not leak into each other
	// and a concealed or dropped frame only smears one block.
	analysisBlock = 800
)

// talkerFreqs are the talkers' tones: each is a whole number of cycles in
// 20 ms, so one precomputed payload repeats with no seam, and none is a
// multiple of quietHz.
var talkerFreqs = [...]float64{500, 700, 1100, 1300, 1700, 1900, 2300, 2500, 2900, 3100, 3500, 3700}

// MaxTalkers is how many distinct talker tones there are.
const MaxTalkers = len(talkerFreqs)

// quietPhases is how many phases quiet legs spread over: in-phase copies of
// one tone would add up coherently across thousands of legs.
const quietPhases = 40 // one 200 Hz period

// squares maps a PCMU byte to its decoded sample squared, so a packet's
// energy costs one load and one add per byte.
var squares = func() (t [256]uint64) {
	for b := range t {
		s := int64(g711.DecodeUlawSample(byte(b)))
		t[b] = uint64(s * s)
	}
	return t
}()

// frameEnergy is the sum of squared samples of a PCMU payload.
func frameEnergy(p []byte) uint64 {
	var e uint64
	for _, b := range p {
		e += squares[b]
	}
	return e
}

// dBFS is the RMS level of samples with the given energy, relative to a
// full-scale int16 square wave; silence is reported as floorDBFS.
func dBFS(energy uint64, samples uint64) float64 {
	if samples == 0 || energy == 0 {
		return floorDBFS
	}
	rms := math.Sqrt(float64(energy) / float64(samples))
	return math.Max(20*math.Log10(rms/32768), floorDBFS)
}

// floorDBFS stands for silence, which has no finite level.
const floorDBFS = -120.0

// peakFor is the peak of a sine with the given RMS level in dBFS.
func peakFor(db float64) float64 { return 32768 * math.Pow(10, db/20) * math.Sqrt2 }

// tonePayload is one 20 ms PCMU frame of a freq tone starting offset
// samples into it.
func tonePayload(freq, peak float64, offset int) []byte {
	lin := make([]int16, offset+frameSamples)
	tone.Sine(freq, peak, sampleRate).Fill(lin)
	p := make([]byte, frameSamples)
	g711.EncodeUlaw(p, lin[offset:])
	return p
}

// payloads holds every frame the generator sends; legs share them.
type payloads struct {
	quiet  [quietPhases][]byte
	talker [MaxTalkers][]byte
}

func newPayloads() *payloads {
	p := &payloads{}
	for i := range p.quiet {
		p.quiet[i] = tonePayload(quietHz, quietPeak, i)
	}
	for i, f := range talkerFreqs {
		p.talker[i] = tonePayload(f, peakFor(TalkerDBFS), 0)
	}
	return p
}

// analyzer measures, on one sampled leg, how much of what it hears lies at
// each talker frequency. Goertzel runs per block and the powers add up, so
// the share is an energy-weighted mean over the whole window.
type analyzer struct {
	mu      sync.Mutex
	on      bool
	rate    int     // samples per second of what the leg hears
	block   []int16 // analysisBlock's 100 ms at rate
	n       int
	power   [MaxTalkers]float64
	energy  float64
	samples int
}

// newAnalyzer returns an analyzer of audio heard at rate samples a second:
// a phone leg's 8000, a WebRTC leg's 16000.
func newAnalyzer(rate int) *analyzer {
	return &analyzer{rate: rate, block: make([]int16, rate*analysisBlock/sampleRate)}
}

// add decodes one received PCMU payload into the current block.
func (a *analyzer) add(p []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.on {
		return
	}
	for len(p) > 0 {
		k := copy8(a.block[a.n:], p)
		a.n += k
		p = p[k:]
		if a.n == len(a.block) {
			a.flush()
		}
	}
}

// addPCM adds decoded samples at the analyzer's rate.
func (a *analyzer) addPCM(s []int16) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.on {
		return
	}
	for len(s) > 0 {
		k := copy(a.block[a.n:], s)
		a.n += k
		s = s[k:]
		if a.n == len(a.block) {
			a.flush()
		}
	}
}

func copy8(dst []int16, src []byte) int {
	n := min(len(dst), len(src))
	g711.DecodeUlaw(dst[:n], src[:n])
	return n
}

func (a *analyzer) flush() {
	for i, f := range talkerFreqs {
		a.power[i] += tone.Goertzel(a.block, f, a.rate)
	}
	for _, s := range a.block {
		a.energy += float64(s) * float64(s)
	}
	a.samples += a.n
	a.n = 0
}

func (a *analyzer) setOn(on bool) {
	a.mu.Lock()
	a.on = on
	a.mu.Unlock()
}

// shares is the fraction of the heard energy at each talker frequency, on
// the scale of tone.Share: a lone pure tone scores about 1.
func (a *analyzer) shares() [MaxTalkers]float64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	var s [MaxTalkers]float64
	if a.samples == 0 || a.energy/float64(a.samples) < 1 {
		return s
	}
	for i := range s {
		s[i] = 2 * a.power[i] / (float64(len(a.block)) * a.energy)
	}
	return s
}

// hearThreshold is the share above which a tone counts as heard when a
// listener should hear k equal tones: each then holds about 1/k, so half of
// that separates present from absent (leakage stays under 0.001 at 200 Hz
// spacing) without tone.DetectShare failing a room with many talkers.
func hearThreshold(k int) float64 {
	if k < 1 {
		k = 1
	}
	return math.Min(tone.DetectShare, 0.5/float64(k))
}

// Hearing is what one sampled leg heard.
type Hearing struct {
	Leg    int `json:"leg"`
	Talker int `json:"talker"` // index of its own tone, -1 for a quiet leg
	// Shares per talker tone, in talker order.
	Shares []float64 `json:"shares"`
	// Missing lists talker tones it should hear and does not; Self is true
	// when a talker hears its own tone (mix-minus broken).
	Missing []float64 `json:"missing,omitempty"`
	Self    bool      `json:"hears_self,omitempty"`
}

// judge checks shares against the talkers up: every one but itself must be
// heard and its own must not.
func judge(leg, self int, shares [MaxTalkers]float64, up []bool) Hearing {
	h := Hearing{Leg: leg, Talker: self}
	k := 0
	for i, ok := range up {
		if ok && i != self {
			k++
		}
	}
	th := hearThreshold(k)
	for i, ok := range up {
		h.Shares = append(h.Shares, math.Round(shares[i]*1e4)/1e4)
		if !ok {
			continue
		}
		if i == self {
			h.Self = shares[i] >= th
		} else if shares[i] < th {
			h.Missing = append(h.Missing, talkerFreqs[i])
		}
	}
	return h
}

// OK says the leg heard the mix and not itself.
func (h Hearing) OK() bool { return len(h.Missing) == 0 && !h.Self }
