package resample

import (
	"math"
	"testing"

	"github.com/confgw/confgw/audio"
)

func sineFrame(r audio.Rate, freq float64, n int) audio.Frame {
	f := audio.Frame{Rate: r}
	for i := range f.Samples() {
		f.PCM[i] = int16(8000 * math.Sin(2*math.Pi*freq*float64(n*r.FrameSamples()+i)/float64(r.Hz())))
	}
	return f
}

func TestAConverterCopiesAFrameAlreadyAtTheRoomsRate(t *testing.T) {
	var c Converter
	src := sineFrame(audio.Wideband, 1000, 0)
	dst := audio.Frame{Rate: audio.Wideband}
	c.Convert(&dst, &src)
	if dst != src {
		t.Error("a frame at the target rate was altered")
	}
}

func TestAConverterCarriesANarrowbandToneIntoAWidebandRoomAndBack(t *testing.T) {
	var in, out Converter
	var last audio.Frame
	for n := range 10 {
		src := sineFrame(audio.Narrowband, 1000, n)
		wide := audio.Frame{Rate: audio.Wideband}
		in.Convert(&wide, &src)
		back := audio.Frame{Rate: audio.Narrowband}
		out.Convert(&back, &wide)
		last = back
	}
	// Up then Down delays by delaySamples narrowband samples; past the
	// filters' start, the tone comes back at its level.
	var peak int16
	for _, v := range last.Samples() {
		peak = max(peak, v)
	}
	if peak < 7900 || peak > 8100 {
		t.Errorf("peak %d after a round trip, want about 8000", peak)
	}
}

func TestAConverterRestartsItsFilterWhenTheRoomChangesRate(t *testing.T) {
	var c Converter
	loud := sineFrame(audio.Narrowband, 1000, 0)
	wide := audio.Frame{Rate: audio.Wideband}
	c.Convert(&wide, &loud)
	// The room goes narrowband and back: the history of the loud frame
	// must not reach a silent one.
	narrow := audio.Frame{Rate: audio.Narrowband}
	c.Convert(&narrow, &audio.Frame{Rate: audio.Narrowband})
	silent := audio.Frame{Rate: audio.Narrowband}
	c.Convert(&wide, &silent)
	for i, v := range wide.Samples() {
		if v != 0 {
			t.Fatalf("sample %d is %d after a restart on silence", i, v)
		}
	}
}

func TestConvertingAllocatesNothing(t *testing.T) {
	var c Converter
	src := sineFrame(audio.Narrowband, 1000, 0)
	dst := audio.Frame{Rate: audio.Wideband}
	if n := testing.AllocsPerRun(100, func() { c.Convert(&dst, &src) }); n != 0 {
		t.Errorf("%v allocations per frame", n)
	}
}
