package sip_test

import (
	"errors"
	"testing"

	"github.com/confgw/confgw/internal/testcert"
	confsip "github.com/confgw/confgw/sip"
)

// TestDialingATLSTrunkVerifiesItAndHangsUpOverTheSameConnection: the
// trunk is another server listening for TLS; the call reaches it over a
// verified connection, and the hang-up arrives the same way.
func TestDialingATLSTrunkVerifiesItAndHangsUpOverTheSameConnection(t *testing.T) {
	cert := testcert.New(t)
	rec := newRecorder()
	trunk := startServer(t, rec, confsip.WithTLS("127.0.0.1:0", cert.Server()))
	gw := startServer(t, nil, confsip.WithTrunk(confsip.Trunk{Addr: trunk.TLSAddr(), Transport: "tls", RootCAs: cert.Pool}))
	call, answer, err := gw.Dial(ctxT(t), "+15550100", fakeSDP("sendrecv"))
	if err != nil {
		t.Fatalf("dial over TLS: %v", err)
	}
	if len(answer) == 0 {
		t.Fatal("no SDP answer")
	}
	far := within(t, rec.calls, "the call at the trunk")
	if err := call.HangUp(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	closedWithin(t, far.Done(), "the BYE at the trunk")
}

func TestATLSTrunkWhoseCertificateIsNotTrustedIsNeverCalled(t *testing.T) {
	rec := newRecorder()
	trunk := startServer(t, rec, confsip.WithTLS("127.0.0.1:0", testcert.New(t).Server()))
	gw := startServer(t, nil, confsip.WithTrunk(confsip.Trunk{Addr: trunk.TLSAddr(), Transport: "tls", RootCAs: testcert.New(t).Pool}))
	if _, _, err := gw.Dial(ctxT(t), "+15550100", fakeSDP("sendrecv")); err == nil {
		t.Fatal("a trunk with an untrusted certificate was called")
	}
	select {
	case <-rec.offers:
		t.Fatal("the INVITE reached the trunk")
	default:
	}
}

func TestTLSWithoutACertificateIsRefused(t *testing.T) {
	if _, err := confsip.NewServer(confsip.WithListenAddr("127.0.0.1:0"), confsip.WithTLS("127.0.0.1:0", nil)); !errors.Is(err, confsip.ErrInvalidTarget) {
		t.Fatalf("NewServer: %v", err)
	}
}
