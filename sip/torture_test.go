package sip_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/confgw/confgw/internal/sipraw"
)

// rfc4475 is a torture message of RFC 4475 as the RFC writes it, with its
// hosts put on loopback so the answer comes back: {via} is the peer's own
// address, {gw} the gateway's.
func rfc4475(msg string, p *sipraw.Peer, gw string) string {
	via := fmt.Sprintf("127.0.0.1:%d", p.Port())
	msg = strings.ReplaceAll(msg, "{via}", via)
	msg = strings.ReplaceAll(msg, "{gw}", gw)
	return strings.ReplaceAll(msg, "\n", "\r\n")
}

// §3.3.8: two values in fields that take one.
const multi01 = `INVITE sip:user@{gw} SIP/2.0
Contact: <sip:caller@{via}>
Via: SIP/2.0/{tr} {via};branch=z9hG4bKkdjuw;rport
Max-Forwards: 70
CSeq: 5 INVITE
Call-ID: multi01.98asdh@192.0.2.1
CSeq: 59 INVITE
Call-ID: multi01.98asdh@192.0.2.2
From: sip:caller@example.com;tag=3413415
To: sip:user@example.com
To: sip:other@example.net
From: sip:caller@example.net;tag=2923420123
Content-Type: application/sdp
l: 154
Contact: <sip:caller@{via}>
Max-Forwards: 5

v=0
o=mhandley 29739 7272939 IN IP4 192.0.2.25
s=-
c=IN IP4 192.0.2.25
t=0 0
m=audio 49217 RTP/AVP 0 12
m=video 3227 RTP/AVP 31
a=rtpmap:31 LPC

`

// §3.3.6: an INVITE whose body is of a type the gateway does not know.
const invut = `INVITE sip:user@{gw} SIP/2.0
Contact: <sip:caller@{via}>
To: sip:j.user@example.com
From: sip:caller@example.net;tag=8392034
Max-Forwards: 70
Call-ID: invut.0ha0isndaksdjadsfij34n23d
CSeq: 235448 INVITE
Via: SIP/2.0/{tr} {via};branch=z9hG4bKkdjuw;rport
Content-Type: application/unknownformat
Content-Length: 40

<audio>
 <pcmu port="443"/>
</audio>
`

// final sends m and returns the first final response that comes back.
func final(t *testing.T, p *sipraw.Peer, m string) string {
	t.Helper()
	if err := p.Send(m); err != nil {
		t.Fatal(err)
	}
	end := time.Now().Add(deadline)
	for {
		res, err := p.Read(time.Until(end))
		if err != nil {
			t.Fatalf("no final response to\n%s\n(%v)", m, err)
		}
		if sipraw.StatusOf(res) >= 200 {
			return res
		}
	}
}

func reasonOf(res string) string {
	line, _, _ := strings.Cut(res, "\r\n")
	return strings.TrimPrefix(line, fmt.Sprintf("SIP/2.0 %d ", sipraw.StatusOf(res)))
}

