package audio

import "testing"

// Phones send PCMU and PCMA without rtpmap lines, trusting RFC 3551's static
// assignments; a wrong number here breaks calls silently.
func TestG711HasItsStaticPayloadTypes(t *testing.T) {
	tests := []struct {
		got, want Codec
	}{
		{PCMU, Codec{Name: "PCMU", PayloadType: 0, ClockRate: 8000}},
		{PCMA, Codec{Name: "PCMA", PayloadType: 8, ClockRate: 8000}},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %+v, want %+v", tt.got, tt.want)
		}
	}
}

func TestACodecIsAnotherOfTheSameNameAndClockWhateverItsPayloadType(t *testing.T) {
	tests := []struct {
		a, b Codec
		want bool
	}{
		{PCMU, Codec{Name: "pcmu", PayloadType: 96, ClockRate: 8000}, true},
		{PCMU, PCMA, false},
		{PCMU, Codec{Name: "PCMU", ClockRate: 16000}, false},
	}
	for _, tt := range tests {
		if got := tt.a.Is(tt.b); got != tt.want {
			t.Errorf("%+v.Is(%+v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestAG711FrameIsOneHundredAndSixtyTicksOfItsClock(t *testing.T) {
	if got := PCMU.FrameTicks(); got != 160 {
		t.Errorf("PCMU.FrameTicks() = %d, want 160 (20 ms at 8 kHz)", got)
	}
}
