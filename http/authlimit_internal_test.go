package http

import (
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/confgw/confgw/sourceaddr"
)

func TestTheFailuresRememberedAreBoundedAndNewSourcesPastTheBoundShareABucket(t *testing.T) {
	now := time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)
	f := newFailures(AuthLimit{Burst: 2, Interval: time.Second, Sources: 3, Now: func() time.Time { return now }}, slog.New(slog.DiscardHandler))
	src := func(i int) netip.Prefix { return sourceaddr.Of(netip.AddrFrom4([4]byte{10, 0, 0, byte(i)})) }
	for i := range 3 {
		f.fail(src(i))
	}
	f.fail(src(3))
	f.fail(src(4))
	if n := len(f.fullAt); n != 3 {
		t.Fatalf("%d sources remembered, want the bound of 3", n)
	}
	if f.wait(src(5)) == 0 {
		t.Fatal("a new source past the bound is not charged with the others past it")
	}
	if f.wait(src(0)) != 0 {
		t.Fatal("a remembered source with attempts left must wait")
	}

	// Once their buckets are full again, sources are forgotten to make room.
	now = now.Add(3 * time.Second)
	f.fail(src(6))
	if _, ok := f.fullAt[src(6)]; !ok || len(f.fullAt) != 1 {
		t.Fatalf("after the others refilled, %d sources remembered: %v", len(f.fullAt), f.fullAt)
	}
}

func TestAnIPv6HostIsOneSourceAcrossItsSlash64(t *testing.T) {
	a, b := netip.MustParseAddr("2001:db8:1:2::1"), netip.MustParseAddr("2001:db8:1:2:ffff::9")
	if sourceaddr.Of(a) != sourceaddr.Of(b) {
		t.Fatalf("%s and %s are different sources", a, b)
	}
	if v4, mapped := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("::ffff:192.0.2.1"); sourceaddr.Of(v4) != sourceaddr.Of(mapped) {
		t.Fatal("an IPv4 address and its IPv6 mapping are different sources")
	}
}
