package sdp

import (
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// body joins SDP lines the way they go on the wire.
func body(lines ...string) []byte {
	return []byte(strings.Join(lines, "\r\n") + "\r\n")
}

// head is a session header with a session-level connection.
func head(extra ...string) []string {
	return append([]string{
		"v=0",
		"o=alice 2890844526 2890844527 IN IP4 198.51.100.7",
		"s=-",
		"c=IN IP4 198.51.100.7",
		"t=0 0",
	}, extra...)
}

func offerOf(lines ...string) []byte {
	return body(append(head(), lines...)...)
}
