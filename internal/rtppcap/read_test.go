package rtppcap

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"
)

// record is one datagram read back from a capture, checked the way sipp and
// Wireshark would read it.
type record struct {
	at       time.Time
	src, dst netip.AddrPort
	payload  []byte
}

// readCapture parses a classic pcap of Ethernet/IPv4/UDP, failing the test on
// anything sipp would refuse or Wireshark would flag.
func readCapture(t *testing.T, b []byte) []record {
	t.Helper()
	if len(b) < fileHeaderLen {
		t.Fatalf("capture of %d bytes has no file header", len(b))
	}
	le := binary.LittleEndian
	if m := le.Uint32(b); m != pcapMagic {
		t.Fatalf("magic %#x, want %#x", m, pcapMagic)
	}
	if maj, mnr := le.Uint16(b[4:]), le.Uint16(b[6:]); maj != 2 || mnr != 4 {
		t.Fatalf("version %d.%d, want 2.4", maj, mnr)
	}
	if lt := le.Uint32(b[20:]); lt != linkEthernet {
		t.Fatalf("link type %d, want Ethernet", lt)
	}
	var out []record
	for rest := b[fileHeaderLen:]; len(rest) > 0; {
		if len(rest) < recordHeadLen {
			t.Fatalf("record %d: %d bytes left, no room for a header", len(out), len(rest))
		}
		incl, orig := le.Uint32(rest[8:]), le.Uint32(rest[12:])
		if incl != orig {
			t.Fatalf("record %d truncated: %d of %d bytes", len(out), incl, orig)
		}
		if usec := le.Uint32(rest[4:]); usec >= 1e6 {
			t.Fatalf("record %d: %d microseconds", len(out), usec)
		}
		at := time.Unix(int64(le.Uint32(rest)), int64(le.Uint32(rest[4:]))*1000).UTC()
		frame := rest[recordHeadLen:]
		if int(incl) > len(frame) {
			t.Fatalf("record %d: %d bytes announced, %d left", len(out), incl, len(frame))
		}
		frame, rest = frame[:incl], frame[incl:]
		r := parseFrame(t, len(out), frame)
		r.at = at
		out = append(out, r)
	}
	return out
}

func parseFrame(t *testing.T, n int, frame []byte) record {
	t.Helper()
	be := binary.BigEndian
	if len(frame) < ethernetLen+ipv4HeaderLen+udpHeaderLen {
		t.Fatalf("record %d: %d-byte frame too short", n, len(frame))
	}
	if et := be.Uint16(frame[12:]); et != etherTypeIPv4 {
		t.Fatalf("record %d: ether type %#x", n, et)
	}
	ip := frame[ethernetLen:]
	if ip[0] != 0x45 || ip[9] != protocolUDP {
		t.Fatalf("record %d: IP version/length %#x, protocol %d", n, ip[0], ip[9])
	}
	if got := int(be.Uint16(ip[2:])); got != len(ip) {
		t.Fatalf("record %d: IP total length %d, frame carries %d", n, got, len(ip))
	}
	if s := onesSum(0, ip[:ipv4HeaderLen]); s != 0xffff {
		t.Fatalf("record %d: bad IPv4 header checksum (sum %#x)", n, s)
	}
	udp := ip[ipv4HeaderLen:]
	if got := int(be.Uint16(udp[4:])); got != len(udp) {
		t.Fatalf("record %d: UDP length %d, frame carries %d", n, got, len(udp))
	}
	var pseudo [12]byte
	copy(pseudo[:8], ip[12:20])
	pseudo[9] = protocolUDP
	be.PutUint16(pseudo[10:], uint16(len(udp)))
	if s := onesSum(onesSum(0, pseudo[:]), udp); s != 0xffff {
		t.Fatalf("record %d: bad UDP checksum (sum %#x)", n, s)
	}
	src := netip.AddrPortFrom(netip.AddrFrom4([4]byte(ip[12:16])), be.Uint16(udp[0:]))
	dst := netip.AddrPortFrom(netip.AddrFrom4([4]byte(ip[16:20])), be.Uint16(udp[2:]))
	return record{src: src, dst: dst, payload: udp[udpHeaderLen:]}
}
