package rtpsession

import (
	"context"
	"net/netip"
)

// transport is how a session reaches its socket. Two exist, chosen once in
// New: on 64-bit Linux the socket leaves Go's poller and the mixer tick
// reads it (socket); elsewhere, or when Config.PortableSocket asks, Run
// reads a net.UDPConn through the poller (portableConn). Keeping the choice
// behind one value spares the session a branch on every path that touches
// the network.
type transport interface {
	// run is Run's loop: it hands the phone's datagrams to s until ctx is
	// done or s closes, and watches the timeout.
	run(ctx context.Context, s *Session) error
	// tick is ReadFrame's share of the socket: what arrived since the
	// last tick, for a transport whose socket the tick reads.
	tick(s *Session)
	// send writes one datagram without holding up the tick: a full socket
	// buffer loses the packet.
	send(b []byte, to netip.AddrPort) error
	// close ends run and gives the port back.
	close() error
}

// newTransport takes cfg.Conn on the fastest path the platform has, or the
// portable one when cfg asks for it.
func newTransport(cfg *Config) transport {
	if !cfg.PortableSocket {
		if t := tickedTransport(cfg.Conn, cfg.Ports); t != nil {
			return t
		}
	}
	return &portableConn{conn: cfg.Conn, ports: cfg.Ports}
}
