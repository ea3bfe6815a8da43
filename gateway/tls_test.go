package gateway_test

import (
	"crypto/tls"
	"encoding/base64"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/confgw/confgw/internal/sipraw"
	"github.com/confgw/confgw/internal/testcert"
)

// TestACallerOverTLSWithSRTPIsAnsweredSecurelyAndHangsUp: a caller that
// verified the gateway's certificate INVITEs a sips: URI with an SRTP
// offer; the answer is SRTP, its Contact a sips: URI at the TLS port, and
// the caller's BYE over the same connection ends the call.
func TestACallerOverTLSWithSRTPIsAnsweredSecurelyAndHangsUp(t *testing.T) {
	cert := testcert.New(t)
	h := newHarness(t, harnessOptions{tls: cert.Server()})
	media, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer media.Close()
	p, err := sipraw.DialTLS(h.srv.TLSAddr(), cert.Client())
	if err != nil {
		t.Fatalf("TLS to the gateway, verifying its certificate: %v", err)
	}
	defer p.Close()
	key := base64.StdEncoding.EncodeToString(make([]byte, 30))
	offer := strings.Join([]string{
		"v=0", "o=raw 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0",
		"m=audio " + strconv.Itoa(media.LocalAddr().(*net.UDPAddr).Port) + " RTP/SAVP 0",
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + key, "a=sendrecv", "",
	}, "\r\n")
	invite := p.Request("INVITE", "demo", []string{"Content-Type: application/sdp"}, offer)
	if err := p.Send(invite); err != nil {
		t.Fatal(err)
	}
	ok, err := p.Final(sipraw.Timeout)
	if err != nil {
		t.Fatal(err)
	}
	if sipraw.StatusOf(ok) != 200 {
		t.Fatalf("INVITE over TLS answered %q", ok)
	}
	_, tlsPort, _ := net.SplitHostPort(h.srv.TLSAddr())
	if c := sipraw.Header(ok, "Contact"); !strings.HasPrefix(c, "<sips:") || !strings.Contains(c, ":"+tlsPort) {
		t.Fatalf("Contact %q is not a sips: URI at the TLS port %s", c, tlsPort)
	}
	if !strings.Contains(ok, " RTP/SAVP 0") || !strings.Contains(ok, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:") {
		t.Fatalf("the answer is not SRTP:\n%s", ok)
	}
	if err := p.Send(sipraw.InDialog(invite, ok, "ACK", 1)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the TLS caller in the room", func() bool { return len(phones(h.demo)) == 1 })
	if err := p.Send(sipraw.InDialog(invite, ok, "BYE", 2)); err != nil {
		t.Fatal(err)
	}
	if res, err := p.ResponseTo("2 BYE", sipraw.Timeout); err != nil || sipraw.StatusOf(res) != 200 {
		t.Fatalf("BYE answered %q, %v", res, err)
	}
	eventually(t, "the TLS caller gone", func() bool { return len(phones(h.demo)) == 0 })
}

func TestTheTLSListenerHandsACertificateAClientCanRefuse(t *testing.T) {
	h := newHarness(t, harnessOptions{tls: testcert.New(t).Server()})
	other := testcert.New(t)
	if p, err := sipraw.DialTLS(h.srv.TLSAddr(), other.Client()); err == nil {
		_ = p.Close()
		t.Fatal("a client trusting another certificate completed the handshake")
	}
	if p, err := sipraw.DialTLS(h.srv.TLSAddr(), &tls.Config{InsecureSkipVerify: true}); err != nil {
		t.Fatalf("TLS handshake: %v", err)
	} else {
		_ = p.Close()
	}
}
