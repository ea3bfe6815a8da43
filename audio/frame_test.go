package audio

import (
	"testing"
	"time"
)

func TestAFrameHoldsTwentyMillisecondsAtEitherRate(t *testing.T) {
	tests := []struct {
		r    Rate
		hz   int
		want int
	}{
		{Narrowband, 8000, 160},
		{Wideband, 16000, 320},
	}
	for _, tt := range tests {
		f := Frame{Rate: tt.r}
		if got := len(f.Samples()); got != tt.want {
			t.Errorf("%v: %d samples, want %d", tt.r, got, tt.want)
		}
		if got := tt.r.Samples(FrameDuration); got != tt.want {
			t.Errorf("%v.Samples(FrameDuration) = %d, want %d", tt.r, got, tt.want)
		}
		if tt.r.Hz() != tt.hz {
			t.Errorf("%v.Hz() = %d, want %d", tt.r, tt.r.Hz(), tt.hz)
		}
	}
}

func TestAFrameNobodySetARateOnIsNarrowband(t *testing.T) {
	var f Frame
	if f.Rate != Narrowband || len(f.Samples()) != 160 {
		t.Errorf("zero frame is %v with %d samples", f.Rate, len(f.Samples()))
	}
	if got := Narrowband.Samples(time.Second); got != 8000 {
		t.Errorf("a second is %d narrowband samples", got)
	}
}
