package sourceaddr

import (
	"net/netip"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestASourceIsAnIPv4AddressOrAnIPv6SlashSixtyFour(t *testing.T) {
	same := [][2]string{
		{"192.0.2.1", "::ffff:192.0.2.1"},
		{"2001:db8:1:2::1", "2001:db8:1:2:ffff::9"},
	}
	for _, p := range same {
		if a, b := Of(netip.MustParseAddr(p[0])), Of(netip.MustParseAddr(p[1])); a != b {
			t.Errorf("%s and %s are sources %v and %v, want one", p[0], p[1], a, b)
		}
	}
	apart := [][2]string{
		{"192.0.2.1", "192.0.2.2"},
		{"2001:db8:1:2::1", "2001:db8:1:3::1"},
	}
	for _, p := range apart {
		if a, b := Of(netip.MustParseAddr(p[0])), Of(netip.MustParseAddr(p[1])); a == b {
			t.Errorf("%s and %s share source %v", p[0], p[1], a)
		}
	}
}
