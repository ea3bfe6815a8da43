package webrtc

import (
	"errors"
	"strings"
	"testing"

	"github.com/confgw/confgw/audio"
)

const offerHead = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"

func TestTheOfferersFirstSupportedCodecIsChosenWithItsPayloadType(t *testing.T) {
	tests := []struct {
		name, media string
		want        audio.Codec
	}{
		{"a browser's opus first", "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:63 red/48000/2\r\na=rtpmap:9 G722/8000\r\n", audio.Codec{PayloadType: 111, Name: "opus", ClockRate: 48000}},
		{"static PCMU without rtpmap", "m=audio 9 UDP/TLS/RTP/SAVPF 18 0\r\na=rtpmap:18 G729/8000\r\n", audio.PCMU},
		{"PCMA before PCMU", "m=audio 9 UDP/TLS/RTP/SAVPF 8 0\r\n", audio.PCMA},
		{"a dynamic number", "m=audio 9 UDP/TLS/RTP/SAVPF 101\r\na=rtpmap:101 pcmu/8000\r\n", audio.Codec{PayloadType: 101, Name: "pcmu", ClockRate: 8000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := chooseCodec(offerHead + tt.media)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestAnOfferWithItsAudioRejectedIsInvalid(t *testing.T) {
	_, err := chooseCodec(offerHead + "m=audio 0 UDP/TLS/RTP/SAVPF 0\r\n")
	if !errors.Is(err, ErrInvalidSDP) {
		t.Errorf("err %v, want ErrInvalidSDP", err)
	}
}

// Offers come from anyone with a participant token: whatever the bytes,
// the answer is a codec or one of the two refusals, never a panic.
func FuzzChooseCodec(f *testing.F) {
	f.Add(offerHead + "m=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\na=rtpmap:111 opus/48000/2\r\n")
	f.Add(offerHead + "m=audio 9 UDP/TLS/RTP/SAVPF 18\r\na=rtpmap:18 G729/8000\r\n")
	f.Add(offerHead + "m=audio 9 RTP/AVP 96\r\na=rtpmap:96 PCMU/notanumber\r\n")
	f.Add("v=0\r\n")
	f.Fuzz(func(t *testing.T, offer string) {
		c, err := chooseCodec(offer)
		if err != nil {
			if !errors.Is(err, ErrInvalidSDP) && !errors.Is(err, ErrNoSupportedCodec) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		supportFor(c)
	})
}

func TestWithDTXAddsUsedtxToTheOpusFmtpAlone(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"appended to the fmtp", "a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\na=fmtp:101 0-15\r\n",
			"a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1;usedtx=1\r\na=fmtp:101 0-15\r\n"},
		{"a line of its own when there is no fmtp", "a=rtpmap:96 opus/48000/2\r\na=sendrecv\r\n",
			"a=rtpmap:96 opus/48000/2\r\na=fmtp:96 usedtx=1\r\na=sendrecv\r\n"},
		{"left as it is when present", "a=rtpmap:111 opus/48000/2\r\na=fmtp:111 usedtx=0\r\n",
			"a=rtpmap:111 opus/48000/2\r\na=fmtp:111 usedtx=0\r\n"},
		{"a payload type that only starts the same is not touched", "a=rtpmap:111 opus/48000/2\r\na=fmtp:1110 x=1\r\n",
			"a=rtpmap:111 opus/48000/2\r\na=fmtp:111 usedtx=1\r\na=fmtp:1110 x=1\r\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pt := uint8(111)
			if strings.Contains(tt.in, "rtpmap:96") {
				pt = 96
			}
			if got := withDTX(tt.in, pt); got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}
