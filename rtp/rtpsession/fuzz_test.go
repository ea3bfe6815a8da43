package rtpsession

import (
	"bytes"
	"net"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/g711"
	"github.com/confgw/confgw/rtp/dtmf"
	"github.com/confgw/confgw/rtp/rtcp"
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

// FuzzReceiveSRTP is FuzzReceive on an SRTP leg: nothing that does not
// authenticate under the leg's key may reach the audio, latch the leg or
// show the phone alive, and nothing may panic the decryption.
func FuzzReceiveSRTP(f *testing.F) {
	enc := srtpFuzzPhone(f)
	voice, _ := (&rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: 1, Timestamp: 160, SSRC: 7}, Payload: make([]byte, g711.FrameBytes)}).Marshal()
	sealed, err := enc.EncryptRTP(nil, voice, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sealed)
	f.Add(voice)
	f.Add(sealed[:len(sealed)-1])
	f.Add(sealed[:12])
	f.Fuzz(func(t *testing.T, b []byte) {
		s := srtpFuzzLeg(t)
		defer s.Close()
		from := (&net.UDPAddr{IP: loopback, Port: 40000}).AddrPort()
		alive := s.receive(append([]byte(nil), b...), from, time.Now())
		var frame audio.Frame
		s.ReadFrame(&frame)
		st := s.Stats()
		if !bytes.Equal(b, sealed) && (alive || st.PacketsIn != 0 || st.Latches != 0) {
			// Only the sealed seed, or a forgery of AES-CM and HMAC-SHA1,
			// gets in.
			t.Fatalf("an unauthenticated packet got in: alive %v, %+v", alive, st)
		}
	})
}

// FuzzRTCPOnAnSRTPLeg: on an SRTP leg, only a report that authenticates
// under the phone's key, from the phone's stream, is believed; nothing
// else changes the figures, and nothing may panic the SRTCP decryption.
func FuzzRTCPOnAnSRTPLeg(f *testing.F) {
	enc := srtpFuzzPhone(f)
	voice, _ := (&rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: 1, Timestamp: 160, SSRC: 7}, Payload: make([]byte, g711.FrameBytes)}).Marshal()
	sealedVoice, err := enc.EncryptRTP(nil, voice, nil)
	if err != nil {
		f.Fatal(err)
	}
	report, _ := (&rtcp.Report{SSRC: 7, CNAME: "phone", Block: &rtcp.Block{FractionLost: 26}}).Marshal()
	sealed, err := enc.EncryptRTCP(nil, report, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sealed)
	f.Add(report)
	f.Add(sealed[:len(sealed)-1])
	f.Add(sealed[:8])
	f.Fuzz(func(t *testing.T, b []byte) {
		s := srtpFuzzLeg(t)
		defer s.Close()
		s.rxMu.Lock()
		latched := s.receive(append([]byte(nil), sealedVoice...), sdpAddr.AddrPort(), time.Now())
		s.rxMu.Unlock()
		if !latched {
			t.Fatal("the phone's sealed audio was refused")
		}
		s.rtcpIn(append([]byte(nil), b...), sdpAddr.AddrPort(), time.Now(), false)
		st := s.Stats()
		if st.RTCPIn+st.RTCPDropped != 1 {
			t.Fatalf("one datagram counted %d times: %+v", st.RTCPIn+st.RTCPDropped, st)
		}
		switch genuine := bytes.Equal(b, sealed); {
		case genuine && st.RTCPIn != 1:
			t.Fatalf("the phone's sealed report was refused: %+v", st)
		case !genuine && st.RTCPIn != 0:
			// Only the sealed seed, or a forgery of AES-CM and HMAC-SHA1,
			// is believed.
			t.Fatalf("an unauthenticated report was believed: %+v", st)
		}
	})
}

// srtpFuzzKey is the SDES key, both ways, of the SRTP fuzz targets' legs
// and phones: fixed, so that a sealed seed stays valid in the corpus.
func srtpFuzzKey() []byte {
	key := make([]byte, 30)
	for i := range key {
		key[i] = byte(i)
	}
	return key
}

// srtpFuzzPhone is the phone's sending context for srtpFuzzKey.
func srtpFuzzPhone(f *testing.F) *srtp.Context {
	key := srtpFuzzKey()
	enc, err := srtp.CreateContext(key[:16], key[16:], srtp.ProtectionProfileAes128CmHmacSha1_80)
	if err != nil {
		f.Fatal(err)
	}
	return enc
}

// srtpFuzzLeg is a PCMU leg keyed with srtpFuzzKey both ways.
func srtpFuzzLeg(t *testing.T) *Session {
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: loopback})
	if err != nil {
		t.Fatal(err)
	}
	key := srtpFuzzKey()
	keys := &SRTP{Profile: srtp.ProtectionProfileAes128CmHmacSha1_80, LocalKey: key, RemoteKey: key}
	s, err := New(Config{Conn: conn, Codec: audio.PCMU, TelephoneEventPT: 101, Jitter: fixedDelay, Logger: quiet, SRTP: keys, Remote: sdpAddr})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
