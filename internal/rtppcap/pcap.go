package rtppcap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"time"
)

const (
	pcapMagic      = 0xa1b2c3d4 // microsecond timestamps
	linkEthernet   = 1
	snapLen        = 65535
	fileHeaderLen  = 24
	recordHeadLen  = 16
	ethernetLen    = 14
	ipv4HeaderLen  = 20
	udpHeaderLen   = 8
	etherTypeIPv4  = 0x0800
	protocolUDP    = 17
	defaultIPv4TTL = 64
)

// Locally administered MACs: the capture never claims a real vendor's card.
var (
	srcMAC = [6]byte{0x02, 0, 0, 0, 0, 0x01}
	dstMAC = [6]byte{0x02, 0, 0, 0, 0, 0x02}
)

// ErrNotIPv4 is returned for addresses a classic IPv4 capture cannot hold.
var ErrNotIPv4 = errors.New("rtppcap: address is not IPv4")

// Writer writes a classic libpcap file of UDP datagrams framed as
// Ethernet/IPv4/UDP, which is what sipp's play_pcap_audio reads.
type Writer struct {
	w    io.Writer
	ipID uint16
	buf  []byte
}

// NewWriter writes the file header to w.
func NewWriter(w io.Writer) (*Writer, error) {
	var h [fileHeaderLen]byte
	binary.LittleEndian.PutUint32(h[0:], pcapMagic)
	binary.LittleEndian.PutUint16(h[4:], 2) // format version 2.4
	binary.LittleEndian.PutUint16(h[6:], 4)
	binary.LittleEndian.PutUint32(h[16:], snapLen)
	binary.LittleEndian.PutUint32(h[20:], linkEthernet)
	if _, err := w.Write(h[:]); err != nil {
		return nil, fmt.Errorf("rtppcap: writing file header: %w", err)
	}
	return &Writer{w: w}, nil
}

// WriteUDP writes one datagram captured at at. sipp refuses truncated
// packets, so every record holds the whole frame.
func (w *Writer) WriteUDP(at time.Time, src, dst netip.AddrPort, payload []byte) error {
	if !src.Addr().Is4() || !dst.Addr().Is4() {
		return ErrNotIPv4
	}
	udpLen := udpHeaderLen + len(payload)
	frameLen := ethernetLen + ipv4HeaderLen + udpLen
	if frameLen > snapLen {
		return fmt.Errorf("rtppcap: %d-byte payload does not fit a capture record", len(payload))
	}
	need := recordHeadLen + frameLen
	if cap(w.buf) < need {
		w.buf = make([]byte, need)
	}
	b := w.buf[:need]
	clear(b)

	usec := at.UnixMicro()
	binary.LittleEndian.PutUint32(b[0:], uint32(usec/1e6))
	binary.LittleEndian.PutUint32(b[4:], uint32(usec%1e6))
	binary.LittleEndian.PutUint32(b[8:], uint32(frameLen))
	binary.LittleEndian.PutUint32(b[12:], uint32(frameLen))

	eth := b[recordHeadLen:]
	copy(eth[0:6], dstMAC[:])
	copy(eth[6:12], srcMAC[:])
	binary.BigEndian.PutUint16(eth[12:], etherTypeIPv4)

	ip := eth[ethernetLen:]
	ip[0] = 0x45 // version 4, five-word header
	binary.BigEndian.PutUint16(ip[2:], uint16(ipv4HeaderLen+udpLen))
	binary.BigEndian.PutUint16(ip[4:], w.ipID)
	w.ipID++
	binary.BigEndian.PutUint16(ip[6:], 0x4000) // don't fragment
	ip[8] = defaultIPv4TTL
	ip[9] = protocolUDP
	s4, d4 := src.Addr().As4(), dst.Addr().As4()
	copy(ip[12:16], s4[:])
	copy(ip[16:20], d4[:])
	binary.BigEndian.PutUint16(ip[10:], ^onesSum(0, ip[:ipv4HeaderLen]))

	udp := ip[ipv4HeaderLen:]
	binary.BigEndian.PutUint16(udp[0:], src.Port())
	binary.BigEndian.PutUint16(udp[2:], dst.Port())
	binary.BigEndian.PutUint16(udp[4:], uint16(udpLen))
	copy(udp[udpHeaderLen:], payload)
	binary.BigEndian.PutUint16(udp[6:], udpChecksum(s4, d4, udp))

	if _, err := w.w.Write(b); err != nil {
		return fmt.Errorf("rtppcap: writing packet: %w", err)
	}
	return nil
}

// udpChecksum covers the IPv4 pseudo-header and the datagram, whose checksum
// field must still be zero. Wireshark flags a wrong one, which would hide
// real faults when a capture is being debugged.
func udpChecksum(src, dst [4]byte, datagram []byte) uint16 {
	var pseudo [12]byte
	copy(pseudo[0:], src[:])
	copy(pseudo[4:], dst[:])
	pseudo[9] = protocolUDP
	binary.BigEndian.PutUint16(pseudo[10:], uint16(len(datagram)))
	sum := ^onesSum(onesSum(0, pseudo[:]), datagram)
	if sum == 0 {
		return 0xffff // zero means "no checksum" in UDP over IPv4
	}
	return sum
}

// onesSum adds b to sum in ones' complement, the Internet checksum's
// arithmetic; an odd trailing byte counts as the high byte of a word.
func onesSum(sum uint16, b []byte) uint16 {
	acc := uint32(sum)
	for len(b) >= 2 {
		acc += uint32(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		acc += uint32(b[0]) << 8
	}
	for acc > 0xffff {
		acc = acc&0xffff + acc>>16
	}
	return uint16(acc)
}
