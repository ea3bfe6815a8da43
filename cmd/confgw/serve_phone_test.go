package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/internal/sipphone"
	"github.com/confgw/confgw/internal/sipraw"
	"github.com/confgw/confgw/internal/testcert"
)

// TestServePhonesInTheDemo is the newcomer's phone walk-through: two phones
// call sip:demo@ the printed address, hear each other, show up as phone
// participants, cannot be moved, and are hung up by the CLI and by SIGTERM.
func TestServePhonesInTheDemo(t *testing.T) {
	s := startServe(t)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	dial := func(user string, tone float64) *sipphone.Call {
		p, err := sipphone.New(sipphone.Config{Name: "Caller " + user, User: user, Tone: tone})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Close)
		call, err := p.Dial(ctx, "sip:demo@"+s.sip, sipphone.CallOptions{})
		if err != nil {
			t.Fatalf("dial demo: %v", err)
		}
		return call
	}
	a := dial("5550001", 600)
	b := dial("5550002", 1400)
	for !a.Media.Hears(1400) || !b.Media.Hears(600) {
		select {
		case <-ctx.Done():
			t.Fatalf("phones do not hear each other: a hears 1400: %v, b hears 600: %v", a.Media.Hears(1400), b.Media.Hears(600))
		case <-time.After(20 * time.Millisecond):
		}
	}

	out, err := s.run(t, "participants", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Participants []conference.Participant `json:"participants"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatal(err)
	}
	var phoneA string
	for _, p := range list.Participants {
		if p.Kind == conference.KindPhone && p.Phone.Number == "5550001" {
			phoneA = p.ID
			if p.Room != "main" || p.Phone.State != conference.PhoneConnected || p.Phone.Codec != "PCMU" || p.Name != "Caller 5550001" {
				t.Fatalf("phone participant %+v %+v", p, p.Phone)
			}
		}
	}
	if phoneA == "" {
		t.Fatalf("phone not listed: %s", out)
	}
	metrics := get(t, s.url+"/metrics")
	for _, want := range []string{`confgw_phone_legs{direction="dial-in",state="connected"} 2`, "confgw_mixer_tick_seconds_count", "confgw_mixer_tick_max_seconds ", `confgw_rtp_packets_total{direction="in"}`, "confgw_webrtc_sessions 0", "confgw_webrtc_sessions_limit 1000"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if _, err := s.run(t, "rooms", "add"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.run(t, "move", phoneA, "1"); err == nil || !strings.Contains(err.Error(), "phone_participant_pinned") {
		t.Fatalf("moving a phone: %v", err)
	}
	if _, err := s.run(t, "hangup", phoneA); err != nil {
		t.Fatal(err)
	}
	select {
	case <-a.Done():
	case <-ctx.Done():
		t.Fatal("hung-up phone got no BYE")
	}
	if err := s.stop(t); err != nil {
		t.Fatalf("serve stop: %v", err)
	}
	select {
	case <-b.Done():
	case <-ctx.Done():
		t.Fatal("shutdown did not hang up the remaining phone")
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestServeWithSRTPRequiredTakesOnlySRTPPhones: with --srtp required a
// phone offering RTP in the clear is refused 488, and two SRTP phones
// hear each other.
func TestServeWithSRTPRequiredTakesOnlySRTPPhones(t *testing.T) {
	s := startServe(t, "--srtp", "required")
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	phone := func(user, suite string, tone float64) *sipphone.Phone {
		p, err := sipphone.New(sipphone.Config{User: user, Tone: tone, SRTP: suite})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Close)
		return p
	}
	var se *sipphone.StatusError
	if _, err := phone("5550009", "", 600).Dial(ctx, "sip:demo@"+s.sip, sipphone.CallOptions{}); !errors.As(err, &se) || se.Status != 488 {
		t.Fatalf("a phone in the clear: %v, want 488", err)
	}
	a, err := phone("5550001", "AES_CM_128_HMAC_SHA1_80", 600).Dial(ctx, "sip:demo@"+s.sip, sipphone.CallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := phone("5550002", "AES_CM_128_HMAC_SHA1_32", 1400).Dial(ctx, "sip:demo@"+s.sip, sipphone.CallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for !a.Media.Hears(1400) || !b.Media.Hears(600) {
		select {
		case <-ctx.Done():
			t.Fatalf("SRTP phones do not hear each other: a hears 1400: %v, b hears 600: %v", a.Media.Hears(1400), b.Media.Hears(600))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// TestServeTakesSIPOverTLSWithTheCertificateItIsGiven: with --sip-tls and
// a certificate, a caller that trusts that certificate alone completes
// the handshake and gets an answer to its OPTIONS.
func TestServeTakesSIPOverTLSWithTheCertificateItIsGiven(t *testing.T) {
	cert := testcert.New(t)
	certFile, keyFile := cert.Files(t)
	s := startServe(t, "--sip-tls", "127.0.0.1:0", "--sip-tls-cert", certFile, "--sip-tls-key", keyFile)
	m := tlsLine.FindStringSubmatch(s.out.String())
	if m == nil {
		t.Fatalf("serve printed no SIP TLS address:\n%s", s.out.String())
	}
	p, err := sipraw.DialTLS(m[1], cert.Client())
	if err != nil {
		t.Fatalf("TLS to serve: %v", err)
	}
	defer p.Close()
	if err := p.Send(p.Request("OPTIONS", "demo", nil, "")); err != nil {
		t.Fatal(err)
	}
	res, err := p.Final(sipraw.Timeout)
	if err != nil || sipraw.StatusOf(res) != 200 {
		t.Fatalf("OPTIONS over TLS: %q, %v", res, err)
	}
}

var tlsLine = regexp.MustCompile(`SIP TLS:\s+(\S+)`)

func TestServeRefusesHalfATLSConfiguration(t *testing.T) {
	certFile, _ := testcert.New(t).Files(t)
	for _, args := range [][]string{
		{"--sip-tls", "127.0.0.1:0"},
		{"--sip-tls", "127.0.0.1:0", "--sip-tls-cert", certFile},
		{"--sip-tls", "127.0.0.1:0", "--sip-tls-cert", certFile, "--sip-tls-key", certFile},
		{"--sip-trunk", "127.0.0.1:5070", "--sip-trunk-transport", "tls", "--sip-trunk-ca", certFile + ".missing"},
		{"--sip-trunk", "127.0.0.1:5070", "--sip-trunk-transport", "tls", "--sip-trunk-ca", "/dev/null"},
	} {
		root := newRoot()
		root.SetArgs(append([]string{"serve", "--http", "127.0.0.1:0", "--data-dir", t.TempDir(), "--sip", "127.0.0.1:0", "--webrtc-udp", "127.0.0.1:0"}, args...))
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&out)
		if err := root.ExecuteContext(context.Background()); err == nil {
			t.Errorf("%v started", args)
		}
	}
}
