package gateway_test

import (
	"fmt"
	"testing"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/g711"
	"github.com/confgw/confgw/audio/resample"
	"github.com/confgw/confgw/internal/tone"
	"github.com/confgw/confgw/mixer"
)

// codecEndpoint is a phone leg without its socket: it decodes a PCMU
// payload for the mixer and encodes what it hears, as a leg does every
// tick, so that the benchmark times the whole audio path of a tick but the
// system calls.
type codecEndpoint struct {
	codec g711.FrameCodec
	talk  bool
	in    [4][g711.FrameBytes]byte
	next  int
	out   [g711.FrameBytes]byte
	// As a leg does: G.711 is narrowband, the room may not be.
	native, heard   audio.Frame
	inConv, outConv resample.Converter
}

func newCodecEndpoint(talk bool, freqHz float64) *codecEndpoint {
	codec, _ := g711.Lookup(audio.PCMU.Name)
	e := &codecEndpoint{codec: codec, talk: talk}
	g := tone.Sine(freqHz, 4000, audio.NarrowbandHz)
	var f audio.Frame
	for i := range e.in {
		g.Next(&f)
		e.codec.EncodeFrame(&e.in[i], &f)
	}
	return e
}

func (e *codecEndpoint) ReadFrame(f *audio.Frame) bool {
	if !e.talk {
		return false
	}
	_ = e.codec.DecodeFrame(&e.native, e.in[e.next][:])
	e.inConv.Convert(f, &e.native)
	e.next = (e.next + 1) % len(e.in)
	return true
}

func (e *codecEndpoint) WriteFrame(f *audio.Frame) {
	e.outConv.Convert(&e.heard, f)
	e.codec.EncodeFrame(&e.out, &e.heard)
}

// wideband makes a room wideband, as an Opus participant does, and
// otherwise stays out of the way: it never talks.
type wideband struct{}

func (wideband) ReadFrame(*audio.Frame) bool { return false }
func (wideband) WriteFrame(*audio.Frame)     {}
func (wideband) NativeRate() audio.Rate      { return audio.Wideband }

// BenchmarkMixG711 is one tick of a room on one core: decode every
// talker's G.711, sum, mix-minus, and encode G.711 for every participant.
// "all" has everyone talking, the worst case; "3" is a meeting.
func BenchmarkMixG711(b *testing.B) { benchmarkMixG711(b, false) }

// BenchmarkMixG711InAWidebandRoom is the same tick in a room an Opus
// participant made wideband: every phone leg converts its audio to 16 kHz
// and back.
func BenchmarkMixG711InAWidebandRoom(b *testing.B) { benchmarkMixG711(b, true) }

func benchmarkMixG711(b *testing.B, wide bool) {
	for _, talkers := range []string{"3", "all"} {
		for _, n := range []int{10, 100, 1000, 5000} {
			b.Run(fmt.Sprintf("talking=%s/%d", talkers, n), func(b *testing.B) {
				m := mixer.New()
				if wide {
					_ = m.Attach("opus", wideband{})
				}
				for i := range n {
					talk := talkers == "all" || i < 3
					if err := m.Attach(fmt.Sprint(i), newCodecEndpoint(talk, float64(300+i%40*50))); err != nil {
						b.Fatal(err)
					}
				}
				m.MixOnce()
				b.ReportAllocs()
				for b.Loop() {
					m.MixOnce()
				}
				perTick := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
				b.ReportMetric(perTick/1e6, "ms/tick")
				b.ReportMetric(perTick/float64(n), "ns/participant")
			})
		}
	}
}
