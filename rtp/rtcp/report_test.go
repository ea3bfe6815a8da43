package rtcp

import (
	"errors"
	"testing"
	"time"
)

func TestAReportRoundTripsAndItsEchoGivesTheRoundTripTime(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ours := Report{SSRC: 1, CNAME: "gw", Sender: true, NTP: t0, RTPTime: 160, Packets: 50, Octets: 8600}
	b, err := ours.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	// The phone reads our SR...
	sr, err := Parse(b, 2, t0.Add(40*time.Millisecond))
	if err != nil || !sr.SR || sr.SSRC != 1 || sr.LSR != MiddleNTP(t0) || sr.Packets != 50 || sr.Octets != 8600 {
		t.Fatalf("SR read as %+v, %v", sr, err)
	}
	// ...and answers 60 ms after it arrived, reporting 10% loss.
	held := 60 * time.Millisecond
	rr := Report{SSRC: 2, CNAME: "phone", Block: &Block{
		SSRC: 1, FractionLost: 26, Lost: 5, ExtendedMax: 70000, Jitter: 80,
		LSR: sr.LSR, DLSR: Delay(held),
	}}
	b, err = rr.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(b, 1, t0.Add(140*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if p.SR || p.SSRC != 2 || p.Block == nil {
		t.Fatalf("RR read as %+v", p)
	}
	if blk := p.Block; blk.Lost != 5 || blk.ExtendedMax != 70000 || blk.Jitter != 80 || blk.LossPct() < 10 || blk.LossPct() > 10.2 {
		t.Fatalf("block read as %+v", *blk)
	}
	if !p.HasRTT || p.RTT < 79*time.Millisecond || p.RTT > 81*time.Millisecond {
		t.Fatalf("RTT %s (known %v), want 80ms", p.RTT, p.HasRTT)
	}
}

func TestABlockAboutAnotherSourceIsIgnored(t *testing.T) {
	rr := Report{SSRC: 2, Block: &Block{SSRC: 9, FractionLost: 200}}
	b, _ := rr.Marshal()
	p, err := Parse(b, 1, time.Now())
	if err != nil || p.Block != nil || p.HasRTT {
		t.Fatalf("got %+v, %v", p, err)
	}
}

func TestCumulativeLossKeepsItsSignThroughTheField(t *testing.T) {
	for _, n := range []int64{0, 5, -3, 1<<23 - 1, -(1 << 23)} {
		if got := lostFrom(clampLost(n)); got != n {
			t.Errorf("%d came back %d", n, got)
		}
	}
	if got := lostFrom(clampLost(1 << 40)); got != 1<<23-1 {
		t.Errorf("an overflowing loss came back %d", got)
	}
}

func TestParseRefusesWhatIsNotAReport(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty":     nil,
		"rtp":       {0x80, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1},
		"bye first": {0x81, 203, 0, 1, 0, 0, 0, 1},
		"short":     {0x80, 201, 0, 7, 0, 0},
		"too large": make([]byte, MaxPacketBytes+1),
	} {
		if _, err := Parse(b, 1, time.Now()); !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestIsRTCPTellsReportsFromAudioOnAMultiplexedPort(t *testing.T) {
	rr := Report{SSRC: 2}
	b, _ := rr.Marshal()
	if !IsRTCP(b) {
		t.Error("an RR is not taken for RTCP")
	}
	if IsRTCP([]byte{0x80, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}) || IsRTCP([]byte{0x80, 0x80 | 101, 0, 1, 0, 0, 0, 0}) {
		t.Error("RTP is taken for RTCP")
	}
}
