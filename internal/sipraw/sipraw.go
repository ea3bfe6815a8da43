// Package sipraw speaks SIP by hand over a plain socket: one request and
// its final answer (Do), or whatever a test needs to send that no SIP stack
// would (Peer). Tests use it instead of a throwaway sipgo user agent, whose
// client transport can outlive its Close and trip goroutine-leak checks.
package sipraw

import (
	"fmt"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"
)

// Timeout bounds an exchange; reaching it means the other side is stuck.
const Timeout = 10 * time.Second

// Do sends a request of method to sip:user@addr over "udp" or "tcp" and
// returns the first final response, parsed.
func Do(method, user, addr, transport string) (*sipmsg.Response, error) {
	p, err := Dial(transport, addr)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	if err := p.Send(p.Request(method, user, nil, "")); err != nil {
		return nil, err
	}
	m, err := p.Final(Timeout)
	if err != nil {
		return nil, err
	}
	msg, err := sipmsg.ParseMessage([]byte(m))
	if err != nil {
		return nil, fmt.Errorf("unparseable answer %q: %w", m, err)
	}
	res, ok := msg.(*sipmsg.Response)
	if !ok {
		return nil, fmt.Errorf("answer is not a response: %q", m)
	}
	return res, nil
}
