package rtpwriter_test

import (
	"fmt"

	"github.com/confgw/confgw/rtp/rtpwriter"
)

// A sender of 20 ms G.711 frames stamps each with the clock, then moves the
// clock on by a frame's 160 samples.
func ExampleWriter() {
	w := rtpwriter.New(0x5eed, 1, 0)
	var buf [rtpwriter.HeaderSize + 160]byte
	frame := make([]byte, 160)
	for range 2 {
		n, err := w.Marshal(buf[:], 0, false, w.Timestamp(), frame)
		if err != nil {
			panic(err)
		}
		w.Advance(160)
		fmt.Printf("% x (%d bytes)\n", buf[:rtpwriter.HeaderSize], n)
	}
	// Output:
	// 80 00 00 01 00 00 00 00 00 00 5e ed (172 bytes)
	// 80 00 00 02 00 00 00 a0 00 00 5e ed (172 bytes)
}
