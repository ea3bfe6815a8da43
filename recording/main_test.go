package recording

import (
	"encoding/binary"
	"testing"

	"go.uber.org/goleak"

	"github.com/confgw/confgw/audio"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// wavFile is what the tests read back from a file: the header fields a
// player relies on and the samples.
type wavFile struct {
	riffSize, fmtSize, sampleRate, byteRate, dataSize uint32
	format, channels, blockAlign, bits                uint16
	samples                                           []int16
}

// parseWAV reads a canonical 44-byte-header WAV, failing the test on any
// deviation from the layout.
func parseWAV(t *testing.T, b []byte) wavFile {
	t.Helper()
	if len(b) < 44 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" || string(b[12:16]) != "fmt " || string(b[36:40]) != "data" {
		t.Fatalf("not a canonical WAV header: % x", b[:min(len(b), 44)])
	}
	le := binary.LittleEndian
	w := wavFile{
		riffSize:   le.Uint32(b[4:]),
		fmtSize:    le.Uint32(b[16:]),
		format:     le.Uint16(b[20:]),
		channels:   le.Uint16(b[22:]),
		sampleRate: le.Uint32(b[24:]),
		byteRate:   le.Uint32(b[28:]),
		blockAlign: le.Uint16(b[32:]),
		bits:       le.Uint16(b[34:]),
		dataSize:   le.Uint32(b[40:]),
	}
	data := b[44:]
	if len(data)%2 != 0 {
		t.Fatalf("odd data length %d", len(data))
	}
	for i := 0; i < len(data); i += 2 {
		w.samples = append(w.samples, int16(le.Uint16(data[i:])))
	}
	return w
}

// checkWAV checks b holds exactly frames, correctly described.
func checkWAV(t *testing.T, b []byte, frames []audio.Frame) {
	t.Helper()
	w := parseWAV(t, b)
	data := uint32(len(frames) * audio.WidebandFrameSamples * 2)
	if w.format != 1 || w.channels != 1 || w.sampleRate != 16000 || w.bits != 16 || w.blockAlign != 2 || w.byteRate != 32000 || w.fmtSize != 16 {
		t.Errorf("format fields %+v, want PCM mono 16 kHz 16-bit", w)
	}
	if w.dataSize != data || w.riffSize != 36+data {
		t.Errorf("sizes riff %d data %d, want %d %d", w.riffSize, w.dataSize, 36+data, data)
	}
	if len(w.samples) != len(frames)*audio.WidebandFrameSamples {
		t.Fatalf("%d samples in file, want %d", len(w.samples), len(frames)*audio.WidebandFrameSamples)
	}
	for i, f := range frames {
		for j, s := range f.Samples() {
			if got := w.samples[i*audio.WidebandFrameSamples+j]; got != s {
				t.Fatalf("frame %d sample %d = %d, want %d", i, j, got, s)
			}
		}
	}
}

// testFrames makes n distinct frames that use the full sample range.
func testFrames(n int) []audio.Frame {
	out := make([]audio.Frame, n)
	for i := range out {
		out[i].Rate = audio.Wideband
		for j := range out[i].Samples() {
			out[i].PCM[j] = int16(i*997 + j*331 - 32768)
		}
	}
	if n > 0 {
		out[0].PCM[0], out[0].PCM[1] = -32768, 32767
	}
	return out
}
