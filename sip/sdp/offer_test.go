package sdp

import (
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

func TestParseOffer(t *testing.T) {
	pcmu := Codec{PayloadType: 0, Name: "PCMU", ClockRate: 8000}
	pcma := Codec{PayloadType: 8, Name: "PCMA", ClockRate: 8000}
	te := Codec{PayloadType: 101, Name: "telephone-event", ClockRate: 8000, Fmtp: "0-16"}
	tests := []struct {
		name string
		body []byte
		want Offer
	}{{
		name: "typical phone",
		body: offerOf("m=audio 49170 RTP/AVP 0 8 101",
			"a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000",
			"a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16",
			"a=ptime:20", "a=sendrecv"),
		want: Offer{Port: 49170, Codecs: []Codec{pcmu, pcma, te}, TelephoneEvent: &te, Ptime: 20},
	}, {
		name: "static types without rtpmap, no direction",
		body: offerOf("m=audio 4000 RTP/AVP 8 0 9"),
		want: Offer{Port: 4000, Codecs: []Codec{pcma, pcmu, {PayloadType: 9, Name: "G722", ClockRate: 8000}}},
	}, {
		name: "dynamic types and unknown ones",
		body: offerOf("m=audio 4000 RTP/AVP 96 97 98", "a=rtpmap:96 opus/48000/2", "a=rtpmap:97 pcmu/8000", "a=sendonly"),
		want: Offer{Port: 4000, Direction: SendOnly, Codecs: []Codec{
			{PayloadType: 96, Name: "opus", ClockRate: 48000},
			{PayloadType: 97, Name: "pcmu", ClockRate: 8000},
			{PayloadType: 98},
		}},
	}, {
		name: "media connection wins, session direction applies",
		body: body("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0", "a=recvonly",
			"m=audio 5004 RTP/AVP 0", "c=IN IP4 192.0.2.99"),
		want: Offer{Port: 5004, Direction: RecvOnly, Codecs: []Codec{pcmu}},
	}, {
		name: "telephone-event at 48 kHz is not ours",
		body: offerOf("m=audio 4000 RTP/AVP 0 100 101", "a=rtpmap:100 telephone-event/48000", "a=rtpmap:101 telephone-event/8000"),
		want: Offer{Port: 4000, Codecs: []Codec{pcmu, {PayloadType: 100, Name: "telephone-event", ClockRate: 48000}, {PayloadType: 101, Name: "telephone-event", ClockRate: 8000}},
			TelephoneEvent: &Codec{PayloadType: 101, Name: "telephone-event", ClockRate: 8000}},
	}, {
		name: "inactive",
		body: offerOf("m=audio 4000 RTP/AVP 0", "a=inactive"),
		want: Offer{Port: 4000, Direction: Inactive, Codecs: []Codec{pcmu}},
	}, {
		name: "video first, secure audio, then plain audio: the first audio line",
		body: offerOf("m=video 5000 RTP/AVP 31", "m=audio 5002 RTP/SAVP 0", "m=audio 5004 RTP/AVP 8"),
		want: Offer{Port: 5002, Codecs: []Codec{pcmu}},
	}, {
		name: "video first, DTLS-SRTP audio, then plain audio",
		body: offerOf("m=video 5000 RTP/AVP 31", "m=audio 5002 UDP/TLS/RTP/SAVPF 0", "m=audio 5004 RTP/AVP 8"),
		want: Offer{Port: 5004, Codecs: []Codec{pcma}},
	}, {
		name: "disabled audio line skipped for a live one",
		body: offerOf("m=audio 0 RTP/AVP 0", "m=audio 6000 RTP/AVP 8"),
		want: Offer{Port: 6000, Codecs: []Codec{pcma}},
	}, {
		name: "last line break missing",
		body: []byte(strings.TrimSuffix(string(offerOf("m=audio 4000 RTP/AVP 0")), "\r\n")),
		want: Offer{Port: 4000, Codecs: []Codec{pcmu}},
	}, {
		name: "LF line endings",
		body: []byte(strings.ReplaceAll(string(offerOf("m=audio 4000 RTP/AVP 0")), "\r\n", "\n")),
		want: Offer{Port: 4000, Codecs: []Codec{pcmu}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseOffer(tt.body)
			if err != nil {
				t.Fatalf("ParseOffer: %v", err)
			}
			checkOffer(t, got, tt.want)
		})
	}
}

func checkOffer(t *testing.T, got *Offer, want Offer) {
	t.Helper()
	if got.Port != want.Port || got.Direction != want.Direction || got.Ptime != want.Ptime {
		t.Errorf("port/direction/ptime = %d %v %d, want %d %v %d", got.Port, got.Direction, got.Ptime, want.Port, want.Direction, want.Ptime)
	}
	if !reflect.DeepEqual(got.Codecs, want.Codecs) {
		t.Errorf("codecs\n got %+v\nwant %+v", got.Codecs, want.Codecs)
	}
	if !reflect.DeepEqual(got.TelephoneEvent, want.TelephoneEvent) {
		t.Errorf("telephone-event = %+v, want %+v", got.TelephoneEvent, want.TelephoneEvent)
	}
}

func TestParseOfferAddress(t *testing.T) {
	tests := []struct {
		name string
		c    string
		want string
		hold bool
	}{
		{"IPv4", "c=IN IP4 203.0.113.5", "203.0.113.5", false},
		{"IPv6", "c=IN IP6 2001:db8::5", "2001:db8::5", false},
		{"multicast TTL stripped", "c=IN IP4 233.252.0.1/127", "233.252.0.1", false},
		{"old-style hold", "c=IN IP4 0.0.0.0", "0.0.0.0", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := ParseOffer(body("v=0", "o=- 7 9 IN IP4 192.0.2.1", "s=-", tt.c, "t=0 0", "m=audio 4000 RTP/AVP 0"))
			if err != nil {
				t.Fatalf("ParseOffer: %v", err)
			}
			if o.Addr != netip.MustParseAddr(tt.want) || o.OnHold() != tt.hold {
				t.Errorf("addr %v hold %v, want %v %v", o.Addr, o.OnHold(), tt.want, tt.hold)
			}
			if o.SessionID != 7 || o.SessionVersion != 9 {
				t.Errorf("origin %d %d, want 7 9", o.SessionID, o.SessionVersion)
			}
		})
	}
}

