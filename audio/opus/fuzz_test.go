package opus

import (
	"errors"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

var seeds = flag.Bool("seeds", false, "rewrite testdata/fuzz/FuzzDecode from libopus's packets, ours and hand-made garbage")

// A payload is whatever arrived in an RTP packet, so Decode must survive
// anything, at every rate a room may run at, and keep its word: a count
// within the frame, the frame full when it says the packet was too long,
// nothing at all on any other error. Concealing after it and decoding it
// again exercise the state the payload left behind.
func FuzzDecode(f *testing.F) {
	f.Fuzz(func(t *testing.T, payload []byte) {
		for _, rate := range []int{8000, 16000, 48000} {
			d, err := NewDecoder(rate)
			if err != nil {
				t.Fatal(err)
			}
			pcm := make([]int16, rate/50)
			for range 2 {
				n, err := d.Decode(payload, pcm)
				switch {
				case err == nil && (n <= 0 || n > len(pcm)):
					t.Fatalf("%d Hz: Decode = %d with no error, frame is %d", rate, n, len(pcm))
				case errors.Is(err, ErrPacketTooLong) && n != len(pcm):
					t.Fatalf("%d Hz: Decode = %d, %v; a too-long packet fills the frame", rate, n, err)
				case err != nil && !errors.Is(err, ErrPacketTooLong) && n != 0:
					t.Fatalf("%d Hz: Decode = %d, %v; a failed decode writes nothing", rate, n, err)
				}
				d.Conceal(pcm)
			}
		}
	})
}

// seed is one file of the FuzzDecode corpus: libopus's packets in every
// mode, frame length and channel count a peer may send, ours, and
// garbage shaped to reach each of the packet parser's length checks.
type seed struct {
	name string
	// Either a libopus encoding of speechLike at rate, with channels and
	// ffmpeg options, or ours at rate and bitrate, or fixed bytes.
	rate, channels, bitrate int
	opts                    []string
	bytes                   []byte
}

var corpus = []seed{
	{name: "libopus-silk-nb-20ms", rate: 8000, channels: 1, opts: []string{"-b:a", "16k", "-application", "voip"}},
	{name: "libopus-silk-wb-20ms", rate: 16000, channels: 1, opts: []string{"-b:a", "32k", "-application", "voip"}},
	{name: "libopus-silk-wb-fec", rate: 16000, channels: 1, opts: []string{"-b:a", "32k", "-application", "voip", "-fec", "1", "-packet_loss", "20"}},
	{name: "libopus-silk-wb-40ms", rate: 16000, channels: 1, opts: []string{"-b:a", "24k", "-application", "voip", "-frame_duration", "40"}},
	{name: "libopus-silk-wb-60ms", rate: 16000, channels: 1, opts: []string{"-b:a", "24k", "-application", "voip", "-frame_duration", "60"}},
	{name: "libopus-hybrid-fb-20ms", rate: 48000, channels: 1, opts: []string{"-b:a", "32k", "-application", "voip"}},
	{name: "libopus-celt-fb-20ms", rate: 48000, channels: 1, opts: []string{"-b:a", "64k", "-application", "audio"}},
	{name: "libopus-celt-fb-2.5ms", rate: 48000, channels: 1, opts: []string{"-b:a", "64k", "-application", "lowdelay", "-frame_duration", "2.5"}},
	{name: "libopus-celt-fb-10ms", rate: 48000, channels: 1, opts: []string{"-b:a", "64k", "-application", "lowdelay", "-frame_duration", "10"}},
	{name: "libopus-celt-stereo-20ms", rate: 48000, channels: 2, opts: []string{"-b:a", "96k", "-application", "audio"}},
	{name: "libopus-hybrid-stereo-20ms", rate: 48000, channels: 2, opts: []string{"-b:a", "40k", "-application", "voip"}},
	{name: "ours-16k-silk", rate: 16000, bitrate: 24000},
	{name: "ours-16k-default", rate: 16000, bitrate: DefaultBitrate},
	{name: "ours-8k-default", rate: 8000, bitrate: DefaultBitrate},
	{name: "toc-only", bytes: []byte{0x48}},
	{name: "code1-odd-length", bytes: []byte{0x49, 0x01, 0x02}},
	{name: "code2-length-past-end", bytes: []byte{0x4a, 0xfc, 0xff, 0x01}},
	{name: "code3-48-frames-of-nothing", bytes: []byte{0x4b, 0x30}},
	{name: "code3-too-many-frames", bytes: []byte{0x4b, 0x3f}},
	{name: "code3-padding-past-end", bytes: []byte{0x4b, 0x41, 0xff, 0xff, 0xff, 0x10}},
	{name: "code3-vbr-lengths-past-end", bytes: []byte{0xfb, 0x83, 0xfc, 0xff, 0xfc, 0xff}},
	{name: "all-ones-1500", bytes: filled(1500, 0xff)},
	{name: "zeros-1501", bytes: filled(1501, 0)},
	{name: "random-200", bytes: random(200)},
}

func filled(n int, b byte) []byte {
	s := make([]byte, n)
	for i := range s {
		s[i] = b
	}
	return s
}

func random(n int) []byte {
	r := rand.New(rand.NewPCG(5, 6))
	s := make([]byte, n)
	for i := range s {
		s[i] = byte(r.UintN(256))
	}
	return s
}

// payload makes s's packet: the 10th, past the encoder's start-up.
func (s seed) payload(t *testing.T) []byte {
	switch {
	case s.bytes != nil:
		return s.bytes
	case s.opts != nil:
		mono := speechLike(s.rate)
		pcm := make([]int16, 0, s.channels*len(mono))
		for i, v := range mono {
			pcm = append(pcm, v)
			if s.channels == 2 {
				// A different right channel, so that stereo is coded as such.
				pcm = append(pcm, mono[len(mono)-1-i])
			}
		}
		_, packets := libopusEncode(t, pcm, s.rate, s.channels, s.opts...)
		return packets[min(10, len(packets)-1)]
	default:
		_, packets := codecRoundTrip(t, speechLike(s.rate), s.rate, s.bitrate)
		return packets[10]
	}
}

// The corpus is generated, once, from the reference encoder and ours, and
// checked in so that a plain go test runs every seed without the tools;
// this checks no seed has gone missing, and with -seeds rewrites them.
func TestTheFuzzCorpusHoldsEveryKindOfPacket(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	for _, s := range corpus {
		path := filepath.Join(dir, s.name)
		if !*seeds {
			if _, err := os.Stat(path); err != nil {
				t.Errorf("seed %s is missing; run go test ./audio/opus -run TestTheFuzzCorpusHoldsEveryKindOfPacket -args -seeds", s.name)
			}
			continue
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		body := "go test fuzz v1\n[]byte(" + strconv.QuoteToASCII(string(s.payload(t))) + ")\n"
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
