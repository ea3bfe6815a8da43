package recording

import (
	"errors"
	"io"
	"testing"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/internal/tone"
)

// memFile is an in-memory io.WriteSeeker.
type memFile struct {
	b   []byte
	pos int64
}

func (m *memFile) Write(p []byte) (int, error) {
	if end := m.pos + int64(len(p)); end > int64(len(m.b)) {
		m.b = append(m.b, make([]byte, end-int64(len(m.b)))...)
	}
	copy(m.b[m.pos:], p)
	m.pos += int64(len(p))
	return len(p), nil
}

func (m *memFile) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
		m.pos = off
	case io.SeekCurrent:
		m.pos += off
	case io.SeekEnd:
		m.pos = int64(len(m.b)) + off
	}
	return m.pos, nil
}

func TestWriterWritesWAV(t *testing.T) {
	for _, n := range []int{0, 1, 7, 100} {
		var out memFile
		w, err := NewWriter(&out)
		if err != nil {
			t.Fatal(err)
		}
		frames := testFrames(n)
		for i := range frames {
			w.WriteMix(&frames[i])
		}
		if err := w.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if w.Dropped() != 0 {
			t.Fatalf("%d frames dropped with an idle disk", w.Dropped())
		}
		checkWAV(t, out.b, frames)
	}
}

func TestWriterCopiesFrame(t *testing.T) {
	var out memFile
	w, err := NewWriter(&out)
	if err != nil {
		t.Fatal(err)
	}
	f := audio.Frame{Rate: audio.Wideband, PCM: [audio.MaxFrameSamples]int16{0: 1234}}
	w.WriteMix(&f)
	// The mixer reuses its frame on the next tick.
	f.PCM[0] = -1
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	checkWAV(t, out.b, []audio.Frame{{Rate: audio.Wideband, PCM: [audio.MaxFrameSamples]int16{0: 1234}}})
}

// stalledFile lets the header through, then blocks every write until
// released, as a stalled disk would.
type stalledFile struct {
	memFile
	release chan struct{}
}

func (s *stalledFile) Write(p []byte) (int, error) {
	if s.pos >= headerSize {
		<-s.release
	}
	return s.memFile.Write(p)
}

func TestWriterDropsWhenDiskStalls(t *testing.T) {
	out := &stalledFile{release: make(chan struct{})}
	const queue, total = 4, 200
	w, err := NewWriter(out, WithQueue(queue))
	if err != nil {
		t.Fatal(err)
	}
	frames := testFrames(total)
	for i := range frames {
		w.WriteMix(&frames[i])
	}
	// At most the queue, bufio's 32 frames and the one being written can
	// have been taken while the disk is stuck.
	if min := uint64(total - queue - 32 - 1); w.Dropped() < min {
		t.Fatalf("dropped %d frames against a stalled disk, want at least %d", w.Dropped(), min)
	}
	close(out.release)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := parseWAV(t, out.b)
	written := uint64(len(got.samples) / audio.WidebandFrameSamples)
	if written+w.Dropped() != total {
		t.Fatalf("%d written + %d dropped != %d frames given", written, w.Dropped(), total)
	}
	if int(got.dataSize) != len(got.samples)*2 {
		t.Fatalf("data size %d for %d samples", got.dataSize, len(got.samples))
	}
	// What was kept is in mix order, whichever frames had to go.
	next := 0
	for k := range int(written) {
		f := audio.Frame{Rate: audio.Wideband}
		copy(f.Samples(), got.samples[k*audio.WidebandFrameSamples:])
		for next < total && frames[next] != f {
			next++
		}
		if next == total {
			t.Fatalf("written frame %d is not the next given frame in order", k)
		}
		next++
	}
}

// failingFile takes the header and then refuses every write.
type failingFile struct{ memFile }

var errDiskFull = errors.New("disk full")

func (f *failingFile) Write(p []byte) (int, error) {
	if f.pos >= headerSize {
		return 0, errDiskFull
	}
	return f.memFile.Write(p)
}

func TestWriterReportsWriteError(t *testing.T) {
	out := &failingFile{}
	w, err := NewWriter(out, WithQueue(1000))
	if err != nil {
		t.Fatal(err)
	}
	frames := testFrames(100)
	for i := range frames {
		w.WriteMix(&frames[i])
	}
	if err := w.Close(); !errors.Is(err, errDiskFull) {
		t.Fatalf("Close = %v, want the disk error", err)
	}
	if w.Dropped() < 100-32 {
		t.Fatalf("dropped %d frames after the disk failed, want at least %d", w.Dropped(), 100-32)
	}
}

func TestWriterHeaderError(t *testing.T) {
	if _, err := NewWriter(&failingFile{memFile{pos: headerSize}}); !errors.Is(err, errDiskFull) {
		t.Fatalf("NewWriter = %v, want the disk error", err)
	}
}

func TestWriterCloseTwiceAndLateFrames(t *testing.T) {
	var out memFile
	w, err := NewWriter(&out)
	if err != nil {
		t.Fatal(err)
	}
	frames := testFrames(2)
	w.WriteMix(&frames[0])
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	// The mixer may tick once more before it learns the recording stopped.
	w.WriteMix(&frames[1])
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	checkWAV(t, out.b, frames[:1])
}

// nullFile is a disk that takes everything instantly.
type nullFile struct{}

func (nullFile) Write(p []byte) (int, error)    { return len(p), nil }
func (nullFile) Seek(int64, int) (int64, error) { return 0, nil }

func BenchmarkWriteMix(b *testing.B) {
	w, err := NewWriter(nullFile{}, WithQueue(1<<16))
	if err != nil {
		b.Fatal(err)
	}
	f := testFrames(1)[0]
	b.ReportAllocs()
	for b.Loop() {
		w.WriteMix(&f)
	}
	b.StopTimer()
	w.Close()
}

// A room of phones mixes narrowband; its recording is the same 16 kHz file
// as a wideband room's, the tone where it was.
func TestANarrowbandMixIsRecordedAtTheFilesRate(t *testing.T) {
	var out memFile
	w, err := NewWriter(&out)
	if err != nil {
		t.Fatal(err)
	}
	g := tone.Sine(1000, 8000, audio.NarrowbandHz)
	for range 25 {
		var f audio.Frame // narrowband
		g.Next(&f)
		w.WriteMix(&f)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := parseWAV(t, out.b)
	if got.sampleRate != audio.WidebandHz || len(got.samples) != 25*audio.WidebandFrameSamples {
		t.Fatalf("%d Hz, %d samples, want 16000 Hz and %d", got.sampleRate, len(got.samples), 25*audio.WidebandFrameSamples)
	}
	// Past the filter's start, the tone is all there is.
	if share := tone.Share(got.samples[audio.WidebandFrameSamples:], 1000, audio.WidebandHz); share < 0.95 {
		t.Errorf("the 1 kHz tone holds %.3f of the recording, want nearly all", share)
	}
}
