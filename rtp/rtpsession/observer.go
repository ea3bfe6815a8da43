package rtpsession

import "net/netip"

// Observer receives a session's events as they happen, so that the gateway
// can feed its own metrics without this package choosing a metrics library.
// Methods are called from the receive loop and from the mixer tick; they
// must be cheap, must not block and must not allocate on the hot path.
type Observer interface {
	// PacketReceived is called for every RTP packet accepted from the phone.
	PacketReceived(bytes int)
	// PacketSent is called for every RTP packet sent to the phone.
	PacketSent(bytes int)
	// PacketDropped is called for every datagram that did not reach the
	// audio path or the DTMF detector.
	PacketDropped(reason DropReason)
	// FrameConcealed is called when the mixer got a synthesised frame in
	// place of a missing one.
	FrameConcealed()
	// Latched is called when the session starts sending to a new address.
	Latched(addr netip.AddrPort)
}

// NopObserver ignores every event. Embed it to implement only some methods.
type NopObserver struct{}

func (NopObserver) PacketReceived(int)       {}
func (NopObserver) PacketSent(int)           {}
func (NopObserver) PacketDropped(DropReason) {}
func (NopObserver) FrameConcealed()          {}
func (NopObserver) Latched(netip.AddrPort)   {}

// DropReason says why a received datagram was not used.
type DropReason uint8

const (
	// DropMalformed: not a parseable RTP version 2 packet.
	DropMalformed DropReason = iota
	// DropPayloadType: a payload type that was not negotiated, such as
	// comfort noise or RTCP multiplexed onto the RTP port.
	DropPayloadType
	// DropStray: a packet from a source other than the one latched that did
	// not take its place: a stranger, a spoofed or replayed packet, a stale
	// NAT binding, or a rebinding phone before it proved itself.
	DropStray
	// DropHold: audio that arrived while the leg is on hold.
	DropHold
	// DropLate: audio whose turn to play had passed.
	DropLate
	// DropDuplicate: audio already held by the jitter buffer.
	DropDuplicate
	// DropFrameSize: audio that is not a whole number of 10 ms blocks from
	// 10 to 60 ms, which no G.711 ptime produces.
	DropFrameSize
	// DropBadEvent: a telephone-event payload that is not a DTMF key.
	DropBadEvent
	// DropSRTPAuth: an SRTP packet whose authentication tag does not
	// match: forged, damaged, or protected with a key no longer in use.
	DropSRTPAuth
	// DropSRTPReplay: an SRTP packet whose index was already received, or
	// too old for the replay window to tell.
	DropSRTPReplay
)

var dropNames = [...]string{"malformed", "payload type", "stray", "hold", "late", "duplicate", "frame size", "bad event", "srtp auth", "srtp replay"}

func (r DropReason) String() string {
	if int(r) < len(dropNames) {
		return dropNames[r]
	}
	return "unknown"
}
