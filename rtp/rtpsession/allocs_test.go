package rtpsession

import (
	"net"
	"testing"

	"github.com/pion/srtp/v3"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/internal/tone"
)

// TestHotPathsAllocateNothing holds the steady-state promise in CI, not
// only in benchmark output: packets through the receive path into a frame,
// and a frame out as a packet, make no allocation.
func TestHotPathsAllocateNothing(t *testing.T) {
	sink, err := net.ListenUDP("udp4", &net.UDPAddr{IP: loopback})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	for _, ptime := range []int{20, 30} {
		tick := toneTicks(t, benchSession(t, Config{}), ptime)
		tick()
		if n := testing.AllocsPerRun(200, tick); n != 0 {
			t.Errorf("receive path with %d ms packets allocates %v times per tick", ptime, n)
		}
	}
	s := benchSession(t, Config{Remote: sink.LocalAddr().(*net.UDPAddr)})
	var f audio.Frame
	tone.Sine(1000, 8000, audio.NarrowbandHz).Next(&f)
	if n := testing.AllocsPerRun(200, func() { s.WriteFrame(&f) }); n != 0 {
		t.Errorf("WriteFrame allocates %v times per frame", n)
	}
	// The tick's own reading: recvmmsg, kernel arrival times, the drain.
	leg, tick := tickedLeg(t)
	tick()
	if n := testing.AllocsPerRun(200, tick); n != 0 {
		t.Errorf("a ticked leg allocates %v times per tick", n)
	}
	if st := leg.Stats(); st.PacketsIn < 200 || st.PacketsOut < 200 {
		t.Errorf("the ticked leg read %d and sent %d packets", st.PacketsIn, st.PacketsOut)
	}
}

// TestSRTPPathsAllocateNothing: protecting and opening packets in place
// keeps the promise with SRTP.
func TestSRTPPathsAllocateNothing(t *testing.T) {
	if raceEnabled {
		// pion/srtp takes its keystream buffer from a sync.Pool.
		t.Skip("the race detector empties sync.Pool at random")
	}
	sink, err := net.ListenUDP("udp4", &net.UDPAddr{IP: loopback})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	pair := newSRTPPair(t, srtp.ProtectionProfileAes128CmHmacSha1_80)
	tick := srtpToneTicks(t, benchSession(t, Config{SRTP: pair.keys}), pair)
	tick()
	if n := testing.AllocsPerRun(200, tick); n != 0 {
		t.Errorf("the SRTP receive path allocates %v times per tick", n)
	}
	s := benchSession(t, Config{SRTP: pair.keys, Remote: sink.LocalAddr().(*net.UDPAddr)})
	var f audio.Frame
	tone.Sine(1000, 8000, audio.NarrowbandHz).Next(&f)
	s.WriteFrame(&f)
	if n := testing.AllocsPerRun(200, func() { s.WriteFrame(&f) }); n != 0 {
		t.Errorf("WriteFrame with SRTP allocates %v times per frame", n)
	}
	if st := s.Stats(); st.PacketsOut < 200 || st.SendErrors != 0 {
		t.Errorf("sent %d, errors %d", st.PacketsOut, st.SendErrors)
	}
}
