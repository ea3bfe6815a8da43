package g711

import "testing"

// Phones send PCMU and PCMA without rtpmap lines, trusting RFC 3551's static
// assignments; a wrong number here breaks calls silently.
func TestStaticPayloadTypes(t *testing.T) {
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