func TestTheTortureMessageWithTwoValuesInSingleValueFieldsIsABadRequest(t *testing.T) {
	rec := newRecorder()
	srv := startServer(t, rec)
	for _, tr := range []string{"UDP", "TCP"} {
		p, err := sipraw.Dial(tr, srv.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		res := final(t, p, rfc4475(strings.ReplaceAll(multi01, "{tr}", tr), p, srv.Addr()))
		if sipraw.StatusOf(res) != 400 || !strings.Contains(reasonOf(res), "Call-ID") {
			t.Errorf("multi01 over %s answered %q, want 400 naming Call-ID", tr, strings.SplitN(res, "\r\n", 2)[0])
		}
	}
	select {
	case <-rec.offers:
		t.Fatal("multi01 reached the handler")
	default:
	}
}

// Each field that takes one value, given two in an otherwise good INVITE,
// gets a 400 that names it.
func TestEachSingleValueFieldGivenTwiceIsABadRequestNamingIt(t *testing.T) {
	srv := startServer(t, newRecorder())
	for _, tc := range []struct{ field, extra string }{
		{"Call-ID", "Call-ID: another@192.0.2.2"},
		{"To", "To: <sip:other@example.net>"},
		{"From", "From: <sip:caller@example.net>;tag=2923420123"},
		{"Max-Forwards", "Max-Forwards: 5"},
		{"CSeq", "CSeq: 59 INVITE"},
		{"Content-Length", "Content-Length: 0"},
	} {
		for _, tr := range []string{"UDP", "TCP"} {
			p, err := sipraw.Dial(tr, srv.Addr())
			if err != nil {
				t.Fatal(err)
			}
			extra := []string{tc.extra}
			if tc.field == "Content-Length" {
				// Request writes none of its own once one is among extra.
				extra = append(extra, "Content-Length: 0")
			}
			res := final(t, p, p.Request("INVITE", "demo", extra, ""))
			p.Close()
			if sipraw.StatusOf(res) != 400 || !strings.Contains(reasonOf(res), tc.field) {
				t.Errorf("two %s over %s answered %q, want 400 naming %s", tc.field, tr, strings.SplitN(res, "\r\n", 2)[0], tc.field)
			}
		}
	}
}

func TestTheTortureINVITEWithABodyOfUnknownTypeIsUnsupportedMediaType(t *testing.T) {
	rec := newRecorder()
	srv := startServer(t, rec)
	for _, tr := range []string{"UDP", "TCP"} {
		p, err := sipraw.Dial(tr, srv.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		res := final(t, p, rfc4475(strings.ReplaceAll(invut, "{tr}", tr), p, srv.Addr()))
		if sipraw.StatusOf(res) != 415 || sipraw.Header(res, "Accept") != "application/sdp" {
			t.Errorf("invut over %s answered\n%s\nwant 415 with Accept: application/sdp", tr, res)
		}
	}
	select {
	case <-rec.offers:
		t.Fatal("invut reached the handler")
	default:
	}
}

// answered checks that invite is answered 200, then ACKs and ends the call.
func answered(t *testing.T, p *sipraw.Peer, invite string) {
	t.Helper()
	ok := final(t, p, invite)
	if sipraw.StatusOf(ok) != 200 {
		t.Fatalf("answered %q, want 200", strings.SplitN(ok, "\r\n", 2)[0])
	}
	if err := p.Send(sipraw.InDialog(invite, ok, "ACK", 1)); err != nil {
		t.Fatal(err)
	}
	if bye := final(t, p, sipraw.InDialog(invite, ok, "BYE", 2)); sipraw.StatusOf(bye) != 200 {
		t.Fatalf("BYE answered %q", strings.SplitN(bye, "\r\n", 2)[0])
	}
}

const offerSDP = "v=0\r\no=phone 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"

func TestAPlainINVITEWithSDPIsStillAnswered(t *testing.T) {
	rec := newRecorder()
	srv := startServer(t, rec)
	p, err := sipraw.Dial("udp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	answered(t, p, p.Request("INVITE", "demo", []string{"Content-Type: application/sdp"}, offerSDP))
	if got := string(within(t, rec.offers, "offer")); got != offerSDP {
		t.Fatalf("handler saw offer %q", got)
	}
}

// Trunks speaking SIP-I put ISUP beside the SDP in a multipart/mixed body:
// the call is answered, with the SDP part as its offer.
func TestAnINVITEWithSDPInAMultipartBodyIsAnsweredWithThatSDP(t *testing.T) {
	rec := newRecorder()
	srv := startServer(t, rec)
	p, err := sipraw.Dial("udp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	body := "--b1\r\nContent-Type: application/sdp\r\n\r\n" + offerSDP +
		"\r\n--b1\r\nContent-Type: application/isup;version=itu-t92+\r\nContent-Disposition: signal;handling=optional\r\n\r\n\x01\x00\x49\x00\r\n--b1--\r\n"
	answered(t, p, p.Request("INVITE", "demo", []string{"Content-Type: multipart/mixed;boundary=b1"}, body))
	if got := string(within(t, rec.offers, "offer")); got != offerSDP {
		t.Fatalf("handler saw offer %q, want the SDP part", got)
	}
}
