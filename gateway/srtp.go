package gateway

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/pion/srtp/v3"

	"github.com/confgw/confgw/rtp/rtpsession"
	"github.com/confgw/confgw/sip/sdp"
)

// SRTPPolicy is whether phone legs protect their media with SRTP, keyed
// by SDES (RFC 4568) in the SDP. The signalling that carries the keys is
// only as private as its transport: SIP over UDP or TCP shows them to
// anyone on the path.
type SRTPPolicy string

const (
	// SRTPOptional answers an RTP/SAVP offer with SRTP and an RTP/AVP one
	// in the clear, and dials out in the clear: an RTP/AVP offer that also
	// carries keys (RFC 4568's best effort) is not standard, and trunks
	// refuse it. It is the default, the zero value.
	SRTPOptional SRTPPolicy = "optional"
	// SRTPRequired refuses an offer in the clear with 488 and dials out
	// offering RTP/SAVP only.
	SRTPRequired SRTPPolicy = "required"
	// SRTPOff refuses an RTP/SAVP offer with 488, as the gateway did
	// before it spoke SRTP.
	SRTPOff SRTPPolicy = "off"
)

// ParseSRTPPolicy reads the --srtp flag.
func ParseSRTPPolicy(s string) (SRTPPolicy, error) {
	switch p := SRTPPolicy(s); p {
	case SRTPOptional, SRTPRequired, SRTPOff:
		return p, nil
	}
	return "", fmt.Errorf("SRTP policy %q: want required, optional or off", s)
}

// Errors for an offer the policy refuses. Their texts go out as the
// reason phrase of the 488.
var (
	errSRTPRequired  = fmt.Errorf("%w: SRTP required", sdp.ErrUnsupportedTransport)
	errSRTPOff       = fmt.Errorf("%w: SRTP not accepted", sdp.ErrUnsupportedTransport)
	errSRTPDowngrade = fmt.Errorf("%w: SRTP leg offered RTP", sdp.ErrUnsupportedTransport)
)

// checkTransport holds an offer to the policy.
func (g *Gateway) checkTransport(o *sdp.Offer) error {
	switch {
	case g.srtp == SRTPRequired && !o.Secure:
		return errSRTPRequired
	case g.srtp == SRTPOff && o.Secure:
		return errSRTPOff
	}
	return nil
}

// sessionKeys turns what SDP negotiated into the RTP session's keys.
func sessionKeys(k *sdp.Keys) (*rtpsession.SRTP, error) {
	var profile srtp.ProtectionProfile
	switch k.Suite {
	case sdp.SuiteAES80:
		profile = srtp.ProtectionProfileAes128CmHmacSha1_80
	case sdp.SuiteAES32:
		profile = srtp.ProtectionProfileAes128CmHmacSha1_32
	default:
		return nil, fmt.Errorf("%w: suite not supported", sdp.ErrNoCommonCrypto)
	}
	return &rtpsession.SRTP{Profile: profile, LocalKey: k.Local, RemoteKey: k.Remote, RemoteMKI: k.RemoteMKI}, nil
}

// applyKeys keys the leg's media as p says. A leg once secure stays so:
// a re-INVITE in the clear would put the rest of the call on the wire
// readable, whatever the policy.
func (l *leg) applyKeys(p *sdp.Params) error {
	l.mu.Lock()
	cur := l.keys
	l.mu.Unlock()
	if p.SRTP == nil {
		if cur != nil {
			return errSRTPDowngrade
		}
		return nil
	}
	if p.SRTP.Local == nil {
		return errors.New("SRTP keys without a local key")
	}
	k, err := sessionKeys(p.SRTP)
	if err != nil {
		return err
	}
	if err := l.sess.SetSRTP(k); err != nil {
		return err
	}
	l.mu.Lock()
	l.keys = p.SRTP
	l.mu.Unlock()
	// A re-INVITE without SDP gets an offer like the call's.
	l.sdp.SRTP = true
	return nil
}

// keepLocalKey answers a re-offer that repeats the peer's key with ours
// unchanged, as a re-INVITE for hold does: new keys would restart both
// streams' protection for nothing.
func (l *leg) keepLocalKey(p *sdp.Params) {
	l.mu.Lock()
	cur := l.keys
	l.mu.Unlock()
	if cur != nil && p.SRTP != nil && cur.Suite == p.SRTP.Suite &&
		bytes.Equal(cur.Remote, p.SRTP.Remote) && bytes.Equal(cur.RemoteMKI, p.SRTP.RemoteMKI) {
		p.SRTP.Local = cur.Local
	}
}
