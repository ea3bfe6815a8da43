// Package recording writes a room's mix to WAV files and keeps them per
// conference.
package recording

import (
	"bufio"
	"encoding/binary"
	"io"
	"sync"
	"sync/atomic"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/resample"
)

// defaultQueue is how many frames wait for the disk: five seconds of stall
// before the mix starts losing frames.
const defaultQueue = 250

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
	err     error        // first write error; read only after done
}

// NewWriter writes a header to out and starts the goroutine that writes what
// WriteMix queues. out must be at the position where the file starts.
func NewWriter(out io.WriteSeeker, opts ...WriterOption) (*Writer, error) {
	w := &Writer{
		out:  out,
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	for _, o := range opts {
		o(w)
	}
	if w.frames == nil {
		w.frames = make(chan audio.Frame, defaultQueue)
	}
	// Sizes stay zero until Close. List measures a file by its length, not
	// its header, so a recording cut short by a crash still shows its audio.
	h := header(0)
	if _, err := out.Write(h[:]); err != nil {
		return nil, err
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

// Close writes what is queued, fixes up the header sizes and stops the
// goroutine. It does not close the underlying file. It returns the first
// write error, if any.
func (w *Writer) Close() error {
	w.once.Do(func() {
		w.closed.Store(true)
		close(w.stop)
	})
	<-w.done
	return w.err
}

func (w *Writer) run() {
	defer close(w.done)
	bw := bufio.NewWriterSize(w.out, 32*frameBytes)
	var (
		buf  [frameBytes]byte
		wide = audio.Frame{Rate: audio.Wideband}
		conv resample.Converter
	)
	write := func(f *audio.Frame) {
		if w.err != nil || w.data.Load()+frameBytes > maxData {
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
			w.err = err
			w.dropped.Add(1)
			return
		}
		w.data.Add(frameBytes)
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

func (w *Writer) finish(bw *bufio.Writer) {
	if err := bw.Flush(); err != nil {
		w.keep(err)
	}
	// bufio counts bytes it accepted; what reached the file is what is sized.
	data := w.data.Load() - int64(bw.Buffered())
	h := header(uint32(data))
	for _, fix := range []struct {
		at    int64
		bytes []byte
	}{{4, h[4:8]}, {40, h[40:44]}} {
		if _, err := w.out.Seek(fix.at, io.SeekStart); err != nil {
			w.keep(err)
			return
		}
		if _, err := w.out.Write(fix.bytes); err != nil {
			w.keep(err)
			return
		}
	}
	if _, err := w.out.Seek(0, io.SeekEnd); err != nil {
		w.keep(err)
	}
}

func (w *Writer) keep(err error) {
	if w.err == nil {
		w.err = err
	}
}
