package sip

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"strings"

	sipmsg "github.com/emiago/sipgo/sip"
)

// singleValued are the header fields a request carries once (RFC 3261
// §7.3.1, §20; RFC 4475 §3.3.8 multi01): with two Call-IDs or CSeqs which
// dialog or transaction the request belongs to is a guess, and each stack
// on the path may guess differently, so the request is refused rather than
// one value picked.
var singleValued = []string{"Call-ID", "To", "From", "Max-Forwards", "CSeq", "Content-Length"}

// repeatedField names the first single-valued header field req carries
// more than once, or is "".
func repeatedField(req *sipmsg.Request) string {
	for _, name := range singleValued {
		if len(req.GetHeaders(name)) > 1 {
			return name
		}
	}
	return ""
}

// errNotSDP is a body the gateway cannot read an offer from.
var errNotSDP = errors.New("body is neither application/sdp nor multipart/mixed with an application/sdp part")

// sdpBody is the session description in m's body: the body itself, or the
// application/sdp part of a multipart/mixed one, which trunks speaking
// SIP-I send with ISUP beside the SDP. An empty body has none and no error
// (a late offer); any other body gets errNotSDP, for a 415 (RFC 3261
// §21.4.13, RFC 4475 §3.3.6 invut), since answering it as a late offer
// would negotiate media the caller never described.
func sdpBody(m *sipmsg.Request) ([]byte, error) {
	body := m.Body()
	if len(body) == 0 {
		return nil, nil
	}
	ct := m.GetHeader("Content-Type")
	if ct == nil {
		// RFC 3261 §7.4.1 wants a Content-Type with a body, but phones that
		// leave it out send SDP, and refusing them gains nothing.
		return body, nil
	}
	media, params, err := mime.ParseMediaType(ct.Value())
	if err != nil {
		return nil, errNotSDP
	}
	switch media {
	case "application/sdp":
		return body, nil
	case "multipart/mixed":
		return sdpPart(body, params["boundary"])
	}
	return nil, errNotSDP
}

// sdpPart is the first application/sdp part of a multipart body.
func sdpPart(body []byte, boundary string) ([]byte, error) {
	if boundary == "" {
		return nil, errNotSDP
	}
	r := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		p, err := r.NextRawPart()
		if err != nil {
			return nil, errNotSDP
		}
		media, _, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if err != nil || media != "application/sdp" {
			continue
		}
		sdp, err := io.ReadAll(p)
		if err != nil {
			return nil, errNotSDP
		}
		// A part ends with the line break before the next boundary, which
		// belongs to the boundary; SDP lines end with their own CRLF.
		if !strings.HasSuffix(string(sdp), "\n") {
			sdp = append(sdp, '\r', '\n')
		}
		return sdp, nil
	}
}
