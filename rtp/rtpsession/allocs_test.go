package rtpsession

import (
	"net"
	"testing"

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
