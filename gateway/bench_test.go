package gateway_test

import (
	"fmt"
	"net"
	"testing"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/mixer"
	"github.com/confgw/confgw/rtp/rtpsession"
)

// BenchmarkMainRoomTick is one main-room tick with real phone legs, all
// listening: each leg's jitter buffer is read, the shared mix is encoded and
// sent as one UDP packet per leg (silence is sent too, so this is the
// steady cost). ns/op over 20 ms is the share of a core the room takes;
// legs/core is how many such legs one core keeps fed.
func BenchmarkMainRoomTick(b *testing.B) {
	for _, legs := range []int{10, 100, 500} {
		b.Run(fmt.Sprint(legs), func(b *testing.B) {
			sink, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			if err != nil {
				b.Fatal(err)
			}
			defer sink.Close()
			ports, err := rtpsession.NewPorts(30000, 30000+2*legs+2)
			if err != nil {
				b.Fatal(err)
			}
			m := mixer.New()
			for i := range legs {
				conn, err := ports.Listen(net.IPv4(127, 0, 0, 1))
				if err != nil {
					b.Fatal(err)
				}
				s, err := rtpsession.New(rtpsession.Config{Conn: conn, Ports: ports, Codec: audio.PCMU, Remote: sink.LocalAddr().(*net.UDPAddr)})
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				if err := m.Attach(fmt.Sprint(i), s); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				m.MixOnce()
			}
			b.ReportMetric(float64(legs)*20e6/(float64(b.Elapsed().Nanoseconds())/float64(b.N)), "legs/core")
		})
	}
}
