package webrtc

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/confgw/confgw/audio"
	"github.com/pion/sdp/v3"
)

// chooseCodec picks, from an offer's first audio m-line, the first codec
// in the offerer's order of preference that the gateway can decode, with
// the payload type the offer gave it.
func chooseCodec(offer string) (audio.Codec, error) {
	var d sdp.SessionDescription
	if err := d.UnmarshalString(offer); err != nil {
		return audio.Codec{}, fmt.Errorf("%w: %v", ErrInvalidSDP, err)
	}
	var m *sdp.MediaDescription
	for _, md := range d.MediaDescriptions {
		if md.MediaName.Media == "audio" {
			m = md
			break
		}
	}
	if m == nil {
		return audio.Codec{}, fmt.Errorf("%w: no audio m-line", ErrInvalidSDP)
	}
	if m.MediaName.Port.Value == 0 {
		return audio.Codec{}, fmt.Errorf("%w: the audio m-line is rejected (port 0)", ErrInvalidSDP)
	}
	var offered []string
	for _, f := range m.MediaName.Formats {
		c, ok := offeredCodec(m, f)
		if !ok {
			continue
		}
		offered = append(offered, c.Name)
		for _, s := range supported {
			if s.codec.Is(c) {
				return c, nil
			}
		}
	}
	if len(offered) > 12 {
		offered = offered[:12]
	}
	return audio.Codec{}, fmt.Errorf("%w: the offer has %s", ErrNoSupportedCodec, strings.Join(offered, ", "))
}

// offeredCodec reads format f of m as its rtpmap describes it, or as RFC
// 3551 assigns a static payload type with no rtpmap.
func offeredCodec(m *sdp.MediaDescription, f string) (audio.Codec, bool) {
	pt, err := strconv.ParseUint(f, 10, 7)
	if err != nil {
		return audio.Codec{}, false
	}
	for _, a := range m.Attributes {
		if a.Key != "rtpmap" {
			continue
		}
		num, desc, ok := strings.Cut(a.Value, " ")
		if !ok || num != f {
			continue
		}
		name, rest, _ := strings.Cut(desc, "/")
		rate, _, _ := strings.Cut(rest, "/")
		clock, err := strconv.ParseUint(rate, 10, 32)
		if err != nil {
			return audio.Codec{}, false
		}
		return audio.Codec{PayloadType: uint8(pt), Name: name, ClockRate: uint32(clock)}, true
	}
	switch uint8(pt) {
	case audio.PCMU.PayloadType:
		return audio.PCMU, true
	case audio.PCMA.PayloadType:
		return audio.PCMA, true
	}
	return audio.Codec{}, false
}

// withDTX adds usedtx=1 to the answer's fmtp for payload type pt, or an
// fmtp line saying it after pt's rtpmap. pion answers with the offer's
// fmtp, and a browser reads what it may send from the answer: without it,
// a silent browser sends 50 packets a second of room noise that the
// gateway must decode only to find them quiet.
func withDTX(answer string, pt uint8) string {
	const dtx = "usedtx=1"
	fmtp := "a=fmtp:" + strconv.Itoa(int(pt)) + " "
	rtpmap := "a=rtpmap:" + strconv.Itoa(int(pt)) + " "
	lines := strings.SplitAfter(answer, "\n")
	var b strings.Builder
	had := false
	for _, l := range lines {
		if rest, ok := strings.CutPrefix(l, fmtp); ok {
			had = true
			params, eol := strings.TrimRight(rest, "\r\n"), rest[len(strings.TrimRight(rest, "\r\n")):]
			if !strings.Contains(";"+strings.ReplaceAll(params, " ", "")+";", ";usedtx=") {
				params += ";" + dtx
			}
			b.WriteString(fmtp + params + eol)
			continue
		}
		b.WriteString(l)
	}
	if had {
		return b.String()
	}
	b.Reset()
	for _, l := range lines {
		b.WriteString(l)
		if strings.HasPrefix(l, rtpmap) {
			b.WriteString(fmtp + dtx + "\r\n")
		}
	}
	return b.String()
}
