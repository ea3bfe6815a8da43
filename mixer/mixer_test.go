package mixer_test

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/internal/tone"
	"github.com/confgw/confgw/mixer"
)

func attach(t testing.TB, m *mixer.Mixer, eps ...*fakeEndpoint) {
	t.Helper()
	for i, ep := range eps {
		if err := m.Attach(fmt.Sprint("ep", i), ep); err != nil {
			t.Fatal(err)
		}
	}
}

func tick(m *mixer.Mixer, n int) {
	for range n {
		m.MixOnce()
	}
}

func TestMixMinusTones(t *testing.T) {
	tests := []struct {
		name  string
		freqs []float64 // 0: a listener who never talks
	}{
		{"three talkers", []float64{400, 700, 1100}},
		{"two talkers, one listener", []float64{400, 700, 0}},
		{"one talker, two listeners", []float64{1100, 0, 0}},
		{"talker alone", []float64{700}},
		{"listeners only", []float64{0, 0}},
	}
	const ticks = 10
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eps := make([]*fakeEndpoint, len(tt.freqs))
			for i, f := range tt.freqs {
				eps[i] = silent()
				if f != 0 {
					eps[i] = talker(f)
				}
			}
			m := mixer.New()
			attach(t, m, eps...)
			tick(m, ticks)

			for i, ep := range eps {
				if len(ep.heard) != ticks*audio.NarrowbandFrameSamples {
					t.Fatalf("ep%d heard %d samples, want %d", i, len(ep.heard), ticks*audio.NarrowbandFrameSamples)
				}
				for j, f := range tt.freqs {
					if f == 0 {
						continue
					}
					if got, want := tone.Detect(ep.heard, f, audio.NarrowbandHz), i != j; got != want {
						t.Errorf("ep%d hears %v Hz: %v, want %v", i, f, got, want)
					}
				}
				// Exact: the sum of everyone else's frames, sample by sample.
				for n := range ticks {
					var want audio.Frame
					for j, other := range eps {
						if j == i {
							continue
						}
						for k := range want.Samples() {
							want.PCM[k] += other.said[n].PCM[k]
						}
					}
					got := ep.heard[n*audio.NarrowbandFrameSamples : (n+1)*audio.NarrowbandFrameSamples]
					if !slices.Equal(got, want.Samples()) {
						t.Fatalf("ep%d tick %d: heard something other than the sum of the others", i, n)
					}
				}
			}
		})
	}
}

func TestMixSaturates(t *testing.T) {
	tests := []struct {
		name         string
		talkers      []int16
		wantTalkers  []int16 // what each talker hears
		wantListener int16   // what a silent listener and the tap hear
	}{
		{"positive sum clips", []int16{30000, 30000}, []int16{30000, 30000}, 32767},
		{"negative sum clips", []int16{-30000, -30000}, []int16{-30000, -30000}, -32768},
		// Subtracting after clamping would give 32767-30000 = 2767 here.
		{"mix-minus exact when sum clips", []int16{30000, 30000, -25000}, []int16{5000, 5000, 32767}, 32767},
		{"full scale", []int16{32767, 32767, 32767}, []int16{32767, 32767, 32767}, 32767},
		{"negative full scale", []int16{-32768, -32768, -32768}, []int16{-32768, -32768, -32768}, -32768},
		{"opposites cancel", []int16{32767, -32768, 1}, []int16{-32767, 32767, -1}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var eps []*fakeEndpoint
			for _, v := range tt.talkers {
				eps = append(eps, constant(v))
			}
			listener := silent()
			tap := &tapRecorder{}
			m := mixer.New(mixer.WithTap(tap))
			attach(t, m, append(eps, listener)...)
			m.MixOnce()

			for i, ep := range eps {
				for k, s := range ep.lastHeard() {
					if s != tt.wantTalkers[i] {
						t.Fatalf("talker %d sample %d: heard %d, want %d", i, k, s, tt.wantTalkers[i])
					}
				}
			}
			for k, s := range listener.lastHeard() {
				if s != tt.wantListener {
					t.Fatalf("listener sample %d: heard %d, want %d", k, s, tt.wantListener)
				}
			}
			if len(tap.mixes) != 1 || tap.mixes[0].PCM[0] != tt.wantListener {
				t.Fatalf("tap got %d mixes, want 1 of %d", len(tap.mixes), tt.wantListener)
			}
		})
	}
}

