package sip

// Handler receives the calls that arrive at a Server. ServeInvite runs in
// the INVITE's own goroutine and must Answer or Reject the call before it
// returns (the server rejects it with 500 otherwise); it may also stay for
// the whole call, which keeps Run from returning until the call is over.
type Handler interface {
	ServeInvite(in *Incoming)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(in *Incoming)

// ServeInvite calls f.
func (f HandlerFunc) ServeInvite(in *Incoming) { f(in) }

// Renegotiator answers the offers a peer makes inside an established call:
// hold, resume, a new address or codec.
type Renegotiator interface {
	// Reoffer applies offer and returns our answer. An empty offer asks us
	// to offer instead: return our offer, and the peer's answer follows
	// through Reanswer.
	Reoffer(offer []byte) (answer []byte, err error)
	// Reanswer applies the answer an ACK carried back to our offer.
	Reanswer(answer []byte)
}
