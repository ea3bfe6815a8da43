package rtpsession

import (
	"net/netip"
	"sync/atomic"
	"time"
)

// Stats is a snapshot of a session's counters since New.
type Stats struct {
	// PacketsIn counts RTP packets accepted from the phone, audio and
	// telephone-events alike.
	PacketsIn uint64
	// PacketsOut counts RTP packets sent to the phone.
	PacketsOut uint64
	BytesIn    uint64
	BytesOut   uint64
	// Digits counts DTMF key presses received.
	Digits uint64
	// WrongPayloadType counts packets of a payload type not negotiated.
	WrongPayloadType uint64
	// Malformed counts datagrams that are not RTP version 2.
	Malformed uint64
	// Stray counts packets of the current stream from a foreign address.
	Stray uint64
	// DroppedOnHold counts packets discarded while on hold.
	DroppedOnHold uint64
	// BadFrames counts audio whose payload is not a whole number of 10 ms
	// blocks from 10 to 60 ms, or telephone-events that are not DTMF keys.
	BadFrames uint64
	// SRTPAuthFailed counts SRTP packets that failed authentication;
	// SRTPReplayed counts those refused as replays.
	SRTPAuthFailed uint64
	SRTPReplayed   uint64
	// Late and Duplicates count audio the jitter buffer refused.
	Late       uint64
	Duplicates uint64
	// Lost counts 20 ms frames' worth of audio never received in time to
	// play (with 20 ms packets, lost packets; a lost 30 ms packet counts
	// 1.5, rounded up over the total); Overflow counts frames' worth dropped
	// because the jitter buffer was full.
	Lost     uint64
	Overflow uint64
	// Skipped counts frames the jitter buffer dropped to bring its delay
	// back down after staying above target: audio arriving faster than the
	// room plays it.
	Skipped uint64
	// Concealed counts frames the mixer got wholly or partly from loss
	// concealment.
	Concealed uint64
	// SendErrors counts packets the socket refused.
	SendErrors uint64
	// Latches counts how often the destination address changed.
	Latches uint64
	// RTCPIn and RTCPOut count the compound reports read from and sent to
	// the phone; RTCPDropped counts datagrams that reached the RTCP path
	// and were not used: malformed, not the phone's, or past the burst.
	RTCPIn, RTCPOut, RTCPDropped uint64
	// JitterDepth is how many 20 ms frames' worth of audio waits in the
	// jitter buffer now.
	JitterDepth int
	// JitterDelay is the jitter buffer's current target delay.
	JitterDelay time.Duration
	// Jitter is the measured interarrival jitter (RFC 3550).
	Jitter time.Duration
	// Remote is where audio is sent; invalid until known.
	Remote netip.AddrPort
}

// counters are written by the receive loop and the mixer tick and read by
// Stats from anywhere, hence atomics rather than a lock on the hot path.
type counters struct {
	packetsIn, packetsOut atomic.Uint64
	bytesIn, bytesOut     atomic.Uint64
	digits                atomic.Uint64
	wrongPT, malformed    atomic.Uint64
	stray, onHold         atomic.Uint64
	badFrames             atomic.Uint64
	srtpAuth, srtpReplay  atomic.Uint64
	late, duplicates      atomic.Uint64
	concealed             atomic.Uint64
	sendErrors            atomic.Uint64
	latches               atomic.Uint64
	rtcpIn, rtcpOut       atomic.Uint64
	rtcpDropped           atomic.Uint64
	// Counts of jitter buffers already replaced, so that a new stream
	// (SSRC change, resume from hold) does not reset the totals.
	lostBefore, overflowBefore, skippedBefore atomic.Uint64
}

func (c *counters) dropped(r DropReason) {
	switch r {
	case DropMalformed:
		c.malformed.Add(1)
	case DropPayloadType:
		c.wrongPT.Add(1)
	case DropStray:
		c.stray.Add(1)
	case DropHold:
		c.onHold.Add(1)
	case DropLate:
		c.late.Add(1)
	case DropDuplicate:
		c.duplicates.Add(1)
	case DropFrameSize, DropBadEvent:
		c.badFrames.Add(1)
	case DropSRTPAuth:
		c.srtpAuth.Add(1)
	case DropSRTPReplay:
		c.srtpReplay.Add(1)
	}
}

// Stats returns the session's counters. It is safe to call from any
// goroutine, at any rate a metrics scraper likes.
func (s *Session) Stats() Stats {
	c := &s.ctr
	js := s.jbuf.Load().Stats()
	st := Stats{
		PacketsIn:        c.packetsIn.Load(),
		PacketsOut:       c.packetsOut.Load(),
		BytesIn:          c.bytesIn.Load(),
		BytesOut:         c.bytesOut.Load(),
		Digits:           c.digits.Load(),
		WrongPayloadType: c.wrongPT.Load(),
		Malformed:        c.malformed.Load(),
		Stray:            c.stray.Load(),
		DroppedOnHold:    c.onHold.Load(),
		BadFrames:        c.badFrames.Load(),
		SRTPAuthFailed:   c.srtpAuth.Load(),
		SRTPReplayed:     c.srtpReplay.Load(),
		Late:             c.late.Load(),
		Duplicates:       c.duplicates.Load(),
		Lost:             c.lostBefore.Load() + js.Lost,
		Overflow:         c.overflowBefore.Load() + js.Overflow,
		Skipped:          c.skippedBefore.Load() + js.Skipped,
		Concealed:        c.concealed.Load(),
		SendErrors:       c.sendErrors.Load(),
		Latches:          c.latches.Load(),
		RTCPIn:           c.rtcpIn.Load(),
		RTCPOut:          c.rtcpOut.Load(),
		RTCPDropped:      c.rtcpDropped.Load(),
		JitterDepth:      js.Depth,
		JitterDelay:      js.Target,
		Jitter:           js.Jitter,
	}
	if r := s.remote.Load(); r != nil {
		st.Remote = *r
	}
	return st
}
