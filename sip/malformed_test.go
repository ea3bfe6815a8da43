package sip_test

import (
	"net"
	"testing"

	sipmsg "github.com/emiago/sipgo/sip"
)

// TestMalformedMessagesDoNotCrash throws broken requests at both
// transports; the server must still answer OPTIONS afterwards.
func TestMalformedMessagesDoNotCrash(t *testing.T) {
	srv := startServer(t, newRecorder())
	junk := []string{
		"\x00\x01\x02garbage\r\n\r\n",
		"INVITE sip:demo@x SIP/2.0\r\n\r\n",
		"INVITE sip:demo@x SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKx\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
		"BYE sip:demo@x SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKy\r\nCSeq: x BYE\r\nTo: <sip:a@b>;tag=1\r\nContent-Length: 0\r\n\r\n",
		"ACK sip:demo@x SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKz\r\nCSeq: 1 ACK\r\nContent-Length: 999\r\n\r\nshort",
		"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKw\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
	}
	udp, err := net.Dial("udp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	tcp, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer tcp.Close()
	for _, m := range junk {
		if _, err := udp.Write([]byte(m)); err != nil {
			t.Fatal(err)
		}
		_, _ = tcp.Write([]byte(m))
	}
	for _, tr := range []string{"UDP", "TCP"} {
		if res := do(t, sipmsg.OPTIONS, srv.Addr(), tr); res.StatusCode != 200 {
			t.Fatalf("OPTIONS over %s after junk: %d", tr, res.StatusCode)
		}
	}
}
