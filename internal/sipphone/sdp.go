package sipphone

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// remoteMedia is what the phone needs from the other side's SDP.
type remoteMedia struct {
	addr      *net.UDPAddr
	pt        uint8
	eventPT   uint8
	direction string
	// secure is an RTP/SAVP m-line; cryptos its a=crypto lines of suites
	// the phone speaks, in order.
	secure  bool
	cryptos []sdesLine
}

// sdesLine is one a=crypto line: a key for a suite under a tag.
type sdesLine struct {
	tag   string
	suite string
	key   []byte
}

// crypto is the value of an a=crypto attribute for key.
func crypto(tag, suite string, key []byte) string {
	return tag + " " + suite + " inline:" + base64.StdEncoding.EncodeToString(key)
}

// offerSDP is a desk phone's offer: the given codecs (by static payload
// type) plus telephone-event 101, in the given direction; over RTP/SAVP
// with the a=crypto line sdes unless it is empty.
func offerSDP(ip string, port int, codecs []string, direction, sdes string) []byte {
	var pts, maps []string
	for _, c := range codecs {
		switch strings.ToUpper(c) {
		case "PCMU":
			pts, maps = append(pts, "0"), append(maps, "a=rtpmap:0 PCMU/8000")
		case "PCMA":
			pts, maps = append(pts, "8"), append(maps, "a=rtpmap:8 PCMA/8000")
		case "G729":
			pts, maps = append(pts, "18"), append(maps, "a=rtpmap:18 G729/8000")
		}
	}
	pts, maps = append(pts, "101"), append(maps, "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-15")
	if direction == "" {
		direction = "sendrecv"
	}
	lines := []string{
		"v=0",
		"o=phone 1 1 IN IP4 " + ip,
		"s=phone",
		"c=IN IP4 " + ip,
		"t=0 0",
		"m=audio " + strconv.Itoa(port) + " " + proto(sdes) + " " + strings.Join(pts, " "),
	}
	lines = append(lines, maps...)
	if sdes != "" {
		lines = append(lines, "a=crypto:"+sdes)
	}
	lines = append(lines, "a=ptime:20", "a="+direction)
	return []byte(strings.Join(lines, "\r\n") + "\r\n")
}

func proto(sdes string) string {
	if sdes != "" {
		return "RTP/SAVP"
	}
	return "RTP/AVP"
}

// answerSDP answers with the first of PCMU/PCMA the offer lists, over
// RTP/SAVP with the a=crypto line sdes unless it is empty.
func answerSDP(ip string, port int, offer *remoteMedia, sdes string) []byte {
	name := "PCMU"
	if offer.pt == 8 {
		name = "PCMA"
	}
	pt := strconv.Itoa(int(offer.pt))
	lines := []string{
		"v=0",
		"o=phone 2 2 IN IP4 " + ip,
		"s=phone",
		"c=IN IP4 " + ip,
		"t=0 0",
		"m=audio " + strconv.Itoa(port) + " " + proto(sdes) + " " + pt + " 101",
		"a=rtpmap:" + pt + " " + name + "/8000",
		"a=rtpmap:101 telephone-event/8000",
		"a=fmtp:101 0-15",
		"a=sendrecv",
	}
	if sdes != "" {
		lines = append(lines, "a=crypto:"+sdes)
	}
	return []byte(strings.Join(lines, "\r\n") + "\r\n")
}

// parseSDP reads the connection address, the first G.711 payload type, the
// telephone-event type and the direction; enough for a test phone.
func parseSDP(body []byte) (*remoteMedia, error) {
	rm := &remoteMedia{pt: 255, direction: "sendrecv"}
	var ip string
	port := -1
	for _, line := range strings.Split(string(body), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "c=IN IP4 "):
			ip = strings.TrimPrefix(line, "c=IN IP4 ")
		case strings.HasPrefix(line, "m=audio "):
			f := strings.Fields(line)
			if len(f) < 4 {
				return nil, errors.New("short m= line")
			}
			port, _ = strconv.Atoi(f[1])
			rm.secure = f[2] == "RTP/SAVP"
			for _, p := range f[3:] {
				if (p == "0" || p == "8") && rm.pt == 255 {
					n, _ := strconv.Atoi(p)
					rm.pt = uint8(n)
				}
			}
		case strings.HasPrefix(line, "a=rtpmap:") && strings.Contains(line, "telephone-event"):
			n, _ := strconv.Atoi(strings.Fields(strings.TrimPrefix(line, "a=rtpmap:"))[0])
			rm.eventPT = uint8(n)
		case strings.HasPrefix(line, "a=crypto:"):
			f := strings.Fields(strings.TrimPrefix(line, "a=crypto:"))
			if len(f) < 3 || !strings.HasPrefix(f[2], "inline:") {
				continue
			}
			b64, _, _ := strings.Cut(strings.TrimPrefix(f[2], "inline:"), "|")
			key, err := base64.StdEncoding.DecodeString(b64)
			if _, ok := profiles[f[1]]; ok && err == nil && len(key) == keyLen {
				rm.cryptos = append(rm.cryptos, sdesLine{tag: f[0], suite: f[1], key: key})
			}
		case line == "a=sendonly" || line == "a=recvonly" || line == "a=inactive" || line == "a=sendrecv":
			rm.direction = strings.TrimPrefix(line, "a=")
		}
	}
	if ip == "" || port < 0 || rm.pt == 255 {
		return nil, fmt.Errorf("SDP lacks address, port or G.711: %q", body)
	}
	rm.addr = &net.UDPAddr{IP: net.ParseIP(ip), Port: port}
	return rm, nil
}
