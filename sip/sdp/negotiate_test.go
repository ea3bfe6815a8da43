package sdp

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/confgw/confgw/audio"
)

func TestNegotiate(t *testing.T) {
	tests := []struct {
		name      string
		offer     []byte
		supported []Codec
		codec     Codec
		te        uint8 // 0: none expected
		dir       Direction
		err       error
	}{
		{"caller prefers PCMA", offerOf("m=audio 4000 RTP/AVP 8 0 101", "a=rtpmap:101 telephone-event/8000"), Supported,
			Codec{PayloadType: 8, Name: "PCMA", ClockRate: 8000}, 101, SendRecv, nil},
		{"caller prefers PCMU", offerOf("m=audio 4000 RTP/AVP 0 8"), Supported,
			Codec{PayloadType: 0, Name: "PCMU", ClockRate: 8000}, 0, SendRecv, nil},
		{"unsupported first codecs skipped", offerOf("m=audio 4000 RTP/AVP 9 18 96 8", "a=rtpmap:96 opus/48000/2"), Supported,
			Codec{PayloadType: 8, Name: "PCMA", ClockRate: 8000}, 0, SendRecv, nil},
		{"dynamic payload type, lower case", offerOf("m=audio 4000 RTP/AVP 96 0", "a=rtpmap:96 pcmu/8000"), Supported,
			Codec{PayloadType: 96, Name: "pcmu", ClockRate: 8000}, 0, SendRecv, nil},
		{"supported list case does not matter", offerOf("m=audio 4000 RTP/AVP 8"), []Codec{{Name: "pcma", ClockRate: 8000}},
			Codec{PayloadType: 8, Name: "PCMA", ClockRate: 8000}, 0, SendRecv, nil},
		{"wrong clock rate is another codec", offerOf("m=audio 4000 RTP/AVP 96 8", "a=rtpmap:96 PCMU/16000"), Supported,
			Codec{PayloadType: 8, Name: "PCMA", ClockRate: 8000}, 0, SendRecv, nil},
		{"telephone-event is never the voice codec", offerOf("m=audio 4000 RTP/AVP 101 0", "a=rtpmap:101 telephone-event/8000"), []Codec{{Name: "telephone-event", ClockRate: 8000}, audio.PCMU},
			Codec{PayloadType: 0, Name: "PCMU", ClockRate: 8000}, 101, SendRecv, nil},
		{"caller on hold", offerOf("m=audio 4000 RTP/AVP 0", "a=sendonly"), Supported,
			Codec{PayloadType: 0, Name: "PCMU", ClockRate: 8000}, 0, RecvOnly, nil},
		{"caller listen-only", offerOf("m=audio 4000 RTP/AVP 0", "a=recvonly"), Supported,
			Codec{PayloadType: 0, Name: "PCMU", ClockRate: 8000}, 0, SendOnly, nil},
		{"inactive", offerOf("m=audio 4000 RTP/AVP 0", "a=inactive"), Supported,
			Codec{PayloadType: 0, Name: "PCMU", ClockRate: 8000}, 0, Inactive, nil},
		{"no common codec", offerOf("m=audio 4000 RTP/AVP 9 18 101", "a=rtpmap:101 telephone-event/8000"), Supported,
			Codec{}, 0, SendRecv, ErrNoCommonCodec},
		{"nothing supported", offerOf("m=audio 4000 RTP/AVP 0"), nil,
			Codec{}, 0, SendRecv, ErrNoCommonCodec},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := ParseOffer(tt.offer)
			if err != nil {
				t.Fatalf("ParseOffer: %v", err)
			}
			p, err := Negotiate(o, tt.supported)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Negotiate error = %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			if p.Codec != tt.codec {
				t.Errorf("codec = %+v, want %+v", p.Codec, tt.codec)
			}
			switch {
			case tt.te == 0 && p.TelephoneEvent != nil:
				t.Errorf("telephone-event %+v negotiated, none offered", p.TelephoneEvent)
			case tt.te != 0 && (p.TelephoneEvent == nil || p.TelephoneEvent.PayloadType != tt.te):
				t.Errorf("telephone-event = %+v, want payload type %d", p.TelephoneEvent, tt.te)
			}
			if p.Direction != tt.dir {
				t.Errorf("direction = %v, want %v", p.Direction, tt.dir)
			}
			if want := netip.MustParseAddrPort("198.51.100.7:4000"); p.Remote != want {
				t.Errorf("remote = %v, want %v", p.Remote, want)
			}
		})
	}
}

func TestParseAnswer(t *testing.T) {
	tests := []struct {
		name  string
		body  []byte
		codec string
		te    bool
		dir   Direction
		err   error
	}{
		{"PCMA with events", offerOf("m=audio 7000 RTP/AVP 8 101", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-15"), "PCMA", true, SendRecv, nil},
		{"first offered codec the answer lists wins", offerOf("m=audio 7000 RTP/AVP 0 8"), "PCMU", false, SendRecv, nil},
		{"codec not offered is passed over", offerOf("m=audio 7000 RTP/AVP 9 8"), "PCMA", false, SendRecv, nil},
		{"peer answers recvonly", offerOf("m=audio 7000 RTP/AVP 0", "a=recvonly"), "PCMU", false, SendOnly, nil},
		{"payload type renumbered", offerOf("m=audio 7000 RTP/AVP 96", "a=rtpmap:96 PCMU/8000"), "PCMU", false, SendRecv, nil},
		{"telephone-event is not a voice codec", offerOf("m=audio 7000 RTP/AVP 101", "a=rtpmap:101 telephone-event/8000"), "", false, SendRecv, ErrNoCommonCodec},
		{"only codecs not offered", offerOf("m=audio 7000 RTP/AVP 9 18"), "", false, SendRecv, ErrNoCommonCodec},
		{"audio declined", offerOf("m=audio 0 RTP/AVP 0"), "", false, SendRecv, ErrNoCommonCodec},
		{"garbage", []byte("v=1"), "", false, SendRecv, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseAnswer(tt.body)
			if !errors.Is(err, tt.err) {
				t.Fatalf("ParseAnswer error = %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			if p.Codec.Name != tt.codec || (p.TelephoneEvent != nil) != tt.te || p.Direction != tt.dir {
				t.Errorf("got %s te=%v %v, want %s te=%v %v", p.Codec.Name, p.TelephoneEvent != nil, p.Direction, tt.codec, tt.te, tt.dir)
			}
			if want := netip.MustParseAddrPort("198.51.100.7:7000"); p.Remote != want {
				t.Errorf("remote = %v, want %v", p.Remote, want)
			}
		})
	}
}
