package dtmf

import (
	"errors"
	"testing"
)

func TestPIN(t *testing.T) {
	tests := []struct {
		name string
		keys string
		want string
		done bool
		err  error
	}{
		{"digits then hash", "1234#", "1234", true, nil},
		{"no hash yet", "1234", "", false, nil},
		{"star starts over", "12*987#", "987", true, nil},
		{"letters ignored", "1A2B#", "12", true, nil},
		{"empty entry", "#", "", true, nil},
		{"too long", "1234567#", "", true, ErrPINTooLong},
		{"too long then corrected", "1234567*42#", "42", true, nil},
		{"second entry after a first", "11#22#", "22", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewPIN(6)
			var pin string
			var done bool
			var err error
			for i := range len(tt.keys) {
				pin, done, err = p.Feed(tt.keys[i])
			}
			if pin != tt.want || done != tt.done || !errors.Is(err, tt.err) {
				t.Fatalf("last Feed = %q, %v, %v; want %q, %v, %v", pin, done, err, tt.want, tt.done, tt.err)
			}
			if done && p.Len() != 0 {
				t.Fatalf("entry not cleared after '#': %d digits left", p.Len())
			}
		})
	}
}
