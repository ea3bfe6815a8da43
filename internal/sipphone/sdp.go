package sipphone

import (
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
}

// offerSDP is a desk phone's offer: the given codecs (by static payload
// type) plus telephone-event 101, in the given direction.
func offerSDP(ip string, port int, codecs []string, direction string) []byte {
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
		"m=audio " + strconv.Itoa(port) + " RTP/AVP " + strings.Join(pts, " "),
	}
	lines = append(lines, maps...)
	lines = append(lines, "a=ptime:20", "a="+direction)
	return []byte(strings.Join(lines, "\r\n") + "\r\n")
}

// answerSDP answers with the first of PCMU/PCMA the offer lists.
func answerSDP(ip string, port int, offer *remoteMedia) []byte {
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
		"m=audio " + strconv.Itoa(port) + " RTP/AVP " + pt + " 101",
		"a=rtpmap:" + pt + " " + name + "/8000",
		"a=rtpmap:101 telephone-event/8000",
		"a=fmtp:101 0-15",
		"a=sendrecv",
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
			for _, p := range f[3:] {
				if (p == "0" || p == "8") && rm.pt == 255 {
					n, _ := strconv.Atoi(p)
					rm.pt = uint8(n)
				}
			}
		case strings.HasPrefix(line, "a=rtpmap:") && strings.Contains(line, "telephone-event"):
			n, _ := strconv.Atoi(strings.Fields(strings.TrimPrefix(line, "a=rtpmap:"))[0])
			rm.eventPT = uint8(n)
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
