package recording

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fullDisk writes to a real file until it is limit bytes long, then
// refuses to grow it as a full file system does: a short write, then
// ENOSPC. Overwriting what the file holds still works, as it does on a
// full disk. A real full disk needs a file system of its own to fill,
// which a test cannot mount without root: this fakes only the refusal.
type fullDisk struct {
	*os.File
	limit int64
}

func (d *fullDisk) Write(p []byte) (int, error) {
	pos, err := d.File.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, err
	}
	room := max(d.limit-pos, 0)
	if int64(len(p)) <= room {
		return d.File.Write(p)
	}
	n, err := d.File.Write(p[:room])
	if err != nil {
		return n, err
	}
	return n, &fs.PathError{Op: "write", Path: d.Name(), Err: syscall.ENOSPC}
}

// failingSync is a file whose data never makes it to stable storage.
type failingSync struct{ *os.File }

func (f failingSync) Sync() error {
	return &fs.PathError{Op: "sync", Path: f.Name(), Err: syscall.EIO}
}

func waitFailed(t *testing.T, w *Writer) {
	t.Helper()
	select {
	case <-w.Failed():
	case <-time.After(30 * time.Second):
		t.Fatalf("the writer never said it failed; %d bytes written", w.DataBytes())
	}
}

func TestAWriterWhoseDiskFillsUpStopsSaysWhyAndLeavesAWellFormedFile(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "r.wav"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// Room for the header and 10.5 frames: the disk fills mid-frame.
	const limit = headerSize + 10*frameBytes + frameBytes/2 + 1
	w, err := NewWriter(&fullDisk{f, limit}, WithQueue(1000))
	if err != nil {
		t.Fatal(err)
	}
	frames := testFrames(200)
	for i := range frames {
		w.WriteMix(&frames[i])
	}
	waitFailed(t, w)
	err = w.Err()
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Err = %v, want ENOSPC", err)
	}
	if strings.Contains(err.Error(), f.Name()) {
		t.Errorf("the reason %q names the server's file", err)
	}
	if cerr := w.Close(); !errors.Is(cerr, syscall.ENOSPC) {
		t.Fatalf("Close = %v, want the disk's error", cerr)
	}
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != limit {
		t.Fatalf("file is %d bytes, the disk had room for %d", len(b), limit)
	}
	got := parseWAV(t, b[:len(b)/blockAlign*blockAlign])
	if want := uint32(wholeData(limit)); got.dataSize != want || got.riffSize != want+36 {
		t.Fatalf("header sizes RIFF %d data %d, want the %d bytes of whole samples that reached the disk", got.riffSize, got.dataSize, want)
	}
}

func TestAWriterWhoseSyncFailsStops(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "r.wav"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := NewWriter(failingSync{f}, WithQueue(1000))
	if err != nil {
		t.Fatal(err)
	}
	frames := testFrames(3 * checkpointBytes / frameBytes)
	for i := range frames {
		w.WriteMix(&frames[i])
	}
	waitFailed(t, w)
	if !errors.Is(w.Err(), syscall.EIO) {
		t.Fatalf("Err = %v, want the sync's EIO", w.Err())
	}
	w.Close()
	if w.DataBytes() != checkpointBytes {
		t.Fatalf("%d bytes written, want none past the failed checkpoint at %d", w.DataBytes(), checkpointBytes)
	}
}

func TestTheStoreListsARecordingItsDiskFailedAsFailedWithTheReason(t *testing.T) {
	s, _ := newTestStore(t)
	s.disk = func(f *os.File) io.WriteSeeker { return &fullDisk{f, headerSize + 20*frameBytes} }
	r, err := s.Start("room")
	if err != nil {
		t.Fatal(err)
	}
	frames := testFrames(100)
	for i := range frames {
		r.WriteMix(&frames[i])
	}
	waitFailed(t, r.Writer)
	list, err := s.List("room")
	if err != nil || len(list) != 1 || list[0].State != StateFailed || !strings.Contains(list[0].Error, "no space left on device") || !list[0].Stopped.IsZero() {
		t.Fatalf("List once the disk is full = %+v, %v; want it failed with the reason, not yet stopped", list, err)
	}
	if err := r.Close(); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Close = %v, want the disk's error", err)
	}
	list, err = s.List("room")
	if err != nil || len(list) != 1 || list[0].State != StateFailed || list[0].Error == "" || list[0].Stopped.IsZero() {
		t.Fatalf("List after Close = %+v, %v; want it failed with the reason and stopped", list, err)
	}
	if list[0].Bytes != headerSize+20*frameBytes || list[0].DurationMS != 400 {
		t.Fatalf("listed as %d bytes, %d ms; want the 400 ms that reached the disk", list[0].Bytes, list[0].DurationMS)
	}
	rc, _, err := s.Open("room", r.ID())
	if err != nil {
		t.Fatalf("Open of the failed recording: %v", err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	checkWAV(t, b, frames[:20])

	// A fresh recording on a disk with room again is a recording like any.
	s.disk = nil
	r2, err := s.Start("room")
	if err != nil {
		t.Fatal(err)
	}
	if err := r2.Close(); err != nil {
		t.Fatal(err)
	}
	list, _ = s.List("room")
	if len(list) != 2 || list[1].ID != r2.ID() && list[0].ID != r2.ID() {
		t.Fatalf("List = %+v", list)
	}
	for _, in := range list {
		if in.ID == r2.ID() && (in.State != StateStopped || in.Error != "") {
			t.Fatalf("a recording after the failure lists as %+v", in)
		}
	}
}
