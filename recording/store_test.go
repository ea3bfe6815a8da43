package recording

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func newTestStore(t *testing.T) (*Store, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "recordings")
	s, err := NewStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dir
}

func TestStoreRecordListOpen(t *testing.T) {
	s, dir := newTestStore(t)
	start := time.Date(2026, 3, 1, 9, 30, 15, 250e6, time.UTC)
	s.now = func() time.Time { return start }

	r, err := s.Start("standup-42")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "standup-42", r.ID()+".wav")); err != nil {
		t.Fatalf("recording file not where expected: %v", err)
	}
	frames := testFrames(50)
	for i := range frames {
		r.WriteMix(&frames[i])
	}

	list, err := s.List("standup-42")
	if err != nil || len(list) != 1 || !list[0].Stopped.IsZero() {
		t.Fatalf("List while recording = %+v, %v; want one without a stop time", list, err)
	}
	if _, _, err := s.Open("standup-42", r.ID()); !errors.Is(err, ErrInProgress) {
		t.Fatalf("Open while recording = %v, want ErrInProgress", err)
	}

	if err := r.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	list, err = s.List("standup-42")
	if err != nil || len(list) != 1 {
		t.Fatalf("List = %+v, %v", list, err)
	}
	in := list[0]
	want := Info{ID: r.ID(), Started: start.Truncate(time.Second), Bytes: 44 + 50*640, DurationMS: 1000}
	if in.ID != want.ID || !in.Started.Equal(want.Started) || in.Bytes != want.Bytes || in.DurationMS != want.DurationMS || in.Stopped.IsZero() {
		t.Fatalf("List info %+v, want %+v with a stop time", in, want)
	}

	rc, info, err := s.Open("standup-42", r.ID())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer rc.Close()
	if info.ID != in.ID || info.Bytes != in.Bytes || info.DurationMS != in.DurationMS {
		t.Errorf("Open info %+v, List info %+v", info, in)
	}
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	checkWAV(t, b, frames)
}

func TestStoreListOrder(t *testing.T) {
	s, _ := newTestStore(t)
	var ids []string
	for i, at := range []time.Time{
		time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 2, 11, 0, 0, 0, time.UTC),
	} {
		s.now = func() time.Time { return at }
		r, err := s.Start("room")
		if err != nil {
			t.Fatalf("Start %d: %v", i, err)
		}
		ids = append(ids, r.ID())
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if ids[0] == ids[1] {
		t.Fatalf("two recordings started in the same second share ID %s", ids[0])
	}
	list, err := s.List("room")
	if err != nil || len(list) != 3 {
		t.Fatalf("List = %+v, %v", list, err)
	}
	if last := list[2]; last.ID != ids[2] || last.Started.Hour() != 11 {
		t.Errorf("newest recording listed last as %+v, want %s", last, ids[2])
	}
	if other, err := s.List("other-room"); err != nil || len(other) != 0 {
		t.Errorf("List of a room never recorded = %+v, %v", other, err)
	}
}

func TestStoreRefusesTraversal(t *testing.T) {
	s, dir := newTestStore(t)
	r, err := s.Start("room")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(filepath.Dir(dir), "secret.wav")
	if err := os.WriteFile(secret, []byte("RIFF"), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct{ conf, rec string }{
		{"room", "../../secret"},
		{"..", "secret"},
		{"room", ".."},
		{"room", "/etc/passwd"},
		{"room", r.ID() + "/../" + r.ID()},
		{"room", r.ID() + ".wav"},
		{"room", ""},
		{"", r.ID()},
		{"room\x00", r.ID()},
	} {
		if rc, _, err := s.Open(c.conf, c.rec); !errors.Is(err, ErrNotFound) {
			if rc != nil {
				rc.Close()
			}
			t.Errorf("Open(%q, %q) = %v, want ErrNotFound", c.conf, c.rec, err)
		}
	}
	for _, conf := range []string{"../escape", "a/b", ".", "..", "", "x y"} {
		if r, err := s.Start(conf); !errors.Is(err, ErrInvalidID) {
			if r != nil {
				r.Close()
			}
			t.Errorf("Start(%q) = %v, want ErrInvalidID", conf, err)
		}
	}
	if list, err := s.List("../recordings"); err != nil || len(list) != 0 {
		t.Errorf("List outside a conference = %+v, %v", list, err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "escape")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Start created a directory outside the store: %v", err)
	}
}

func TestStoreDoesNotFollowLinksOut(t *testing.T) {
	s, dir := newTestStore(t)
	outside := filepath.Join(filepath.Dir(dir), "outside.wav")
	if err := os.WriteFile(outside, make([]byte, 44), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "room"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "room", "planted.wav")); err != nil {
		t.Fatal(err)
	}
	if rc, _, err := s.Open("room", "planted"); err == nil {
		rc.Close()
		t.Fatalf("Open followed a link out of the store")
	}
	if list, _ := s.List("room"); len(list) != 0 {
		t.Errorf("List shows a link as a recording: %+v", list)
	}
}
func TestStoreTakesEveryConferenceID(t *testing.T) {
	store, _ := newTestStore(t)
	// Conference ids may have dots; only what could leave the folder is refused.
	rec, err := store.Start("team.a")
	if err != nil {
		t.Fatalf("dotted conference id: %v", err)
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{".", "..", ".hidden", "a/b"} {
		if _, err := store.Start(id); err == nil {
			t.Errorf("Start(%q) succeeded", id)
		}
	}
}
