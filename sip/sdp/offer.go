// Package sdp handles the SDP offer/answer exchange (RFC 3264) of a phone
// leg: one audio stream of G.711 with RFC 4733 telephone events.
package sdp

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	pion "github.com/pion/sdp/v3"
)

// maxBody bounds what is parsed: real offers are well under 2 KiB, and the
// parser's cost grows with the input.
const maxBody = 16 << 10

// Offer is what the gateway needs from a peer's session description. It is
// also what ParseAnswer reads, an answer being described the same way.
type Offer struct {
	// SessionID and SessionVersion come from the o= line; a re-offer with the
	// same version changes nothing.
	SessionID      uint64
	SessionVersion uint64
	// Addr and Port are where the peer wants its RTP. An unspecified address
	// (0.0.0.0) is the old RFC 2543 way of putting a call on hold.
	Addr netip.Addr
	Port uint16
	// Codecs lists the audio m-line's payload types in the peer's order of
	// preference, telephone-event included.
	Codecs []Codec
	// TelephoneEvent is the peer's RFC 4733 payload type at 8 kHz, or nil.
	TelephoneEvent *Codec
	// Direction is the peer's, from the media or else the session level.
	Direction Direction
	// Ptime is the packet duration the peer asked for in ms, 0 if none.
	Ptime int
	// RTCPMux says the peer offered RTCP on its RTP port (RFC 5761
	// a=rtcp-mux).
	RTCPMux bool
	// RTCP is where the peer wants its RTCP (RFC 3605 a=rtcp), invalid
	// when it did not say: then it is the port above Port.
	RTCP netip.AddrPort
	// Secure is set for audio over RTP/SAVP: SRTP keyed by the a=crypto
	// lines (RFC 4568), of which Crypto holds the usable ones in the
	// peer's order.
	Secure bool
	Crypto []Crypto

	// media keeps every m-line so that an answer can decline the others in
	// place, as RFC 3264 section 6 requires.
	media []mline
	audio int
}

type mline struct {
	media   string
	protos  []string
	formats []string
}

// OnHold reports whether the peer has stopped sending to us, either by
// direction or by the older zero connection address.
func (o *Offer) OnHold() bool {
	return !o.Direction.Sends() || o.Addr.IsUnspecified()
}

// ParseOffer reads and checks a peer's offer.
func ParseOffer(body []byte) (*Offer, error) {
	o, err := parse(body)
	if err != nil {
		return nil, err
	}
	if o.Port == 0 {
		return nil, fmt.Errorf("%w: audio port is 0", ErrMalformed)
	}
	return o, nil
}

func parse(body []byte) (*Offer, error) {
	if len(body) > maxBody {
		return nil, fmt.Errorf("%w: body too large", ErrMalformed)
	}
	if n := len(body); n > 0 && body[n-1] != '\n' {
		// Some peers drop the last line break; the parser insists on it.
		body = append(body[:n:n], '\r', '\n')
	}
	var sd pion.SessionDescription
	if err := sd.Unmarshal(body); err != nil {
		// The parser's message quotes the input, so it stays out of the text.
		return nil, fmt.Errorf("%w: syntax error", ErrMalformed)
	}
	o := &Offer{
		SessionID:      sd.Origin.SessionID,
		SessionVersion: sd.Origin.SessionVersion,
		audio:          -1,
	}
	audio, err := pickAudio(&sd)
	if err != nil {
		return nil, err
	}
	o.audio = audio
	for _, m := range sd.MediaDescriptions {
		o.media = append(o.media, mline{media: m.MediaName.Media, protos: m.MediaName.Protos, formats: m.MediaName.Formats})
	}
	m := sd.MediaDescriptions[audio]
	o.Port = uint16(m.MediaName.Port.Value)

	if o.Addr, err = connection(&sd, m); err != nil {
		return nil, err
	}
	if o.Codecs, err = codecs(m); err != nil {
		return nil, err
	}
	for i := range o.Codecs {
		if o.Codecs[i].IsTelephoneEvent() {
			te := o.Codecs[i]
			o.TelephoneEvent = &te
			break
		}
	}
	o.Direction = direction(&sd, m)
	o.Ptime = ptime(&sd, m)
	o.RTCPMux, o.RTCP = rtcpAttrs(m, o.Addr)
	if o.Secure = isSAVP(m.MediaName.Protos); o.Secure {
		o.Crypto = parseCryptos(m.Attributes)
	}
	return o, nil
}

