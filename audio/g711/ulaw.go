package g711

import "math/bits"

// µ-law resolves 14 bits, so the 16-bit sample's two low bits never change
// the code and the table is indexed by the top 14 bits.
var (
	ulawEncodeTable = func() (t [1 << 14]byte) { fillEncodeTable(t[:], ulawEncode); return t }()
	ulawDecodeTable = func() (t [256]int16) { fillDecodeTable(&t, ulawDecode); return t }()
)

// EncodeUlaw encodes src into dst as µ-law, one byte per sample. dst must
// hold at least len(src) bytes.
func EncodeUlaw(dst []byte, src []int16) {
	dst = dst[:len(src)]
	for i, s := range src {
		dst[i] = ulawEncodeTable[uint16(s)>>2]
	}
}

// DecodeUlaw decodes µ-law src into dst. dst must hold at least len(src)
// samples.
func DecodeUlaw(dst []int16, src []byte) {
	dst = dst[:len(src)]
	for i, b := range src {
		dst[i] = ulawDecodeTable[b]
	}
}

// EncodeUlawSample encodes one linear sample as µ-law.
func EncodeUlawSample(s int16) byte { return ulawEncodeTable[uint16(s)>>2] }

// DecodeUlawSample decodes one µ-law byte to a linear sample.
func DecodeUlawSample(b byte) int16 { return ulawDecodeTable[b] }

// ulawEncode is the arithmetic definition the table is built from.
func ulawEncode(s int16) byte {
	const bias = 33 // shifts segment edges onto powers of two
	positive := byte(0x80)
	v := int32(s)
	if v < 0 {
		v = ^v
		positive = 0
	}
	mag := v>>2 + bias
	if mag > 0x1FFF {
		mag = 0x1FFF
	}
	seg := bits.Len32(uint32(mag >> 6))
	mant := (mag >> (seg + 1)) & 0x0F
	// Codes are sent inverted so that silence has plenty of one bits,
	// which kept old T1 lines in sync.
	return ^byte(seg<<4|int(mant))&0x7F | positive
}

func ulawDecode(b byte) int16 {
	const bias = 0x84
	b = ^b
	seg := (b & 0x70) >> 4
	mag := (int32(b&0x0F)<<3 + bias) << seg
	if b&0x80 != 0 {
		return int16(bias - mag)
	}
	return int16(mag - bias)
}