func TestSilentListenersShareOneFrame(t *testing.T) {
	a, b, c := talker(400), silent(), silent()
	m := mixer.New()
	attach(t, m, a, b, c)
	m.MixOnce()
	if b.frames[0] != c.frames[0] {
		t.Error("silent listeners were handed different frames")
	}
	if a.frames[0] == b.frames[0] {
		t.Error("the talker was handed the listeners' frame, which includes itself")
	}
}

func TestDetach(t *testing.T) {
	a, b := talker(400), silent()
	m := mixer.New()
	attach(t, m, a, b) // ids ep0, ep1
	tick(m, 2)
	if !tone.Detect(b.heard, 400, audio.NarrowbandHz) {
		t.Fatal("listener does not hear the talker while attached")
	}
	writesBefore, readsBefore := len(a.heard), len(a.said)

	m.Detach("ep0")
	m.Detach("no such id")
	tick(m, 3)

	if got := m.Len(); got != 1 {
		t.Errorf("Len() = %d after Detach, want 1", got)
	}
	if len(a.heard) != writesBefore || len(a.said) != readsBefore {
		t.Error("detached endpoint was still read or written")
	}
	after := b.heard[2*audio.NarrowbandFrameSamples:]
	if len(after) != 3*audio.NarrowbandFrameSamples {
		t.Fatalf("listener heard %d samples after Detach, want %d", len(after), 3*audio.NarrowbandFrameSamples)
	}
	for k, s := range after {
		if s != 0 {
			t.Fatalf("listener heard %d at sample %d after the talker left", s, k)
		}
	}
}

func TestDetachKeepsOthersMixed(t *testing.T) {
	// Removing from the middle moves another slot into its place.
	eps := []*fakeEndpoint{talker(400), talker(700), talker(1100), silent()}
	m := mixer.New()
	attach(t, m, eps...)
	m.Detach("ep1")
	tick(m, 5)
	listener := eps[3]
	for _, tc := range []struct {
		freq float64
		want bool
	}{{400, true}, {700, false}, {1100, true}} {
		if got := tone.Detect(listener.heard, tc.freq, audio.NarrowbandHz); got != tc.want {
			t.Errorf("listener hears %v Hz: %v, want %v", tc.freq, got, tc.want)
		}
	}
	m.Detach("ep3") // the slot that moved into ep1's place
	tick(m, 1)
	if len(listener.heard) != 5*audio.NarrowbandFrameSamples {
		t.Error("endpoint moved by an earlier Detach was not the one detached")
	}
}

func TestAttachSameIDReplaces(t *testing.T) {
	old, replacement, listener := talker(400), talker(700), silent()
	m := mixer.New()
	if err := m.Attach("caller", old); err != nil {
		t.Fatal(err)
	}
	if err := m.Attach("host", listener); err != nil {
		t.Fatal(err)
	}
	if err := m.Attach("caller", replacement); err != nil {
		t.Fatal(err)
	}
	if got := m.Len(); got != 2 {
		t.Fatalf("Len() = %d, want 2", got)
	}
	tick(m, 5)
	if len(old.said) != 0 || len(old.heard) != 0 {
		t.Error("replaced endpoint is still mixed")
	}
	if !tone.Detect(listener.heard, 700, audio.NarrowbandHz) || tone.Detect(listener.heard, 400, audio.NarrowbandHz) {
		t.Error("listener does not hear exactly the replacement")
	}
}

func TestAttachNil(t *testing.T) {
	m := mixer.New()
	if err := m.Attach("x", nil); !errors.Is(err, mixer.ErrNilEndpoint) {
		t.Errorf("Attach(nil) error %v, want ErrNilEndpoint", err)
	}
	if m.Len() != 0 {
		t.Error("nil endpoint was attached")
	}
}

func TestEveryEndpointWrittenEveryTick(t *testing.T) {
	eps := []*fakeEndpoint{silent(), silent(), talker(400)}
	m := mixer.New()
	attach(t, m, eps...)
	tick(m, 7)
	for i, ep := range eps {
		if len(ep.frames) != 7 || len(ep.said) != 7 {
			t.Errorf("ep%d read %d and written %d times in 7 ticks", i, len(ep.said), len(ep.frames))
		}
	}
}

