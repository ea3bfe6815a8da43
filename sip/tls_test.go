package sip_test

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"

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

// A TLS handshake left unfinished is cut like a message that is not whole
// in time, not kept for the idle timeout.
func TestAStalledTLSHandshakeIsCutAtTheMessageTimeout(t *testing.T) {
	lim := confsip.DefaultTCPLimits
	lim.MessageTimeout, lim.IdleTimeout = 200*time.Millisecond, time.Hour
	srv := startServer(t, nil, confsip.WithTLS("127.0.0.1:0", testcert.New(t).Server()), confsip.WithTCPLimits(lim))
	c, err := net.Dial("tcp", srv.TLSAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = c.Write([]byte{0x16, 0x03, 0x01}) // the start of a ClientHello
	_ = c.SetReadDeadline(time.Now().Add(deadline))
	if _, err := io.Copy(io.Discard, c); err != nil {
		t.Fatalf("the stalled handshake was not cut: %v", err)
	}
	if n := srv.TCPStats().Closed[confsip.CloseTCPSlowMessage]; n != 1 {
		t.Fatalf("%d connections closed as slow, want 1", n)
	}
}
