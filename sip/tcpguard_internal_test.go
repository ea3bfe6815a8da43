package sip

import (
	"strings"
	"testing"
)

// feedBytes feeds s to a framer a byte at a time and tells how many
// messages ended in it, the size of the last, and whether one went over
// max.
func feedBytes(s string, max int) (ended, last int, tooLarge bool) {
	var f framer
	for i := range len(s) {
		was := f.inMsg
		if f.feed([]byte{s[i]}, max).tooLarge {
			return ended, f.size, true
		}
		if was && !f.inMsg {
			ended++
		}
	}
	return ended, f.size, false
}

// feedChunks feeds s in chunks of n bytes and tells whether it ended
// between messages, the size of the last, and whether one went over max.
func feedChunks(s string, n, max int) (between bool, last int, tooLarge bool) {
	var f framer
	for i := 0; i < len(s); i += n {
		if f.feed([]byte(s[i:min(i+n, len(s))]), max).tooLarge {
			return false, f.size, true
		}
	}
	return !f.inMsg, f.size, false
}

func TestTheFramerFindsMessageEndsHoweverContentLengthIsSpelled(t *testing.T) {
	msg := func(length string, body string) string {
		return "MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nCall-ID: x\r\n" + length + "\r\n\r\n" + body
	}
	for _, c := range []struct {
		name, stream string
		ended        int
		tooLarge     bool
	}{
		{"plain", msg("Content-Length: 5", "hello") + msg("Content-Length: 0", ""), 2, false},
		{"compact and spaced", msg("l  :\t5", "hello"), 1, false},
		{"upper case and leading zeros", msg("CONTENT-LENGTH: 0000000000000000000000000000005", "hello"), 1, false},
		{"the last of two", msg("Content-Length: 40\r\nContent-Length: 5", "hello"), 1, false},
		{"keep-alives between", "\r\n\r\n" + msg("Content-Length: 5", "hello") + "\r\n" + msg("Content-Length: 1", "x"), 2, false},
		{"a name that only starts alike", msg("Content-Lengthy: 5\r\nContent-Length: 0", ""), 1, false},
		{"declared over the limit", msg("Content-Length: 900", ""), 0, true},
		{"overflowing", msg("Content-Length: 99999999999999999999999999", ""), 0, true},
		{"headers over the limit", msg("Subject: "+strings.Repeat("s", 1000), ""), 0, true},
	} {
		ended, last, tooLarge := feedBytes(c.stream, 600)
		if ended != c.ended || tooLarge != c.tooLarge {
			t.Errorf("%s: %d ended, too large %v; want %d, %v", c.name, ended, tooLarge, c.ended, c.tooLarge)
		}
		for _, n := range []int{7, 1 << 16} {
			between, size, large := feedChunks(c.stream, n, 600)
			if large != c.tooLarge || (!c.tooLarge && (!between || size != last)) {
				t.Errorf("%s in chunks of %d: between messages %v, last %d bytes (%d a byte at a time), too large %v",
					c.name, n, between, size, last, large)
			}
		}
	}
}

func TestA513EchoesTheRequestAndNothingIsAnsweredToAResponse(t *testing.T) {
	head := "INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h:5;branch=z9hG4bK1;rport\r\nFrom: <sip:c@d>;tag=1\r\n" +
		"To: <sip:a@b>\r\nCall-ID: x\r\nCSeq: 7 INVITE\r\nContent-Length: 99999\r\n\r\n"
	res := string(tooLargeResponse([]byte(head), "192.0.2.1:5070"))
	for _, want := range []string{"SIP/2.0 513 Message Too Large\r\n", "CSeq: 7 INVITE", "Call-ID: x", "received=192.0.2.1", "Content-Length: 0"} {
		if !strings.Contains(res, want) {
			t.Errorf("513 lacks %q:\n%s", want, res)
		}
	}
	// Cut in the middle of a line, as when the header section itself is too
	// large: the whole lines still make an answer.
	if res := tooLargeResponse([]byte(head[:strings.Index(head, "Content-Length")+5]), "192.0.2.1:5070"); res == nil {
		t.Error("no 513 for a header section cut short")
	}
	for _, h := range []string{
		strings.Replace(head, "INVITE sip:a@b SIP/2.0", "SIP/2.0 200 OK", 1),
		strings.Replace(strings.Replace(head, "INVITE sip", "ACK sip", 1), "7 INVITE", "7 ACK", 1),
		strings.Replace(head, "CSeq: 7 INVITE\r\n", "", 1),
	} {
		if res := tooLargeResponse([]byte(h), "192.0.2.1:5070"); res != nil {
			t.Errorf("answered %q with\n%s", h[:20], res)
		}
	}
}
