package g711

// A-law's finest step is 16 in 16-bit units, so the four low bits never
// change the code and the table is indexed by the top 12 bits.
var (
	alawEncodeTable = func() (t [1 << 12]byte) { fillEncodeTable(t[:], alawEncode); return t }()
	alawDecodeTable = func() (t [256]int16) { fillDecodeTable(&t, alawDecode); return t }()
)

// EncodeAlaw encodes src into dst as A-law, one byte per sample. dst must
// hold at least len(src) bytes.
func EncodeAlaw(dst []byte, src []int16) {
	dst = dst[:len(src)]
	for i, s := range src {
		dst[i] = alawEncodeTable[uint16(s)>>4]
	}
}

// DecodeAlaw decodes A-law src into dst. dst must hold at least len(src)
// samples.
func DecodeAlaw(dst []int16, src []byte) {
	dst = dst[:len(src)]
	for i, b := range src {
		dst[i] = alawDecodeTable[b]
	}
}

// EncodeAlawSample encodes one linear sample as A-law.
func EncodeAlawSample(s int16) byte { return alawEncodeTable[uint16(s)>>4] }

// DecodeAlawSample decodes one A-law byte to a linear sample.
func DecodeAlawSample(b byte) int16 { return alawDecodeTable[b] }

// alawEncode is the arithmetic definition the table is built from.
func alawEncode(s int16) byte {
	positive := byte(0x80)
	v := int32(s)
	if v < 0 {
		v = ^v
		positive = 0
	}
	mag := v >> 4 // 0..2047
	code := mag
	if mag > 0x0F {
		seg := int32(1)
		for mag > 0x1F {
			mag >>= 1
			seg++
		}
		code = seg<<4 | mag&0x0F
	}
	// Even bits are inverted on the wire so that silence is not a run of
	// zeros, which E1 lines could not keep sync on.
	return (byte(code) | positive) ^ 0x55
}

func alawDecode(b byte) int16 {
	b ^= 0x55
	seg := (b & 0x70) >> 4
	mag := int32(b & 0x0F)
	if seg > 0 {
		mag += 0x10
	}
	// Reconstruct at the middle of the step to halve the worst error.
	mag = mag<<4 + 8
	if seg > 1 {
		mag <<= seg - 1
	}
	if b&0x80 != 0 {
		return int16(mag)
	}
	return int16(-mag)
}