func TestConcurrentMembership(t *testing.T) {
	const owners, rounds = 8, 200
	var violations atomic.Int64
	m := mixer.New()

	stop := make(chan struct{})
	ticking := make(chan struct{})
	tickerDone := make(chan struct{})
	go func() {
		defer close(tickerDone)
		m.MixOnce()
		close(ticking)
		for {
			select {
			case <-stop:
				return
			default:
				m.MixOnce()
			}
		}
	}()
	<-ticking

	kept := make([]*guardEndpoint, owners)
	var wg sync.WaitGroup
	for o := range owners {
		wg.Go(func() {
			id := fmt.Sprint("owner", o)
			for r := range rounds {
				ep := &guardEndpoint{violations: &violations, talk: r%2 == 0}
				if err := m.Attach(id, ep); err != nil {
					t.Error(err)
					return
				}
				if r%5 == 0 {
					m.SetTap(&tapRecorder{})
				}
				_ = m.Len() // read alongside the writes, for the race detector
				m.Detach(id)
				ep.detached.Store(true)
			}
			kept[o] = &guardEndpoint{violations: &violations, talk: true}
			if err := m.Attach(fmt.Sprint("kept", o), kept[o]); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	close(stop)
	<-tickerDone
	m.SetTap(nil)

	if n := violations.Load(); n != 0 {
		t.Errorf("endpoints were called %d times after Detach returned", n)
	}
	if got := m.Len(); got != owners {
		t.Fatalf("Len() = %d, want %d", got, owners)
	}
	before := make([]int64, owners)
	for o, ep := range kept {
		before[o] = ep.calls.Load()
	}
	m.MixOnce()
	for o, ep := range kept {
		if got := ep.calls.Load() - before[o]; got != 2 {
			t.Errorf("kept endpoint %d got %d calls in one tick, want a read and a write", o, got)
		}
	}
}

func BenchmarkMixOnce(b *testing.B) {
	// A meeting: three people talking over each other, everyone else quiet.
	benchmarkMix(b, func(int) int { return 3 })
}

// BenchmarkMixOnceSpeaking is BenchmarkMixOnce with the speaking
// indicator on, as serve runs it: its cost is the difference.
func BenchmarkMixOnceSpeaking(b *testing.B) {
	benchmarkMixWith(b, audio.Narrowband, func(int) int { return 3 }, func(m *mixer.Mixer) {
		m.OnSpeaking(func(mixer.Speaking) bool { return true })
	})
}

func BenchmarkMixOnceAllTalking(b *testing.B) {
	// The worst case: every endpoint sends audio and needs its own mix-minus.
	benchmarkMix(b, func(n int) int { return n })
}

// BenchmarkMixOnceWideband is BenchmarkMixOnce in a room of wideband
// endpoints: twice the samples per frame.
func BenchmarkMixOnceWideband(b *testing.B) {
	benchmarkMixAt(b, audio.Wideband, func(int) int { return 3 })
}

// BenchmarkMixOnceGatedOpenMicrophones is a room of app participants:
// every endpoint sends frames, three of them speech, the rest room noise
// that the gate keeps out of the mix.
func BenchmarkMixOnceGatedOpenMicrophones(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			m := mixer.New(mixer.WithGate(-55, 400*time.Millisecond), mixer.WithTap(&benchTap{}))
			for i := range n {
				peak := 4000.0
				if i >= 3 {
					peak = 20 // about -64 dBov
				}
				if err := m.Attach(fmt.Sprint("ep", i), newBenchEndpointAt(true, float64(300+i%40*50), peak, audio.Wideband)); err != nil {
					b.Fatal(err)
				}
			}
			m.MixOnce()
			b.ReportAllocs()
			for b.Loop() {
				m.MixOnce()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/participant")
		})
	}
}

func benchmarkMix(b *testing.B, talkers func(participants int) int) {
	benchmarkMixAt(b, audio.Narrowband, talkers)
}

func benchmarkMixAt(b *testing.B, rate audio.Rate, talkers func(participants int) int) {
	benchmarkMixWith(b, rate, talkers, func(*mixer.Mixer) {})
}

func benchmarkMixWith(b *testing.B, rate audio.Rate, talkers func(participants int) int, setup func(*mixer.Mixer)) {
	for _, n := range []int{10, 100, 1000, 5000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			m := mixer.New(mixer.WithTap(&benchTap{}), mixer.WithTickObserver(func(time.Duration) {}))
			setup(m)
			for i := range n {
				ep := newBenchEndpoint(i < talkers(n), float64(300+i%40*50), rate)
				if err := m.Attach(fmt.Sprint("ep", i), ep); err != nil {
					b.Fatal(err)
				}
			}
			m.MixOnce() // first touch of every buffer outside the timing
			b.ReportAllocs()
			for b.Loop() {
				m.MixOnce()
			}
			perTick := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(perTick/float64(n), "ns/participant")
			// How many such rooms one core could mix in real time.
			b.ReportMetric(float64(audio.FrameDuration.Nanoseconds())/perTick, "rooms/core")
		})
	}
}
