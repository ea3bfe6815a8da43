package opus

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// The reference tools speak Ogg Opus (RFC 7845), not RTP, so the tests
// carry packets to and from them in the smallest Ogg that suffices: one
// logical stream, and on writing, one packet per page.

// oggCRC is the Ogg page checksum: CRC-32 with polynomial 0x04c11db7, fed
// most significant bit first, no reflection and no final inversion, which
// is not the hash/crc32 flavour.
func oggCRC(data []byte) uint32 {
	var crc uint32
	for _, b := range data {
		crc ^= uint32(b) << 24
		for range 8 {
			if crc&0x80000000 != 0 {
				crc = crc<<1 ^ 0x04c11db7
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// Page header flags.
const (
	oggBOS = 2
	oggEOS = 4
)

func appendOggPage(dst []byte, flags byte, granule uint64, seq uint32, packet []byte) []byte {
	start := len(dst)
	dst = append(dst, "OggS"...)
	dst = append(dst, 0, flags)
	dst = binary.LittleEndian.AppendUint64(dst, granule)
	dst = binary.LittleEndian.AppendUint32(dst, 0x6f707573) // serial
	dst = binary.LittleEndian.AppendUint32(dst, seq)
	dst = binary.LittleEndian.AppendUint32(dst, 0) // CRC, filled in below
	// Lacing: 255 per full segment, then the remainder, which may be 0 and
	// is what marks the packet's end.
	segs := len(packet)/255 + 1
	dst = append(dst, byte(segs))
	for range segs - 1 {
		dst = append(dst, 255)
	}
	dst = append(dst, byte(len(packet)%255))
	dst = append(dst, packet...)
	binary.LittleEndian.PutUint32(dst[start+22:], oggCRC(dst[start:]))
	return dst
}

// writeOggOpus wraps 20 ms mono packets in an Ogg Opus stream. preSkip is
// the encoder's lookahead at 48 kHz, which a player drops from the start,
// so the stream plays 960 samples a packet less preSkip; inputRate is
// informative only.
func writeOggOpus(packets [][]byte, preSkip, inputRate int) []byte {
	head := []byte("OpusHead")
	head = append(head, 1, 1) // version, channel count
	head = binary.LittleEndian.AppendUint16(head, uint16(preSkip))
	head = binary.LittleEndian.AppendUint32(head, uint32(inputRate))
	head = append(head, 0, 0, 0) // output gain, mapping family 0
	tags := []byte("OpusTags")
	vendor := "confgw test"
	tags = binary.LittleEndian.AppendUint32(tags, uint32(len(vendor)))
	tags = append(tags, vendor...)
	tags = binary.LittleEndian.AppendUint32(tags, 0)

	out := appendOggPage(nil, oggBOS, 0, 0, head)
	out = appendOggPage(out, 0, 0, 1, tags)
	// A page's granule position counts every sample decoded by its end,
	// pre-skip included (RFC 7845, section 4).
	var granule uint64
	for i, p := range packets {
		granule += 960
		var flags byte
		if i == len(packets)-1 {
			flags = oggEOS
		}
		out = appendOggPage(out, flags, granule, uint32(i+2), p)
	}
	return out
}

// readOggPackets returns the packets of the first logical stream in data,
// OpusHead and OpusTags included, checking every page's CRC.
func readOggPackets(data []byte) ([][]byte, error) {
	var packets [][]byte
	var partial []byte
	var serial uint32
	for page := 0; len(data) > 0; page++ {
		if len(data) < 27 || !bytes.Equal(data[:4], []byte("OggS")) {
			return nil, fmt.Errorf("page %d: no capture pattern", page)
		}
		nsegs := int(data[26])
		if len(data) < 27+nsegs {
			return nil, fmt.Errorf("page %d: truncated segment table", page)
		}
		size := 27 + nsegs
		for _, l := range data[27 : 27+nsegs] {
			size += int(l)
		}
		if len(data) < size {
			return nil, fmt.Errorf("page %d: truncated body", page)
		}
		pg := bytes.Clone(data[:size])
		want := binary.LittleEndian.Uint32(pg[22:])
		binary.LittleEndian.PutUint32(pg[22:], 0)
		if got := oggCRC(pg); got != want {
			return nil, fmt.Errorf("page %d: CRC %08x, header says %08x", page, got, want)
		}
		s := binary.LittleEndian.Uint32(data[14:])
		if page == 0 {
			serial = s
		}
		if s == serial {
			body := data[27+nsegs : size]
			for _, l := range data[27 : 27+nsegs] {
				partial = append(partial, body[:l]...)
				body = body[l:]
				if l < 255 {
					packets = append(packets, partial)
					partial = nil
				}
			}
		}
		data = data[size:]
	}
	if len(packets) < 2 || !bytes.HasPrefix(packets[0], []byte("OpusHead")) {
		return nil, errors.New("not an Ogg Opus stream")
	}
	return packets, nil
}