// pickAudio returns the index of the m-line to use: the first audio line
// over RTP/AVP or RTP/SAVP, preferring one that is not disabled. An offer
// of the same audio both ways on two lines is taken as the first.
func pickAudio(sd *pion.SessionDescription) (int, error) {
	sawAudio := false
	found := -1
	for i, m := range sd.MediaDescriptions {
		if m.MediaName.Media != "audio" {
			continue
		}
		sawAudio = true
		if p := m.MediaName.Protos; !isAVP(p) && !isSAVP(p) {
			continue
		}
		if m.MediaName.Port.Value != 0 {
			return i, nil
		}
		if found < 0 {
			found = i
		}
	}
	switch {
	case found >= 0:
		return found, nil
	case sawAudio:
		return 0, fmt.Errorf("%w: audio is not offered over RTP/AVP or RTP/SAVP", ErrUnsupportedTransport)
	default:
		return 0, fmt.Errorf("%w: no audio media line", ErrMalformed)
	}
}

func isAVP(p []string) bool  { return len(p) == 2 && p[0] == "RTP" && p[1] == "AVP" }
func isSAVP(p []string) bool { return len(p) == 2 && p[0] == "RTP" && p[1] == "SAVP" }

func connection(sd *pion.SessionDescription, m *pion.MediaDescription) (netip.Addr, error) {
	c := m.ConnectionInformation
	if c == nil {
		c = sd.ConnectionInformation
	}
	if c == nil || c.Address == nil {
		return netip.Addr{}, fmt.Errorf("%w: no connection address", ErrMalformed)
	}
	if c.NetworkType != "IN" || (c.AddressType != "IP4" && c.AddressType != "IP6") {
		return netip.Addr{}, fmt.Errorf("%w: connection is not IN IP4 or IP6", ErrMalformed)
	}
	// A multicast address carries /ttl[/count]; the address is what we need.
	host, _, _ := strings.Cut(c.Address.Address, "/")
	a, err := netip.ParseAddr(host)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("%w: connection address is not an IP address", ErrMalformed)
	}
	return a.Unmap(), nil
}

func codecs(m *pion.MediaDescription) ([]Codec, error) {
	if len(m.MediaName.Formats) == 0 {
		return nil, fmt.Errorf("%w: audio media line lists no formats", ErrMalformed)
	}
	out := make([]Codec, 0, len(m.MediaName.Formats))
	for _, f := range m.MediaName.Formats {
		pt, err := strconv.ParseUint(f, 10, 7)
		if err != nil {
			return nil, fmt.Errorf("%w: invalid payload type", ErrMalformed)
		}
		c := staticCodecs[uint8(pt)]
		c.PayloadType = uint8(pt)
		out = append(out, c)
	}
	// An rtpmap wins over the static table: RFC 3264 lets a peer say it.
	for _, a := range m.Attributes {
		switch a.Key {
		case "rtpmap":
			if c, ok := parseRtpmap(a.Value); ok {
				for i := range out {
					if out[i].PayloadType == c.PayloadType {
						c.Fmtp = out[i].Fmtp
						out[i] = c
					}
				}
			}
		case "fmtp":
			if pt, params, ok := parseFmtp(a.Value); ok {
				for i := range out {
					if out[i].PayloadType == pt {
						out[i].Fmtp = params
					}
				}
			}
		}
	}
	return out, nil
}

func direction(sd *pion.SessionDescription, m *pion.MediaDescription) Direction {
	for _, attrs := range [][]pion.Attribute{m.Attributes, sd.Attributes} {
		for _, a := range attrs {
			if d, ok := directionFrom(a.Key); ok {
				return d
			}
		}
	}
	return SendRecv
}

func ptime(sd *pion.SessionDescription, m *pion.MediaDescription) int {
	for _, attrs := range [][]pion.Attribute{m.Attributes, sd.Attributes} {
		for _, a := range attrs {
			if a.Key != "ptime" {
				continue
			}
			if v, err := strconv.Atoi(a.Value); err == nil && v > 0 && v <= 1000 {
				return v
			}
			return 0
		}
	}
	return 0
}

// rtcpAttrs reads a=rtcp-mux and a=rtcp:port [IN IP4|IP6 addr] of the
// audio line. A malformed a=rtcp is ignored rather than refused: RTCP is
// worth no failed call.
func rtcpAttrs(m *pion.MediaDescription, rtpAddr netip.Addr) (mux bool, at netip.AddrPort) {
	for _, a := range m.Attributes {
		switch a.Key {
		case "rtcp-mux":
			mux = true
		case "rtcp":
			f := strings.Fields(a.Value)
			port, err := strconv.ParseUint(firstOr(f, ""), 10, 16)
			if err != nil || port == 0 {
				continue
			}
			addr := rtpAddr
			if len(f) == 4 && f[1] == "IN" && (f[2] == "IP4" || f[2] == "IP6") {
				if x, err := netip.ParseAddr(f[3]); err == nil && x.Zone() == "" {
					addr = x.Unmap()
				}
			}
			at = netip.AddrPortFrom(addr, uint16(port))
		}
	}
	return mux, at
}

func firstOr(f []string, def string) string {
	if len(f) == 0 {
		return def
	}
	return f[0]
}
