package gateway_test

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/confgw/confgw/internal/sipraw"
)

// junk is one malformed message. want, when set, is the final status the
// gateway must answer it with; tcpOnly marks messages too big for a
// datagram; closes says the gateway must drop the TCP connection.
type junk struct {
	name    string
	msg     func(p *sipraw.Peer) string
	want    int
	tcpOnly bool
	closes  bool
}

func junkCases() []junk {
	garbage := make([]byte, 1400)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range garbage {
		garbage[i] = byte(r.UintN(256))
	}
	many := make([]string, 3000)
	for i := range many {
		many[i] = fmt.Sprintf("X-Junk-%d: %d", i, i)
	}
	return []junk{
		{name: "binary garbage", msg: func(*sipraw.Peer) string { return string(garbage) }},
		{name: "NUL bytes", msg: func(*sipraw.Peer) string { return strings.Repeat("\x00", 1000) }},
		{name: "CRLF flood", msg: func(*sipraw.Peer) string { return strings.Repeat("\r\n", 20000) }},
		{name: "truncated start line", msg: func(*sipraw.Peer) string { return "INVITE sip:demo@127.0.0.1" }},
		{name: "start line only", msg: func(*sipraw.Peer) string { return "INVITE sip:demo@127.0.0.1 SIP/2.0\r\n\r\n" }},
		{name: "no request URI", msg: func(*sipraw.Peer) string { return "INVITE  SIP/2.0\r\nContent-Length: 0\r\n\r\n" }},
		{name: "unknown SIP version", msg: func(p *sipraw.Peer) string {
			return strings.Replace(p.Request("OPTIONS", "demo", nil, ""), "SIP/2.0\r\n", "SIP/7.0\r\n", 1)
		}},
		{name: "NUL inside headers", msg: func(p *sipraw.Peer) string {
			return strings.Replace(p.Request("INVITE", "nosuch", nil, ""), "Max-Forwards", "Max-\x00Forwards\x00\x00", 1)
		}},
		{name: "header without colon", msg: func(p *sipraw.Peer) string {
			return p.Request("OPTIONS", "demo", []string{"this header has no colon"}, "")
		}},
		{name: "huge header", want: 200, msg: func(p *sipraw.Peer) string {
			return p.Request("OPTIONS", "demo", []string{"Subject: " + strings.Repeat("A", 30000)}, "")
		}},
		{name: "datagram past the read buffer", msg: func(p *sipraw.Peer) string {
			return p.Request("OPTIONS", "demo", []string{"Subject: " + strings.Repeat("A", 60000)}, "")
		}},
		{name: "three thousand headers", msg: func(p *sipraw.Peer) string { return p.Request("OPTIONS", "demo", many, "") }},
		{name: "oversized message", tcpOnly: true, closes: true, msg: func(p *sipraw.Peer) string {
			return p.Request("OPTIONS", "demo", []string{"Subject: " + strings.Repeat("B", 200000)}, "")
		}},
		{name: "Content-Length larger than the body", msg: func(p *sipraw.Peer) string {
			return p.Request("OPTIONS", "demo", []string{"Content-Type: text/plain", "Content-Length: 999"}, "short")
		}},
		{name: "Content-Length smaller than the body", msg: func(p *sipraw.Peer) string {
			return p.Request("INVITE", "nosuch", []string{"Content-Type: application/sdp", "Content-Length: 5"}, hostileSDP(9))
		}},
		{name: "negative Content-Length", msg: func(p *sipraw.Peer) string {
			return p.Request("OPTIONS", "demo", []string{"Content-Length: -1"}, "")
		}},
		{name: "Content-Length overflowing", msg: func(p *sipraw.Peer) string {
			return p.Request("OPTIONS", "demo", []string{"Content-Length: 99999999999999999999999"}, "")
		}},
		{name: "two Content-Lengths", msg: func(p *sipraw.Peer) string {
			return p.Request("OPTIONS", "demo", []string{"Content-Length: 0", "Content-Length: 40"}, "")
		}},
		{name: "INVITE announcing 10 MB", closes: true, msg: func(p *sipraw.Peer) string {
			// Over TCP the gateway must give up past its size limit, not
			// wait for or buffer 10 MB.
			body := hostileSDP(9)
			if p.Transport() == "TCP" {
				body += strings.Repeat("a=x:"+strings.Repeat("y", 76)+"\r\n", 1300)
			}
			return p.Request("INVITE", "demo", []string{"Content-Type: application/sdp", "Content-Length: 10485760"}, body)
		}},
		{name: "INVITE with garbage SDP", want: 400, msg: func(p *sipraw.Peer) string {
			return p.Request("INVITE", "demo", []string{"Content-Type: application/sdp"}, "v=0\r\nm=audio banana RTP/AVP 0\r\n"+string(garbage[:200]))
		}},
		{name: "INVITE with binary SDP", want: 400, msg: func(p *sipraw.Peer) string {
			return p.Request("INVITE", "locked", []string{"Content-Type: application/sdp"}, string(garbage))
		}},
		{name: "INVITE to nobody", want: 404, msg: func(p *sipraw.Peer) string {
			return p.Request("INVITE", "nosuch", []string{"Content-Type: application/sdp"}, hostileSDP(9))
		}},
		{name: "INVITE without Contact", want: 400, msg: func(p *sipraw.Peer) string {
			return sipraw.ReplaceHeader(p.Request("INVITE", "demo", []string{"Content-Type: application/sdp"}, hostileSDP(9)), "Contact", "")
		}},
		{name: "INVITE without Call-ID", msg: func(p *sipraw.Peer) string {
			return sipraw.ReplaceHeader(p.Request("INVITE", "demo", []string{"Content-Type: application/sdp"}, hostileSDP(9)), "Call-ID", "")
		}},
		{name: "CSeq overflowing", msg: func(p *sipraw.Peer) string {
			return sipraw.ReplaceHeader(p.Request("INVITE", "nosuch", []string{"Content-Type: application/sdp"}, hostileSDP(9)), "CSeq", "CSeq: 99999999999999999999 INVITE")
		}},
		{name: "CSeq of another method", msg: func(p *sipraw.Peer) string {
			return sipraw.ReplaceHeader(p.Request("INVITE", "nosuch", nil, ""), "CSeq", "CSeq: 1 BYE")
		}},
		{name: "re-INVITE to no dialog", want: 481, msg: func(p *sipraw.Peer) string {
			return sipraw.ReplaceHeader(p.Request("INVITE", "demo", []string{"Content-Type: application/sdp"}, hostileSDP(9)), "To", "To: <sip:demo@127.0.0.1>;tag=nosuchdialog")
		}},
		{name: "BYE to no dialog", want: 481, msg: func(p *sipraw.Peer) string {
			return sipraw.ReplaceHeader(p.Request("BYE", "demo", nil, ""), "To", "To: <sip:demo@127.0.0.1>;tag=nosuchdialog")
		}},
		{name: "CANCEL of nothing", want: 481, msg: func(p *sipraw.Peer) string { return p.Request("CANCEL", "demo", nil, "") }},
		{name: "ACK of nothing", msg: func(p *sipraw.Peer) string {
			return sipraw.ReplaceHeader(p.Request("ACK", "demo", nil, ""), "To", "To: <sip:demo@127.0.0.1>;tag=nosuchdialog")
		}},
		{name: "response to nothing", msg: func(p *sipraw.Peer) string {
			return "SIP/2.0 200 OK\r\nVia: SIP/2.0/" + p.Transport() + " 127.0.0.1:" + strconv.Itoa(p.Port()) + ";branch=z9hG4bKstray\r\n" +
				"From: <sip:confgw@127.0.0.1>;tag=a\r\nTo: <sip:x@127.0.0.1>;tag=b\r\nCall-ID: stray\r\nCSeq: 1 INVITE\r\n" +
				"Contact: <sip:x@127.0.0.1:" + strconv.Itoa(p.Port()) + ">\r\nContent-Length: 0\r\n\r\n"
		}},
		{name: "unknown method", want: 405, msg: func(p *sipraw.Peer) string { return p.Request("FROBNICATE", "demo", nil, "") }},
		{name: "mangled addresses", msg: func(p *sipraw.Peer) string {
			m := sipraw.ReplaceHeader(p.Request("INVITE", "nosuch", nil, ""), "From", "From: <<<<sip:@@@>>>;tag=;tag=")
			return sipraw.ReplaceHeader(m, "To", "To: \"unterminated <sip:demo@127.0.0.1")
		}},
	}
}

