package g711

import "math/bits"

// fillEncodeTable fills an encode table indexed by the top bits of a sample,
// valid because each law ignores the bits below its finest step. Tables are
// arrays so that indexing by a shifted uint16 needs no bounds check.
func fillEncodeTable(t []byte, encode func(int16) byte) {
	shift := 16 - (bits.Len(uint(len(t))) - 1)
	for i := range t {
		t[i] = encode(int16(uint16(i) << shift))
	}
}

func fillDecodeTable(t *[256]int16, decode func(byte) int16) {
	for i := range t {
		t[i] = decode(byte(i))
	}
}
