package rtpsession

import (
	"net"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/g711"
	"github.com/confgw/confgw/rtp/dtmf"
)

// FuzzReceive feeds whatever arrives on a leg's RTP port through the
// receive path and the mixer's read: hostile packets may be dropped but must
// never panic, leak into the audio as DTMF, or stall the leg.
func FuzzReceive(f *testing.F) {
	voice, _ := (&rtp.Packet{Header: rtpHeader(0, 1, 160, 7), Payload: make([]byte, g711.FrameBytes)}).Marshal()
	ev := make([]byte, dtmf.PayloadSize)
	if _, err := dtmf.Encode(ev, dtmf.Event{Code: 5, End: true, Duration: 800}); err != nil {
		f.Fatal(err)
	}
	digit, _ := (&rtp.Packet{Header: rtpHeader(101, 2, 320, 7), Payload: ev}).Marshal()
	padded := append([]byte(nil), voice...)
	padded[0] |= 0x20 // padding bit with a bogus padding length in the last byte
	padded[len(padded)-1] = 0xff
	f.Add(voice, digit)
	f.Add(padded, voice[:12])
	f.Add([]byte{0x8f, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7}, []byte{}) // 15 CSRCs promised, none there
	f.Add([]byte{0x90, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7, 0xbe, 0xde, 0xff, 0xff}, digit)
	f.Fuzz(func(t *testing.T, first, second []byte) {
		conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: loopback})
		if err != nil {
			t.Fatal(err)
		}
		s, err := New(Config{Conn: conn, Codec: audio.PCMU, TelephoneEventPT: 101, Jitter: fixedDelay, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		from := (&net.UDPAddr{IP: loopback, Port: 40000}).AddrPort()
		var frame audio.Frame
		for _, b := range [][]byte{first, second, voice, second} {
			s.receive(b, from, time.Now())
			s.ReadFrame(&frame)
		}
		st := s.Stats()
		if st.PacketsIn > 4 || st.JitterDepth < 0 {
			t.Fatalf("stats out of range after 4 packets: %+v", st)
		}
	})
}
