package conference_test

import (
	"errors"
	"testing"

	"github.com/confgw/confgw/conference"
)

func TestVersionCompare(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"4.9", "4.14", -1},
		{"4.14", "4.14", 0},
		{"4.14.0", "4.14", 0},
		{"4.14.2", "4.14", 1},
		{"10.0", "4.14", 1},
		{"4.13.99", "4.14", -1},
		{"5", "4.14", 1},
	}
	for _, tt := range tests {
		a, b := conference.MustVersion(tt.a), conference.MustVersion(tt.b)
		if got := a.Compare(b); got != tt.want {
			t.Errorf("%s vs %s = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestParseVersionRejects(t *testing.T) {
	for _, s := range []string{"", "4.", ".4", "4..1", "v4.14", "4.14-beta", "+4", "-1.0", "1.2.3.4.5", "4.1234567", "4 .14", "-0.14", "4.-0"} {
		if _, err := conference.ParseVersion(s); !errors.Is(err, conference.ErrInvalid) {
			t.Errorf("ParseVersion(%q) = %v, want invalid_request", s, err)
		}
	}
}