// throwJunk sends each malformed message over UDP and over a TCP connection
// of its own, and checks after each that the gateway still answers OPTIONS
// on both.
func throwJunk(t *testing.T, h *harness) {
	addr := h.srv.Addr()
	for _, j := range junkCases() {
		t.Run(j.name, func(t *testing.T) {
			for _, tr := range []string{"UDP", "TCP"} {
				p := dialRaw(t, tr, addr)
				m := j.msg(p)
				if tr == "UDP" && (j.tcpOnly || len(m) > 65000) {
					_ = p.Close()
					continue
				}
				err := p.Send(m)
				switch {
				case j.want != 0:
					if err != nil {
						t.Fatalf("%s: %v", tr, err)
					}
					res, err := p.Final(deadline)
					if err != nil {
						t.Fatalf("%s: no final response: %v", tr, err)
					}
					if s := sipraw.StatusOf(res); s != j.want {
						t.Errorf("%s: answered %d, want %d", tr, s, j.want)
					}
				case j.closes && tr == "TCP":
					if !p.ClosedByPeer(deadline) {
						t.Errorf("TCP connection kept open")
					}
				}
				_ = p.Close()
				if s := optionsStatus(t, addr, tr); s != 200 {
					t.Fatalf("OPTIONS over %s afterwards: %d", tr, s)
				}
			}
		})
	}
}
