package rtcp

import (
	"testing"
	"time"
)

// FuzzParse feeds whatever reaches a leg's RTCP port to Parse: it may
// refuse anything, but must never panic, and what it accepts must hold
// together.
func FuzzParse(f *testing.F) {
	t0 := time.Unix(1700000000, 0)
	sr := Report{SSRC: 1, CNAME: "a", Sender: true, NTP: t0, Packets: 3, Block: &Block{SSRC: 7, FractionLost: 30, LSR: 5, DLSR: 9}}
	rr := Report{SSRC: 2, CNAME: "b", Block: &Block{SSRC: 7, Lost: -2}}
	for _, r := range []Report{sr, rr} {
		b, err := r.Marshal()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{0x81, 201, 0, 7, 0, 0, 0, 2}) // an RR promising a block it lacks
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Parse(b, 7, t0)
		if err != nil {
			return
		}
		if p.Block != nil && p.Block.SSRC != 7 {
			t.Fatalf("kept a block about %d", p.Block.SSRC)
		}
		if p.HasRTT && (p.RTT < 0 || p.RTT > maxRTT) {
			t.Fatalf("RTT %s", p.RTT)
		}
	})
}