func TestParseOfferRejects(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		err  error
		text string
	}{
		{"garbage", []byte("hello\x00world"), ErrMalformed, "malformed SDP: syntax error"},
		{"empty", nil, ErrMalformed, "malformed SDP: no audio media line"},
		{"no m-line", offerOf(), ErrMalformed, "malformed SDP: no audio media line"},
		{"video only", offerOf("m=video 5000 RTP/AVP 31"), ErrMalformed, "malformed SDP: no audio media line"},
		{"port 0", offerOf("m=audio 0 RTP/AVP 0"), ErrMalformed, "malformed SDP: audio port is 0"},
		{"missing c=", body("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "t=0 0", "m=audio 4000 RTP/AVP 0"), ErrMalformed, "malformed SDP: no connection address"},
		{"hostname c=", body("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 pbx.example.com", "t=0 0", "m=audio 4000 RTP/AVP 0"), ErrMalformed, "malformed SDP: connection address is not an IP address"},
		{"non-numeric format", offerOf("m=audio 4000 RTP/AVP PCMU"), ErrMalformed, "malformed SDP: invalid payload type"},
		{"payload type over 127", offerOf("m=audio 4000 RTP/AVP 200"), ErrMalformed, "malformed SDP: invalid payload type"},
		{"no formats", offerOf("m=audio 4000 RTP/AVP"), ErrMalformed, "malformed SDP: audio media line lists no formats"},
		{"DTLS-SRTP only", offerOf("m=audio 4000 UDP/TLS/RTP/SAVPF 0"), ErrUnsupportedTransport, "unsupported media transport: audio is not offered over RTP/AVP or RTP/SAVP"},
		{"too large", offerOf("m=audio 4000 RTP/AVP 0", "a=x:"+strings.Repeat("y", maxBody)), ErrMalformed, "malformed SDP: body too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := ParseOffer(tt.body)
			if !errors.Is(err, tt.err) {
				t.Fatalf("ParseOffer = %+v, %v; want %v", o, err, tt.err)
			}
			if err.Error() != tt.text {
				t.Fatalf("error text %q, want %q", err, tt.text)
			}
		})
	}
}
