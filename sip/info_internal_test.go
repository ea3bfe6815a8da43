package sip

import (
	"errors"
	"strings"
	"testing"
)

func TestAnInfoBodyIsReadStrictlyForOneKey(t *testing.T) {
	cases := []struct {
		name, ct, body string
		want           rune
		err            error
	}{
		{"dtmf-relay as PBXs send it", "application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", '5', nil},
		{"star", "application/dtmf-relay", "Signal=*\r\nDuration=100", '*', nil},
		{"pound spelt 11", "application/dtmf-relay", "Signal=11\nDuration=250\n", '#', nil},
		{"star spelt 10", "application/dtmf-relay", "signal = 10\r\n", '*', nil},
		{"no duration", "application/dtmf-relay", "Signal=0", '0', nil},
		{"a lower-case letter", "application/dtmf-relay", "Signal=d\r\n", 'D', nil},
		{"a parameter on the type", "application/dtmf-relay; charset=utf-8", "Signal=6\r\n", '6', nil},
		{"blank lines", "application/dtmf-relay", "\r\nSignal=1\r\n\r\nDuration=160\r\n\r\n", '1', nil},
		{"dtmf", "application/dtmf", "6\r\n", '6', nil},
		{"dtmf star", "application/dtmf", "*", '*', nil},
		{"no signal", "application/dtmf-relay", "Duration=160\r\n", 0, errInfoSyntax},
		{"two signals", "application/dtmf-relay", "Signal=1\r\nSignal=6\r\n", 0, errInfoSyntax},
		{"two durations", "application/dtmf-relay", "Signal=1\r\nDuration=1\r\nDuration=2\r\n", 0, errInfoSyntax},
		{"an unknown field", "application/dtmf-relay", "Signal=1\r\nVolume=10\r\n", 0, errInfoSyntax},
		{"a line without =", "application/dtmf-relay", "Signal=1\r\ngarbage\r\n", 0, errInfoSyntax},
		{"two keys in a signal", "application/dtmf-relay", "Signal=12\r\n", 0, errInfoSyntax},
		{"a key out of range", "application/dtmf-relay", "Signal=E\r\n", 0, errInfoSyntax},
		{"a negative duration", "application/dtmf-relay", "Signal=1\r\nDuration=-5\r\n", 0, errInfoSyntax},
		{"a huge duration", "application/dtmf-relay", "Signal=1\r\nDuration=99999999999999999999\r\n", 0, errInfoSyntax},
		{"a NUL", "application/dtmf-relay", "Signal=\x00\r\n", 0, errInfoSyntax},
		{"a non-ASCII key", "application/dtmf-relay", "Signal=\u0661\r\n", 0, errInfoSyntax},
		{"dtmf with two keys", "application/dtmf", "66", 0, errInfoSyntax},
		{"an empty signal", "application/dtmf-relay", "Signal=\r\n", 0, errInfoSyntax},
		{"another type", "text/plain", "Signal=5", 0, errInfoUnknown},
		{"no type", "", "Signal=5", 0, errInfoUnknown},
		{"a malformed type", "application/", "Signal=5", 0, errInfoUnknown},
		{"a media control document", "application/media_control+xml", "<media_control/>", 0, errInfoUnknown},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseKey(tc.ct, []byte(tc.body))
			if !errors.Is(err, tc.err) || got != tc.want {
				t.Fatalf("%q, %v; want %q, %v", got, err, tc.want, tc.err)
			}
		})
	}
}

func FuzzParseKey(f *testing.F) {
	f.Add("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n")
	f.Add("application/dtmf", "#")
	f.Fuzz(func(t *testing.T, ct, body string) {
		d, err := parseKey(ct, []byte(body))
		if err == nil && !strings.ContainsRune("0123456789*#ABCD", d) {
			t.Fatalf("key %q from %q", d, body)
		}
	})
}
