package gateway_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/gateway"
	"github.com/confgw/confgw/internal/sipphone"
	confsip "github.com/confgw/confgw/sip"
)

const suite80 = "AES_CM_128_HMAC_SHA1_80"

func TestAnSRTPPhoneHearsTheRoomAndIsHeardBesideAPlainOne(t *testing.T) {
	for _, suite := range []string{suite80, "AES_CM_128_HMAC_SHA1_32"} {
		t.Run(suite, func(t *testing.T) {
			h := newHarness(t, harnessOptions{})
			reg := prometheus.NewRegistry()
			if err := h.gw.Metrics().Register(reg); err != nil {
				t.Fatal(err)
			}
			secure := h.dial(h.phone(sipphone.Config{User: "+15550120", Tone: 440, SRTP: suite}), "demo")
			plain := h.dial(h.phone(sipphone.Config{User: "+15550121", Tone: 770}), "demo")
			eventually(t, "the SRTP phone and the plain one hear each other", func() bool {
				return secure.Media.Hears(770) && plain.Media.Hears(440)
			})
			if n := secure.Media.Undecryptable(); n != 0 {
				t.Fatalf("the SRTP phone could not open %d of the gateway's packets", n)
			}

			// A forgery of the phone's next packet is dropped and counted;
			// the packet itself, arriving after it, still plays.
			secure.Media.SendTampered()
			eventually(t, "the tampered packet counted as an SRTP authentication failure", func() bool {
				return sample(t, reg, "confgw_rtp_packets_dropped_total", "reason", "srtp_auth") >= 1
			})
			secure.Media.ReplayLast()
			eventually(t, "the replayed packet counted as a replay", func() bool {
				return sample(t, reg, "confgw_rtp_packets_dropped_total", "reason", "srtp_replay") >= 1
			})
			time.Sleep(100 * time.Millisecond)
			eventually(t, "the two still hear each other", func() bool {
				return secure.Media.Hears(770) && plain.Media.Hears(440)
			})
			if n := len(phones(h.demo)); n != 2 {
				t.Fatalf("%d phones in the room, want 2", n)
			}
		})
	}
}

func TestAnSRTPCallOnHoldAndBackKeepsItsKeys(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	secure := h.dial(h.phone(sipphone.Config{User: "+15550120", Tone: 440, SRTP: suite80}), "demo")
	plain := h.dial(h.phone(sipphone.Config{User: "+15550121", Tone: 770}), "demo")
	eventually(t, "both hear each other", func() bool { return secure.Media.Hears(770) && plain.Media.Hears(440) })
	for _, dir := range []string{"sendonly", "sendrecv"} {
		// A re-INVITE that overtakes the last one's ACK is answered 491:
		// try again, as RFC 3261 section 14.1 has a phone do.
		eventually(t, "re-INVITE "+dir+" answered", func() bool {
			_, err := secure.Hold(ctxT(t), dir)
			var se *sipphone.StatusError
			if errors.As(err, &se) && se.Status == 491 {
				return false
			}
			if err != nil {
				t.Fatalf("re-INVITE %s: %v", dir, err)
			}
			return true
		})
	}
	// The phone kept the keys of its first answer: had the gateway rekeyed,
	// it could no longer open what the gateway sends, nor the gateway its.
	before := secure.Media.PacketsIn()
	eventually(t, "both hear each other after the hold", func() bool {
		return secure.Media.PacketsIn() > before+10 && secure.Media.Hears(770) && plain.Media.Hears(440)
	})
	if n := secure.Media.Undecryptable(); n != 0 {
		t.Fatalf("%d packets the phone could not open after the hold", n)
	}
}

