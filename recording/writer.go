// Package recording writes a room's mix to WAV files and keeps them per
// conference.
package recording

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sync"
	"sync/atomic"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/resample"
)

// defaultQueue is how many frames wait for the disk: five seconds of stall
// before the mix starts losing frames.
const defaultQueue = 250

// checkpointBytes is how much audio is written between two updates of the
// header's sizes, each followed by an fsync: a crash loses at most this
// much. Two seconds is a sentence a listener can do without, while the
// update (two 4-byte writes and a flush of a few pages) every 100 frames is
// noise next to the mix. It is counted in audio, not wall time, so that the
// bound holds however far a slow disk lets the writer lag.
const checkpointBytes = 2 * sampleRate * blockAlign

// WriterOption configures a Writer.
type WriterOption func(*Writer)

// WithQueue sets how many frames may wait for the disk before WriteMix drops
// them.
func WithQueue(frames int) WriterOption {
	return func(w *Writer) {
		if frames > 0 {
			w.frames = make(chan audio.Frame, frames)
		}
	}
}

// Writer writes a mix as a WAV stream. WriteMix runs on the mixer's tick, so
// it only queues; a goroutine of the Writer's own does the disk work.
type Writer struct {
	out     io.WriteSeeker
	frames  chan audio.Frame
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
	closed  atomic.Bool
	dropped atomic.Uint64
	data    atomic.Int64 // PCM bytes written
	err     atomic.Pointer[error]
	// failed is closed when the first write error stops the recording.
	failed chan struct{}
}

// NewWriter writes a header to out and starts the goroutine that writes what
// WriteMix queues. out must be at the position where the file starts.
func NewWriter(out io.WriteSeeker, opts ...WriterOption) (*Writer, error) {
	w := &Writer{
		out:    out,
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
		failed: make(chan struct{}),
	}
	for _, o := range opts {
		o(w)
	}
	if w.frames == nil {
		w.frames = make(chan audio.Frame, defaultQueue)
	}
	// Sizes stay zero until the first checkpoint; the store repairs a file
	// a crash left with sizes behind its length.
	h := header(0)
	if _, err := out.Write(h[:]); err != nil {
		return nil, fmt.Errorf("recording: write header: %w", pathless(err))
	}
	go w.run()
	return w, nil
}

// WriteMix queues a copy of f. It never blocks: if the disk has fallen behind
// by a full queue, the frame is dropped and counted.
func (w *Writer) WriteMix(f *audio.Frame) {
	if w.closed.Load() {
		return
	}
	select {
	case w.frames <- *f:
	default:
		w.dropped.Add(1)
	}
}

// Dropped is how many frames were lost to a slow or failed disk.
func (w *Writer) Dropped() uint64 { return w.dropped.Load() }

// DataBytes is how many bytes of PCM are written so far.
func (w *Writer) DataBytes() int64 { return w.data.Load() }

// Failed is closed when a write, header update or sync fails: the
// recording has stopped growing and Err says why. Frames given after that
// are dropped.
func (w *Writer) Failed() <-chan struct{} { return w.failed }

// Err is the error that stopped the recording, or nil while it is fine.
func (w *Writer) Err() error {
	if p := w.err.Load(); p != nil {
		return *p
	}
	return nil
}

// Close writes what is queued, fixes up the header sizes, syncs and stops
// the goroutine. It does not close the underlying file. It returns the
// first error, if any.
func (w *Writer) Close() error {
	w.once.Do(func() {
		w.closed.Store(true)
		close(w.stop)
	})
	<-w.done
	return w.Err()
}

func (w *Writer) run() {
	defer close(w.done)
	bw := bufio.NewWriterSize(w.out, 32*frameBytes)
	var (
		buf  [frameBytes]byte
		wide = audio.Frame{Rate: audio.Wideband}
		conv resample.Converter
	)
	var since int64 // audio bytes written since the last checkpoint
	write := func(f *audio.Frame) {
		if w.Err() != nil || w.data.Load()+frameBytes > maxData {
			w.dropped.Add(1)
			return
		}
		// The file has one rate, the room may change its own: a narrowband
		// stretch is raised to the file's rate here, off the tick.
		conv.Convert(&wide, f)
		for i, s := range wide.Samples() {
			binary.LittleEndian.PutUint16(buf[2*i:], uint16(s))
		}
		if _, err := bw.Write(buf[:]); err != nil {
			w.fail(fmt.Errorf("recording: write audio: %w", pathless(err)))
			w.dropped.Add(1)
			return
		}
		w.data.Add(frameBytes)
		if since += frameBytes; since >= checkpointBytes {
			since = 0
			w.checkpoint(bw)
		}
	}
	for {
		select {
		case f := <-w.frames:
			write(&f)
		case <-w.stop:
			for {
				select {
				case f := <-w.frames:
					write(&f)
				default:
					w.finish(bw)
					return
				}
			}
		}
	}
}

// checkpoint puts everything written so far on the disk with a header
// that describes it, so that a crash leaves a file players read in full.
func (w *Writer) checkpoint(bw *bufio.Writer) {
	if err := bw.Flush(); err != nil {
		w.fail(fmt.Errorf("recording: write audio: %w", pathless(err)))
		return
	}
	if err := w.writeSizes(); err != nil {
		w.fail(err)
		return
	}
	w.sync()
}

// finish is the last checkpoint. After a failure it still tries the header:
// a full disk refuses to grow a file but not to overwrite 8 bytes of it,
// and the audio up to the failure is worth a file that says how long it is.
func (w *Writer) finish(bw *bufio.Writer) {
	if w.Err() == nil {
		w.checkpoint(bw)
		return
	}
	if err := w.writeSizes(); err == nil {
		w.sync()
	}
}

// writeSizes sets the header's sizes to the audio that reached the file.
// The file's position, not what bufio accepted, is what reached it: after a
// short write the two differ.
func (w *Writer) writeSizes() error {
	end, err := w.out.Seek(0, io.SeekCurrent)
	if err != nil {
		return fmt.Errorf("recording: update header: %w", pathless(err))
	}
	data := min(max(end-headerSize, 0)/blockAlign*blockAlign, maxData)
	h := header(uint32(data))
	for _, fix := range []struct {
		at    int64
		bytes []byte
	}{{4, h[4:8]}, {40, h[40:44]}} {
		if _, err := w.out.Seek(fix.at, io.SeekStart); err != nil {
			return fmt.Errorf("recording: update header: %w", pathless(err))
		}
		if _, err := w.out.Write(fix.bytes); err != nil {
			return fmt.Errorf("recording: update header: %w", pathless(err))
		}
	}
	if _, err := w.out.Seek(end, io.SeekStart); err != nil {
		return fmt.Errorf("recording: update header: %w", pathless(err))
	}
	return nil
}

// sync makes the checkpoint durable when out is a file: without it the
// header update may sit in the page cache while the machine dies.
func (w *Writer) sync() {
	s, ok := w.out.(interface{ Sync() error })
	if !ok {
		return
	}
	if err := s.Sync(); err != nil {
		w.fail(fmt.Errorf("recording: sync: %w", pathless(err)))
	}
}

// fail keeps the first error and signals it; it runs on the writer's
// goroutine only.
func (w *Writer) fail(err error) {
	if w.err.CompareAndSwap(nil, &err) {
		close(w.failed)
	}
}

// pathless drops the file's path from err: the reason reaches API clients,
// who have no business with the server's directory layout, and the
// recording's ids already say which file it is.
func pathless(err error) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}
