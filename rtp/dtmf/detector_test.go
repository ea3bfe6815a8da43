package dtmf

import "testing"

type pkt struct {
	ts   uint32
	code uint8
	end  bool
}

func TestDetector(t *testing.T) {
	// press sends what a phone sends for one key: start, two updates, and the
	// end packet three times.
	press := func(ts uint32, code uint8) []pkt {
		return []pkt{{ts, code, false}, {ts, code, false}, {ts, code, false}, {ts, code, true}, {ts, code, true}, {ts, code, true}}
	}
	cat := func(parts ...[]pkt) []pkt {
		var out []pkt
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	tests := []struct {
		name string
		pkts []pkt
		want string
	}{
		{"one press reported once", press(1000, 1), "1"},
		{"same key twice", cat(press(1000, 4), press(3000, 4)), "44"},
		{"sequence", cat(press(100, 1), press(900, 2), press(1700, 3), press(2500, 11)), "123#"},
		{"no end yet", []pkt{{100, 7, false}, {100, 7, false}}, ""},
		{"all end packets lost", cat(press(100, 7)[:3], press(900, 8)), "78"},
		{"only end packets arrive", []pkt{{100, 9, true}, {100, 9, true}}, "9"},
		{"end reordered behind the next press", cat(press(100, 5)[:4], []pkt{{900, 6, false}, {100, 5, true}}, press(900, 6)[1:]), "56"},
		{"timestamp wraps", cat(press(4294967000, 2), press(200, 3)), "23"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Detector
			var got []byte
			for _, p := range tt.pkts {
				got = d.Feed(got, p.ts, Event{Code: p.code, End: p.end})
			}
			if string(got) != tt.want {
				t.Fatalf("digits = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDetectorReset(t *testing.T) {
	var d Detector
	d.Feed(nil, 100, Event{Code: 1})
	d.Reset()
	// After a restart the old, unended event must not surface.
	if got := d.Feed(nil, 500, Event{Code: 2, End: true}); string(got) != "2" {
		t.Fatalf("digits after reset = %q, want \"2\"", got)
	}
}
