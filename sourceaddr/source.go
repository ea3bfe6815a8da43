// Package sourceaddr says whom a request from the network counts against,
// so that every cap on strangers (the gateway's INVITE caps, the API's
// authentication throttle) draws the same line.
package sourceaddr

import "net/netip"

// Of is what one sender's requests are counted under: an IPv4
// address, or an IPv6 /64. Not the port, which a sender changes at will by
// opening a socket, and not a single IPv6 address, since one host usually
// holds a whole /64 and could otherwise walk through fresh allowances. An
// IPv4-mapped IPv6 address is its IPv4 address.
func Of(addr netip.Addr) netip.Prefix {
	addr = addr.Unmap()
	if addr.Is4() {
		return netip.PrefixFrom(addr, 32)
	}
	p, _ := addr.Prefix(64)
	return p
}