func TestTheSRTPPolicyRefusesOffersWith488(t *testing.T) {
	for _, tc := range []struct {
		name   string
		policy gateway.SRTPPolicy
		phone  sipphone.Config
		reason string
	}{
		{"required refuses RTP", gateway.SRTPRequired, sipphone.Config{}, "SRTP required"},
		{"off refuses SRTP", gateway.SRTPOff, sipphone.Config{SRTP: suite80}, "SRTP not accepted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{srtp: tc.policy})
			if s := dialStatus(t, h, "demo", sipphone.CallOptions{}, tc.phone); s != 488 {
				t.Fatalf("status %d, want 488", s)
			}
			if n := len(phones(h.demo)); n != 0 {
				t.Fatalf("%d phones joined", n)
			}
		})
	}
}

func TestSRTPRequiredTakesSRTPCallersAndOffersSRTPWithoutAnOffer(t *testing.T) {
	h := newHarness(t, harnessOptions{srtp: gateway.SRTPRequired})
	a := h.dial(h.phone(sipphone.Config{User: "+15550120", Tone: 440, SRTP: suite80}), "demo")
	// A caller without SDP gets the gateway's offer in the 200: RTP/SAVP.
	p := h.phone(sipphone.Config{User: "+15550121", Tone: 770, SRTP: suite80})
	b, err := p.Dial(ctxT(t), h.uri("demo"), sipphone.CallOptions{NoSDP: true})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the two SRTP callers hear each other", func() bool { return a.Media.Hears(770) && b.Media.Hears(440) })
}

func TestAnOfferWithOnlyUnknownCryptoSuitesGets488(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	offer := strings.Join([]string{
		"v=0", "o=phone 1 1 IN IP4 127.0.0.1", "s=phone", "c=IN IP4 127.0.0.1", "t=0 0",
		"m=audio 4000 RTP/SAVP 0",
		"a=crypto:1 AEAD_AES_256_GCM inline:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"a=crypto:2 AES_256_CM_HMAC_SHA1_80 inline:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"a=sendrecv", "",
	}, "\r\n")
	if s := dialStatus(t, h, "demo", sipphone.CallOptions{SDP: []byte(offer)}, sipphone.Config{}); s != 488 {
		t.Fatalf("status %d, want 488", s)
	}
}

func TestDialOutWithSRTPRequiredOffersSRTP(t *testing.T) {
	far := newPhone(t, sipphone.Config{Tone: 770, SRTP: "AES_CM_128_HMAC_SHA1_32"})
	t.Cleanup(far.Close)
	h := newHarness(t, harnessOptions{trunk: &confsip.Trunk{Addr: far.Addr()}, srtp: gateway.SRTPRequired})
	caller := h.dial(h.phone(sipphone.Config{Tone: 440, SRTP: suite80}), "demo")
	p, err := h.gw.DialOut(ctxT(t), h.demo, "+15550199")
	if err != nil {
		t.Fatal(err)
	}
	var callee *sipphone.Call
	select {
	case callee = <-far.Incoming():
	case <-time.After(deadline):
		t.Fatal("the far end never answered")
	}
	eventually(t, "the dial-out connected", func() bool {
		got, err := h.demo.Participant(p.ID)
		return err == nil && got.Phone.State == conference.PhoneConnected
	})
	eventually(t, "caller and SRTP callee hear each other", func() bool {
		return caller.Media.Hears(770) && callee.Media.Hears(440)
	})
}

func TestDialOutWithSRTPRequiredFailsAtAnRTPOnlyCallee(t *testing.T) {
	far := newPhone(t, sipphone.Config{Tone: 770})
	t.Cleanup(far.Close)
	h := newHarness(t, harnessOptions{trunk: &confsip.Trunk{Addr: far.Addr()}, srtp: gateway.SRTPRequired})
	sub := h.demo.Subscribe(16)
	defer sub.Close()
	p, err := h.gw.DialOut(ctxT(t), h.demo, "+15550199")
	if err != nil {
		t.Fatal(err)
	}
	// The callee refuses the RTP/SAVP offer: no call in the clear follows.
	e := nextEvent(t, sub, conference.EventPhoneFailed)
	if e.Status != 488 || e.Participant.ID != p.ID {
		t.Fatalf("phone.failed %+v status %d, want 488", e.Participant, e.Status)
	}
}
