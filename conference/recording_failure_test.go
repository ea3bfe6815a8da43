package conference_test

import (
	"context"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/internal/tone"
	"github.com/confgw/confgw/recording"
)

// fullDisk lets a file grow to limit bytes, then refuses with ENOSPC as a
// full file system does. A real full disk needs a file system of its own,
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
	if room := max(d.limit-pos, 0); int64(len(p)) > room {
		n, _ := d.File.Write(p[:room])
		return n, &fs.PathError{Op: "write", Path: d.Name(), Err: syscall.ENOSPC}
	}
	return d.File.Write(p)
}

// fileSink is a recording written through a recording.Writer to a file.
type fileSink struct {
	*recording.Writer
	id   string
	file *os.File
}

func (s fileSink) ID() string { return s.id }

func (s fileSink) Close() error {
	err := s.Writer.Close()
	s.file.Close()
	return err
}

// records keeps what a conference logs.
type records struct {
	mu  sync.Mutex
	got []slog.Record
}

func (r *records) Enabled(context.Context, slog.Level) bool { return true }
func (r *records) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, rec)
	return nil
}
func (r *records) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *records) WithGroup(string) slog.Handler      { return r }

func (r *records) at(level slog.Level) []slog.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []slog.Record
	for _, rec := range r.got {
		if rec.Level == level {
			out = append(out, rec)
		}
	}
	return out
}

func waitEvent(t *testing.T, sub *conference.Subscription, typ string) conference.Event {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case e := <-sub.C:
			if e.Type == typ {
				return e
			}
		case <-timeout:
			t.Fatalf("no %s event", typ)
		}
	}
}

func TestARecordingWhoseDiskFillsUpFailsOnceAndTheConferenceGoesOn(t *testing.T) {
	dir := t.TempDir()
	var starts int
	// The first recording's disk fills after a second of audio; the next
	// one has room again.
	recorder := conference.RecorderFunc(func(string) (fileSink, error) {
		starts++
		f, err := os.Create(filepath.Join(dir, "r"+string(rune('0'+starts))+".wav"))
		if err != nil {
			return fileSink{}, err
		}
		var out io.WriteSeeker = f
		if starts == 1 {
			out = &fullDisk{f, 44 + 32000}
		}
		w, err := recording.NewWriter(out)
		if err != nil {
			f.Close()
			return fileSink{}, err
		}
		return fileSink{Writer: w, id: "r-" + string(rune('0'+starts)), file: f}, nil
	})
	logs := &records{}
	reg := conference.NewRegistry(conference.Config{NewRoomMedia: conference.MixerRooms(nil), Recorder: recorder, Logger: slog.New(logs)})
	defer reg.EndAll()
	c, err := reg.Create(conference.Spec{ID: "full", Title: "Full"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddPhone(conference.PhoneSpec{Number: "1", Media: &talker{gen: tone.Sine(1000, 8000, audio.NarrowbandHz)}}); err != nil {
		t.Fatal(err)
	}
	sub := c.Subscribe(256)
	defer sub.Close()
	if _, err := c.StartRecording(conference.Admin, conference.MainRoomID); err != nil {
		t.Fatal(err)
	}

	e := waitEvent(t, sub, conference.EventRecordingFailed)
	if e.Recording == nil || e.Recording.ID != "r-1" || e.Recording.State != conference.RecordingFailed ||
		!strings.Contains(e.Recording.Error, "no space left on device") || e.Reason != e.Recording.Error {
		t.Fatalf("recording.failed %+v (recording %+v), want r-1 failed with the disk's reason", e, e.Recording)
	}
	if info := c.Info(); info.Recording != nil {
		t.Fatalf("the conference still says it records: %+v", info.Recording)
	}
	// Whoever pressed stop as the disk filled is answered, not refused.
	if err := c.StopRecording(conference.Admin, conference.MainRoomID); err != nil {
		t.Fatalf("StopRecording after the failure: %v", err)
	}

	// The room still mixes: a new recording starts and grows.
	rec, err := c.StartRecording(conference.Admin, conference.MainRoomID)
	if err != nil || rec.ID != "r-2" || rec.State != conference.RecordingRunning {
		t.Fatalf("StartRecording after the failure = %+v, %v", rec, err)
	}
	second := filepath.Join(dir, "r2.wav")
	deadline := time.Now().Add(30 * time.Second)
	for {
		if fi, err := os.Stat(second); err == nil && fi.Size() > 44+32000 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the next recording never grew: the room stopped mixing")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := c.StopRecording(conference.Admin, conference.MainRoomID); err != nil {
		t.Fatal(err)
	}
	if e := waitEvent(t, sub, conference.EventRecordingStopped); e.Recording.ID != "r-2" || e.Recording.State != conference.RecordingStopped {
		t.Fatalf("recording.stopped %+v", e.Recording)
	}

	errs := logs.at(slog.LevelError)
	if len(errs) != 1 {
		t.Fatalf("%d ERROR lines, want the failure logged once: %+v", len(errs), errs)
	}
	var conf, id string
	errs[0].Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "conference":
			conf = a.Value.String()
		case "recording":
			id = a.Value.String()
		}
		return true
	})
	if conf != "full" || id != "r-1" {
		t.Fatalf("the ERROR line names conference %q recording %q", conf, id)
	}
}
