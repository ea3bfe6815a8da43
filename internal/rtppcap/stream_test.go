package rtppcap

import (
	"strings"
	"testing"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/g711"
	"github.com/confgw/confgw/internal/tone"
	"github.com/confgw/confgw/rtp/dtmf"
)

func TestToneStream(t *testing.T) {
	pkts, err := Spec{Audio: time.Second}.Packets()
	if err != nil {
		t.Fatal(err)
	}
	if len(pkts) != 50 {
		t.Fatalf("%d packets for a second, want 50", len(pkts))
	}
	checkClock(t, pkts)
	var pcm []int16
	for i, p := range pkts {
		h := p.RTP.Header
		if h.PayloadType != PayloadPCMU || h.Version != 2 || h.SSRC != ssrc {
			t.Fatalf("packet %d: PT %d version %d SSRC %#x", i, h.PayloadType, h.Version, h.SSRC)
		}
		if h.Timestamp != pkts[0].RTP.Timestamp+uint32(i*160) {
			t.Fatalf("packet %d timestamp %d, want %d", i, h.Timestamp, pkts[0].RTP.Timestamp+uint32(i*160))
		}
		if h.Marker != (i == 0) {
			t.Errorf("packet %d marker %v", i, h.Marker)
		}
		if len(p.RTP.Payload) != 160 {
			t.Fatalf("packet %d carries %d bytes, want 160", i, len(p.RTP.Payload))
		}
		frame := make([]int16, 160)
		g711.DecodeUlaw(frame, p.RTP.Payload)
		pcm = append(pcm, frame...)
	}
	if !tone.Detect(pcm, ToneHz, audio.NarrowbandHz) {
		t.Errorf("no %d Hz tone (share %.3f)", ToneHz, tone.Share(pcm, ToneHz, audio.NarrowbandHz))
	}
	if tone.Detect(pcm, 700, audio.NarrowbandHz) {
		t.Error("a 700 Hz tone where there should be none")
	}
}

// checkClock holds for every capture: one packet per frame, consecutive
// sequence numbers.
func checkClock(t *testing.T, pkts []Packet) {
	t.Helper()
	for i, p := range pkts {
		if want := time.Duration(i) * Frame; p.At != want {
			t.Fatalf("packet %d at %v, want %v", i, p.At, want)
		}
		if want := pkts[0].RTP.SequenceNumber + uint16(i); p.RTP.SequenceNumber != want {
			t.Fatalf("packet %d seq %d, want %d", i, p.RTP.SequenceNumber, want)
		}
	}
}

func TestKeyPresses(t *testing.T) {
	const keys = "4321#"
	const lead = 200 * time.Millisecond
	pkts, err := Spec{Audio: lead, Keys: keys}.Packets()
	if err != nil {
		t.Fatal(err)
	}
	checkClock(t, pkts)
	perKey := PressFrames + EndPackets + GapFrames
	if want := int(lead/Frame) + len(keys)*perKey; len(pkts) != want {
		t.Fatalf("%d packets, want %d", len(pkts), want)
	}

	var det dtmf.Detector
	var got []byte
	ends := map[uint32]int{}
	for i, p := range pkts {
		h := p.RTP.Header
		// Audio keeps the RTP clock running under the presses.
		clock := pkts[0].RTP.Timestamp + uint32(i*160)
		if h.PayloadType == PayloadPCMU {
			if h.Timestamp != clock {
				t.Fatalf("audio packet %d timestamp %d, want %d", i, h.Timestamp, clock)
			}
			continue
		}
		if h.PayloadType != PayloadTelephoneEvent {
			t.Fatalf("packet %d PT %d", i, h.PayloadType)
		}
		e, err := dtmf.Parse(p.RTP.Payload)
		if err != nil {
			t.Fatalf("packet %d: %v", i, err)
		}
		if elapsed := clock - h.Timestamp; uint32(e.Duration) > elapsed+160 {
			t.Errorf("packet %d: duration %d beyond the %d samples since the press began", i, e.Duration, elapsed+160)
		}
		if first := pkts[i-1].RTP.PayloadType != PayloadTelephoneEvent; h.Marker != first {
			t.Errorf("packet %d marker %v, want %v", i, h.Marker, first)
		}
		if e.End {
			ends[h.Timestamp]++
			if e.Duration != PressFrames*160 {
				t.Errorf("end packet %d duration %d, want %d", i, e.Duration, PressFrames*160)
			}
		}
		got = det.Feed(got, h.Timestamp, e)
	}
	if string(got) != keys {
		t.Errorf("keys %q, want %q", got, keys)
	}
	if len(ends) != len(keys) {
		t.Errorf("%d presses ended, want %d", len(ends), len(keys))
	}
	for ts, n := range ends {
		if n != EndPackets {
			t.Errorf("press at %d ended by %d packets, want %d", ts, n, EndPackets)
		}
	}
}

func TestPause(t *testing.T) {
	one, err := Spec{Keys: "1"}.Packets()
	if err != nil {
		t.Fatal(err)
	}
	paused, err := Spec{Keys: "1,1"}.Packets()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(paused), 2*len(one)+PauseFrames; got != want {
		t.Errorf("%d packets, want %d", got, want)
	}
}

func TestUnknownKey(t *testing.T) {
	_, err := Spec{Keys: "12x"}.Packets()
	if err == nil || !strings.Contains(err.Error(), `'x'`) {
		t.Errorf("error %v, want one naming 'x'", err)
	}
}
