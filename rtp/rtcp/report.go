package rtcp

import (
	"errors"
	"fmt"
	"time"

	pion "github.com/pion/rtcp"
)

var (
	// ErrMalformed is returned by Parse for a datagram that is not a valid
	// compound RTCP packet; the caller counts it and drops it.
	ErrMalformed = errors.New("rtcp: malformed packet")
	// ErrTooLarge is returned by Parse for a datagram longer than
	// MaxPacketBytes, which no report of a phone leg needs.
	ErrTooLarge = errors.New("rtcp: packet too large")
)

// MaxPacketBytes bounds what Parse reads, and so its cost: a phone's
// compound report with a block, a CNAME and perhaps a BYE is well under
// 200 bytes, and nothing on a leg legitimately exceeds one Ethernet frame.
const MaxPacketBytes = 1500

// maxPackets bounds how many packets of a compound datagram are looked at.
const maxPackets = 16

// Block is a reception report block (RFC 3550 section 6.4.1): what one
// side measured of the stream it receives from the other.
type Block struct {
	// SSRC is the source the block reports on.
	SSRC uint32
	// FractionLost is the loss since the previous report, 256 being all.
	FractionLost uint8
	// Lost is the cumulative number of packets lost, clamped to the
	// 24-bit signed field.
	Lost int64
	// ExtendedMax is the highest sequence number received, extended.
	ExtendedMax uint32
	// Jitter is the interarrival jitter in RTP timestamp units.
	Jitter uint32
	// LSR is the middle 32 bits of the NTP time of the last SR received
	// from SSRC, 0 if none; DLSR the delay since, in 1/65536 s.
	LSR, DLSR uint32
}

// LossPct is FractionLost in percent.
func (b *Block) LossPct() float64 { return float64(b.FractionLost) * 100 / 256 }

// Report is what a leg sends every interval: a sender report when it has
// sent RTP since the last one, a receiver report otherwise, each with a
// block on the phone's stream once it was heard, and the SDES CNAME that
// RFC 3550 requires in every compound packet.
type Report struct {
	SSRC  uint32
	CNAME string
	// Sender says whether to send an SR, with the fields below.
	Sender  bool
	NTP     time.Time
	RTPTime uint32
	Packets uint32
	Octets  uint32
	// Block is nil until the phone's stream was heard.
	Block *Block
}

// Marshal encodes r as a compound RTCP packet.
func (r *Report) Marshal() ([]byte, error) {
	var blocks []pion.ReceptionReport
	if b := r.Block; b != nil {
		blocks = []pion.ReceptionReport{{
			SSRC:               b.SSRC,
			FractionLost:       b.FractionLost,
			TotalLost:          clampLost(b.Lost),
			LastSequenceNumber: b.ExtendedMax,
			Jitter:             b.Jitter,
			LastSenderReport:   b.LSR,
			Delay:              b.DLSR,
		}}
	}
	var first pion.Packet
	if r.Sender {
		first = &pion.SenderReport{
			SSRC: r.SSRC, NTPTime: NTP(r.NTP), RTPTime: r.RTPTime,
			PacketCount: r.Packets, OctetCount: r.Octets, Reports: blocks,
		}
	} else {
		first = &pion.ReceiverReport{SSRC: r.SSRC, Reports: blocks}
	}
	b, err := pion.Marshal([]pion.Packet{first, pion.NewCNAMESourceDescription(r.SSRC, r.CNAME)})
	if err != nil {
		return nil, fmt.Errorf("rtcp: marshal: %w", err)
	}
	return b, nil
}

// clampLost fits a cumulative loss into the 24-bit two's complement field.
func clampLost(n int64) uint32 {
	n = min(max(n, -(1<<23)), 1<<23-1)
	return uint32(n) & 0xffffff
}

// lostFrom reads the 24-bit signed cumulative loss.
func lostFrom(v uint32) int64 {
	v &= 0xffffff
	if v&0x800000 != 0 {
		return int64(v) - 1<<24
	}
	return int64(v)
}

