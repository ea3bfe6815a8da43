package sdp

import (
	"strconv"
	"strings"

	"github.com/confgw/confgw/audio"
)

// Codec is one payload type of an audio m-line.
type Codec = audio.Codec

const comfortNoise = "CN"

// staticCodecs are the RFC 3551 audio payload types a peer may use without
// an rtpmap. G722 says 8000 by an RFC 1890 mistake kept for compatibility.
var staticCodecs = map[uint8]Codec{
	0:  audio.PCMU,
	3:  {PayloadType: 3, Name: "GSM", ClockRate: 8000},
	4:  {PayloadType: 4, Name: "G723", ClockRate: 8000},
	8:  audio.PCMA,
	9:  {PayloadType: 9, Name: "G722", ClockRate: 8000},
	13: {PayloadType: 13, Name: "CN", ClockRate: 8000},
	18: {PayloadType: 18, Name: "G729", ClockRate: 8000},
}

// isAudio reports whether c could carry the call's voice: not events, not
// comfort noise.
func isAudio(c Codec) bool {
	return !strings.EqualFold(c.Name, audio.TelephoneEvent) && !strings.EqualFold(c.Name, comfortNoise)
}

func rtpmap(c Codec) string {
	return strconv.Itoa(int(c.PayloadType)) + " " + c.Name + "/" + strconv.FormatUint(uint64(c.ClockRate), 10)
}

// parseRtpmap reads "<pt> <name>/<rate>[/<channels>]".
func parseRtpmap(v string) (Codec, bool) {
	pt, rest, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok {
		return Codec{}, false
	}
	p, err := strconv.ParseUint(pt, 10, 7)
	if err != nil {
		return Codec{}, false
	}
	name, rate, ok := strings.Cut(strings.TrimSpace(rest), "/")
	if !ok || name == "" {
		return Codec{}, false
	}
	rate, _, _ = strings.Cut(rate, "/")
	r, err := strconv.ParseUint(rate, 10, 32)
	if err != nil {
		return Codec{}, false
	}
	return Codec{PayloadType: uint8(p), Name: name, ClockRate: uint32(r)}, true
}

// parseFmtp reads "<pt> <parameters>".
func parseFmtp(v string) (uint8, string, bool) {
	pt, params, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok {
		return 0, "", false
	}
	p, err := strconv.ParseUint(pt, 10, 7)
	if err != nil {
		return 0, "", false
	}
	return uint8(p), strings.TrimSpace(params), true
}
