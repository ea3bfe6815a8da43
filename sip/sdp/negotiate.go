package sdp

import (
	"fmt"
	"net/netip"

	"github.com/confgw/confgw/audio"
)

// Supported lists the codecs the gateway transcodes, in its own order of
// preference; Negotiate still follows the caller's order.
var Supported = []Codec{audio.PCMU, audio.PCMA}

// telephoneEventPT is the payload type we use for RFC 4733 in our offers,
// the one most phones pick.
const telephoneEventPT = 101

// dtmfEvents is the fmtp we advertise: the sixteen keypad events.
const dtmfEvents = "0-15"

// offered is what BuildOffer puts on the m-line, so that ParseAnswer can
// hold an answer to it.
var offered = []Codec{
	audio.PCMU,
	audio.PCMA,
	{PayloadType: telephoneEventPT, Name: audio.TelephoneEvent, ClockRate: 8000, Fmtp: dtmfEvents},
}

// Params is the outcome of an offer/answer exchange: how to send and what to
// expect on the media path.
type Params struct {
	// Remote is where to send RTP.
	Remote netip.AddrPort
	// Codec is the audio codec, with the payload type both sides use.
	Codec Codec
	// TelephoneEvent is the RFC 4733 payload type, or nil when the peer does
	// not do RFC 4733.
	TelephoneEvent *Codec
	// Direction is ours: what our side of the exchange says.
	Direction Direction
	// RTCPMux says RTCP goes over the RTP port both ways: the peer offered
	// it and the answer accepts, or the peer's answer accepted ours.
	RTCPMux bool
	// RemoteRTCP is where to send RTCP when not multiplexed, if the peer
	// said (a=rtcp); invalid means the port above Remote's.
	RemoteRTCP netip.AddrPort
	// SRTP holds the keys of a leg over RTP/SAVP, nil for RTP/AVP. In
	// what ParseAnswer returns, Local is unknown: Session.ReadAnswer
	// fills it in from the offer.
	SRTP *Keys
}

// Negotiate chooses what to answer an offer with: the first of the caller's
// codecs that is also in supported (by name, case-insensitively, and clock
// rate), and telephone-event if the caller offered it. A secure offer is
// answered with the first of its crypto lines we speak and a fresh key.
func Negotiate(offer *Offer, supported []Codec) (Params, error) {
	p := Params{
		Remote:     netip.AddrPortFrom(offer.Addr, offer.Port),
		Direction:  offer.Direction.Reverse(),
		RTCPMux:    offer.RTCPMux,
		RemoteRTCP: offer.RTCP,
	}
	found := false
	for _, c := range offer.Codecs {
		if isAudio(c) && isIn(supported, c) {
			p.Codec, found = c, true
			break
		}
	}
	if !found {
		return Params{}, fmt.Errorf("%w: none of the offered audio codecs is supported", ErrNoCommonCodec)
	}
	if offer.TelephoneEvent != nil {
		te := *offer.TelephoneEvent
		p.TelephoneEvent = &te
	}
	if offer.Secure {
		k, err := negotiateCrypto(offer)
		if err != nil {
			return Params{}, err
		}
		p.SRTP = k
	}
	return p, nil
}

// ParseAnswer reads the answer to an offer made with BuildOffer and checks
// that it picked something we offered.
func ParseAnswer(body []byte) (Params, error) {
	a, err := parse(body)
	if err != nil {
		return Params{}, err
	}
	if a.Port == 0 {
		return Params{}, fmt.Errorf("%w: audio stream declined", ErrNoCommonCodec)
	}
	p := Params{
		Remote:     netip.AddrPortFrom(a.Addr, a.Port),
		Direction:  a.Direction.Reverse(),
		RTCPMux:    a.RTCPMux,
		RemoteRTCP: a.RTCP,
	}
	found := false
	for _, c := range a.Codecs {
		if isAudio(c) && isOffered(c) {
			p.Codec, found = c, true
			break
		}
	}
	if !found {
		return Params{}, fmt.Errorf("%w: answer chose no codec that was offered", ErrNoCommonCodec)
	}
	if a.TelephoneEvent != nil {
		te := *a.TelephoneEvent
		p.TelephoneEvent = &te
	}
	if a.Secure {
		// An answer picks one line; a second would be a second key for the
		// same stream.
		if len(a.Crypto) != 1 {
			return Params{}, fmt.Errorf("%w: answer does not choose one crypto line", ErrNoCommonCrypto)
		}
		c := a.Crypto[0]
		p.SRTP = &Keys{Tag: c.Tag, Suite: c.Suite, Remote: c.Key, RemoteMKI: c.MKI}
	}
	return p, nil
}

// isOffered holds an answer's codec to the offer by name and rate. RFC 3264
// section 6.1 only asks the answerer to keep the offer's payload type
// numbers (SHOULD), and the answer's number is what the peer expects to
// receive, so a renumbered codec is accepted and sent under the new number.
func isOffered(c Codec) bool {
	return isAudio(c) && isIn(offered, c)
}

func isIn(list []Codec, c Codec) bool {
	for _, v := range list {
		if v.Is(c) {
			return true
		}
	}
	return false
}