// Peer is what a phone's compound report told us.
type Peer struct {
	// SSRC is the reporting source.
	SSRC uint32
	// SR says the phone sent a sender report; LSR is then the middle 32
	// bits of its NTP time, to echo in our next block.
	SR  bool
	LSR uint32
	// Packets and Octets are an SR's counts of what the phone sent.
	Packets, Octets uint32
	// Block is the phone's report on our stream, when it sent one.
	Block *Block
	// RTT is the round-trip time worked out from Block's LSR and DLSR
	// (RFC 3550 section 6.4.1), valid when HasRTT.
	RTT    time.Duration
	HasRTT bool
	// Bye says the phone is leaving.
	Bye bool
}

// maxRTT bounds a round trip believed: anything longer is a clock or a
// report gone wrong, not a phone call.
const maxRTT = 10 * time.Second

// Parse reads a phone's compound RTCP datagram that arrived at at, keeping
// what concerns ours, the SSRC we send with. It trusts nothing: a
// datagram that does not parse, or is not a report, is an error to count,
// and the cost is bounded by MaxPacketBytes.
func Parse(b []byte, ours uint32, at time.Time) (Peer, error) {
	var p Peer
	if len(b) > MaxPacketBytes {
		return p, ErrTooLarge
	}
	pkts, err := pion.Unmarshal(b)
	if err != nil {
		return p, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if len(pkts) == 0 {
		return p, ErrMalformed
	}
	// RFC 3550 section 6.1: a compound packet starts with a report.
	switch pkts[0].(type) {
	case *pion.SenderReport, *pion.ReceiverReport:
	default:
		return p, fmt.Errorf("%w: does not start with SR or RR", ErrMalformed)
	}
	for _, pk := range pkts[:min(len(pkts), maxPackets)] {
		switch v := pk.(type) {
		case *pion.SenderReport:
			p.SSRC, p.SR = v.SSRC, true
			p.LSR = uint32(v.NTPTime >> 16)
			p.Packets, p.Octets = v.PacketCount, v.OctetCount
			p.takeBlock(v.Reports, ours)
		case *pion.ReceiverReport:
			p.SSRC = v.SSRC
			p.takeBlock(v.Reports, ours)
		case *pion.Goodbye:
			p.Bye = true
		}
	}
	if blk := p.Block; blk != nil && blk.LSR != 0 {
		// All in 1/65536 s, modulo 2^32, as the RFC has it.
		rtt := int64(int32(uint32(NTP(at)>>16) - blk.LSR - blk.DLSR))
		if d := time.Duration(rtt * int64(time.Second) >> 16); rtt >= 0 && d <= maxRTT {
			p.RTT, p.HasRTT = d, true
		}
	}
	return p, nil
}

func (p *Peer) takeBlock(rr []pion.ReceptionReport, ours uint32) {
	for _, r := range rr {
		if r.SSRC != ours {
			continue
		}
		p.Block = &Block{
			SSRC: r.SSRC, FractionLost: r.FractionLost, Lost: lostFrom(r.TotalLost),
			ExtendedMax: r.LastSequenceNumber, Jitter: r.Jitter,
			LSR: r.LastSenderReport, DLSR: r.Delay,
		}
		return
	}
}

// ntpEpochOffset is the seconds from 1900, NTP's epoch, to 1970.
const ntpEpochOffset = 2208988800

// NTP is t as a 64-bit NTP timestamp: seconds since 1900 and a binary
// fraction.
func NTP(t time.Time) uint64 {
	ns := t.UnixNano()
	secs := uint64(ns/1e9) + ntpEpochOffset
	frac := (uint64(ns%1e9) << 32) / 1e9
	return secs<<32 | frac
}

// MiddleNTP is the middle 32 bits of t's NTP timestamp, the unit of LSR.
func MiddleNTP(t time.Time) uint32 { return uint32(NTP(t) >> 16) }

// Delay is d in the 1/65536 s of DLSR.
func Delay(d time.Duration) uint32 {
	return uint32(max(d, 0) * 65536 / time.Second)
}

// IsRTCP reports whether a datagram on a multiplexed port is RTCP rather
// than RTP (RFC 5761 section 4): the second byte of RTCP is a packet type
// of 192 to 223, where RTP would have a marker bit and a payload type of
// 64 to 95, which RFC 5761 keeps out of use for that reason.
func IsRTCP(b []byte) bool {
	return len(b) >= 8 && b[0]>>6 == 2 && b[1] >= 192 && b[1] <= 223
}
