package sipraw_test

import (
	"net"
	"strings"
	"testing"

	"github.com/confgw/confgw/internal/sipraw"
)

// TestDoReadsTheFinalAnswer plays a server that sends 100 then 200 over UDP.
func TestDoReadsTheFinalAnswer(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		b := make([]byte, 4096)
		n, from, err := pc.ReadFrom(b)
		if err != nil {
			return
		}
		req := string(b[:n])
		var via, callID, cseq, from_, to string
		for _, l := range strings.Split(req, "\r\n") {
			switch {
			case strings.HasPrefix(l, "Via:"):
				via = l
			case strings.HasPrefix(l, "Call-ID:"):
				callID = l
			case strings.HasPrefix(l, "CSeq:"):
				cseq = l
			case strings.HasPrefix(l, "From:"):
				from_ = l
			case strings.HasPrefix(l, "To:"):
				to = l
			}
		}
		hdr := strings.Join([]string{via, from_, to, callID, cseq, "Content-Length: 0", "", ""}, "\r\n")
		_, _ = pc.WriteTo([]byte("SIP/2.0 100 Trying\r\n"+hdr), from)
		_, _ = pc.WriteTo([]byte("SIP/2.0 200 OK\r\n"+hdr), from)
	}()
	res, err := sipraw.Do("OPTIONS", "demo", pc.LocalAddr().String(), "udp")
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 {
		t.Fatalf("status %d, want the final 200", res.StatusCode)
	}
	<-done
}
