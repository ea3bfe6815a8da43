package sdp

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"

	pion "github.com/pion/sdp/v3"
)

// ptimeMS is the packet duration the gateway sends: one mixer frame.
const ptimeMS = 20

// Session is our side's SDP session for one call leg: the o= line's identity,
// kept across re-offers. It is not safe for concurrent use; a dialog owns it.
type Session struct {
	// Username goes on the o= line.
	Username string
	// ID identifies the session for its whole life.
	ID uint64
	// Version is the version of the last description built.
	Version uint64
	// SRTP makes BuildOffer offer audio over RTP/SAVP only, with a key for
	// each suite we speak, and ReadAnswer insist on an SRTP answer.
	SRTP bool

	offered []Crypto // our keys, drawn on the first secure offer

	last  []byte // last description built, with version 0
	built bool
}

// NewSession starts a session with a random ID, as RFC 4566 recommends so
// that IDs do not collide across restarts.
func NewSession(username string) *Session {
	var b [8]byte
	rand.Read(b[:])
	// The top bit stays clear: some peers parse the ID as a signed 64-bit
	// number.
	id := binary.BigEndian.Uint64(b[:]) >> 1
	return &Session{Username: username, ID: id, Version: id}
}

// Local is where our media lives.
type Local struct {
	Addr netip.Addr
	Port uint16
}

// BuildOffer describes our audio stream with everything we accept: PCMU,
// PCMA and telephone-event, for dial-out and INVITEs that came without SDP.
// With SRTP set it offers RTP/SAVP and the same keys on every offer of the
// session, so that a re-offer does not rekey a running stream.
func (s *Session) BuildOffer(local Local, dir Direction) ([]byte, error) {
	var crypto []Crypto
	if s.SRTP {
		if s.offered == nil {
			for i, suite := range suites {
				s.offered = append(s.offered, Crypto{Tag: i + 1, Suite: suite, Key: newKey()})
			}
		}
		crypto = s.offered
	}
	m := audioLine(local.Port, offered, dir, crypto)
	return s.marshal(local.Addr, []*pion.MediaDescription{m})
}

// ReadAnswer reads the answer to our last offer, as ParseAnswer does, and
// holds its transport to what we offered: an SRTP answer to an SRTP offer,
// choosing one of our crypto lines, whose key it adds to the result.
func (s *Session) ReadAnswer(body []byte) (Params, error) {
	p, err := ParseAnswer(body)
	if err != nil {
		return Params{}, err
	}
	switch {
	case !s.SRTP && p.SRTP != nil:
		return Params{}, fmt.Errorf("%w: SRTP answer to an RTP offer", ErrUnsupportedTransport)
	case s.SRTP && p.SRTP == nil:
		return Params{}, fmt.Errorf("%w: RTP answer to an SRTP offer", ErrUnsupportedTransport)
	case p.SRTP == nil:
		return p, nil
	}
	for _, c := range s.offered {
		if c.Tag == p.SRTP.Tag && c.Suite == p.SRTP.Suite {
			p.SRTP.Local = c.Key
			return p, nil
		}
	}
	return Params{}, fmt.Errorf("%w: answer chose a crypto line that was not offered", ErrNoCommonCrypto)
}

// BuildAnswer answers offer with the negotiated p. Every other m-line of the
// offer is declined in place with port 0.
func (s *Session) BuildAnswer(local Local, offer *Offer, p Params) ([]byte, error) {
	codecs := []Codec{p.Codec}
	if p.TelephoneEvent != nil {
		te := *p.TelephoneEvent
		te.Fmtp = dtmfEvents
		codecs = append(codecs, te)
	}
	var crypto []Crypto
	if p.SRTP != nil {
		crypto = []Crypto{{Tag: p.SRTP.Tag, Suite: p.SRTP.Suite, Key: p.SRTP.Local}}
	}
	audio := audioLine(local.Port, codecs, p.Direction, crypto)
	if p.RTCPMux {
		// RFC 5761 section 5.1.1: accepting the peer's offer to multiplex.
		audio.Attributes = append(audio.Attributes, pion.NewPropertyAttribute("rtcp-mux"))
	}
	if len(offer.media) == 0 {
		// An Offer built by hand rather than parsed has no m-lines to mirror.
		return s.marshal(local.Addr, []*pion.MediaDescription{audio})
	}
	media := make([]*pion.MediaDescription, 0, len(offer.media))
	for i, ml := range offer.media {
		if i == offer.audio {
			media = append(media, audio)
			continue
		}
		media = append(media, &pion.MediaDescription{MediaName: pion.MediaName{
			Media: ml.media, Protos: ml.protos, Formats: ml.formats,
		}})
	}
	return s.marshal(local.Addr, media)
}

// audioLine is our m-line: over RTP/SAVP, keyed by crypto, when crypto
// holds any line.
func audioLine(port uint16, codecs []Codec, dir Direction, crypto []Crypto) *pion.MediaDescription {
	proto := "AVP"
	if len(crypto) > 0 {
		proto = "SAVP"
	}
	m := &pion.MediaDescription{MediaName: pion.MediaName{
		Media:  "audio",
		Port:   pion.RangedPort{Value: int(port)},
		Protos: []string{"RTP", proto},
	}}
	for _, c := range codecs {
		m.MediaName.Formats = append(m.MediaName.Formats, strconv.Itoa(int(c.PayloadType)))
		m.Attributes = append(m.Attributes, pion.NewAttribute("rtpmap", rtpmap(c)))
		if c.Fmtp != "" {
			m.Attributes = append(m.Attributes, pion.NewAttribute("fmtp", strconv.Itoa(int(c.PayloadType))+" "+c.Fmtp))
		}
	}
	for _, c := range crypto {
		m.Attributes = append(m.Attributes, pion.NewAttribute("crypto", cryptoLine(c.Tag, c.Suite, c.Key)))
	}
	m.Attributes = append(m.Attributes,
		pion.NewAttribute("ptime", strconv.Itoa(ptimeMS)),
		pion.NewPropertyAttribute(dir.String()))
	return m
}

// marshal builds the description and moves the version on only when the
// content changed: RFC 3264 section 8 asks for a new version on every
// modified description and the same one on a repeat.
func (s *Session) marshal(addr netip.Addr, media []*pion.MediaDescription) ([]byte, error) {
	if !addr.IsValid() {
		return nil, fmt.Errorf("%w: no local address", ErrMalformed)
	}
	addr = addr.Unmap()
	addrType := "IP4"
	if addr.Is6() {
		addrType = "IP6"
	}
	username := s.Username
	if username == "" {
		username = "-"
	}
	sd := &pion.SessionDescription{
		Origin: pion.Origin{
			Username:       username,
			SessionID:      s.ID,
			NetworkType:    "IN",
			AddressType:    addrType,
			UnicastAddress: addr.String(),
		},
		SessionName: "confgw",
		ConnectionInformation: &pion.ConnectionInformation{
			NetworkType: "IN",
			AddressType: addrType,
			Address:     &pion.Address{Address: addr.String()},
		},
		TimeDescriptions:  []pion.TimeDescription{{}},
		MediaDescriptions: media,
	}
	content, err := sd.Marshal()
	if err != nil {
		return nil, err
	}
	if s.built && !bytes.Equal(content, s.last) {
		s.Version++
	}
	s.last, s.built = content, true
	sd.Origin.SessionVersion = s.Version
	return sd.Marshal()
}
