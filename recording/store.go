package recording

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"time"
)

var (
	// ErrNotFound is returned for a recording that does not exist, including
	// one named by an ID that could not be a recording's.
	ErrNotFound = errors.New("recording not found")
	// ErrInvalidID is returned by Start for a conference ID that cannot name
	// a directory safely.
	ErrInvalidID = errors.New("invalid conference id")
	// ErrInProgress is returned by Open while the recording is still being
	// written: its header is not final yet.
	ErrInProgress = errors.New("recording in progress")
)

const (
	ext = ".wav"
	// idTime orders recording IDs by start time when sorted as text.
	idTime = "20060102T150405Z"
	maxID  = 128
)

// States of a recording, as Info reports them.
const (
	StateRecording = "recording"
	StateStopped   = "stopped"
	// StateFailed is a recording a write or sync error stopped: the file
	// holds the audio up to the failure.
	StateFailed = "failed"
)

// Info describes one recording.
type Info struct {
	ID         string    `json:"id"`
	Started    time.Time `json:"started"`
	Stopped    time.Time `json:"stopped,omitzero"`
	Bytes      int64     `json:"bytes"`
	DurationMS int64     `json:"duration_ms"`
	State      string    `json:"state"`
	// Error is why a failed recording stopped. The store remembers it until
	// the server restarts; after that the file lists as stopped.
	Error string `json:"error,omitempty"`
}

// Store keeps recordings as <dir>/<conferenceID>/<recordingID>.wav. It is
// safe for concurrent use.
type Store struct {
	// root confines every file operation to dir, so that even an ID that
	// slipped past validation cannot reach outside it.
	root *os.Root
	now  func() time.Time
	log  *slog.Logger
	// disk is what a recording's writer writes its file through; tests
	// put a disk that fills up here.
	disk func(*os.File) io.WriteSeeker

	// repairMu serialises repairs of files a crash left behind.
	repairMu sync.Mutex

	mu sync.Mutex
	// active is by conferenceID/recordingID; nil while the file is created.
	active map[string]*Recording
	failed map[string]string // why, by conferenceID/recordingID
}

// StoreOption configures a Store.
type StoreOption func(*Store)

// WithLogger sets where the store reports the files it repairs or cannot.
func WithLogger(l *slog.Logger) StoreOption {
	return func(s *Store) {
		if l != nil {
			s.log = l
		}
	}
}

// NewStore opens a store rooted at dir, creating dir if needed.
func NewStore(dir string, opts ...StoreOption) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	s := &Store{root: root, now: time.Now, log: slog.New(slog.DiscardHandler), active: map[string]*Recording{}, failed: map[string]string{}}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// Close releases the store's directory. Recordings still running keep their
// files and can be closed after it.
func (s *Store) Close() error {
	return s.root.Close()
}

// Start begins a new recording for a conference.
func (s *Store) Start(conferenceID string) (*Recording, error) {
	if !validID(conferenceID) {
		return nil, ErrInvalidID
	}
	if err := s.root.MkdirAll(conferenceID, 0o750); err != nil {
		return nil, fmt.Errorf("recording: %w", err)
	}
	started := s.now().UTC().Truncate(time.Second)
	var suffix [4]byte
	rand.Read(suffix[:])
	id := started.Format(idTime) + "-" + hex.EncodeToString(suffix[:])
	key := conferenceID + "/" + id
	// Running before the file exists: a List meanwhile must not take the
	// header-less new file for one a crash left behind and repair it.
	s.mu.Lock()
	s.active[key] = nil
	s.mu.Unlock()
	f, err := s.root.OpenFile(path.Join(conferenceID, id+ext), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		s.finished(key, nil)
		return nil, fmt.Errorf("recording: %w", err)
	}
	var out io.WriteSeeker = f
	if s.disk != nil {
		out = s.disk(f)
	}
	w, err := NewWriter(out)
	if err != nil {
		f.Close()
		s.root.Remove(path.Join(conferenceID, id+ext))
		s.finished(key, nil)
		return nil, err
	}
	r := &Recording{Writer: w, store: s, file: f, key: key, id: id, started: started}
	s.mu.Lock()
	s.active[r.key] = r
	s.mu.Unlock()
	return r, nil
}

// List returns a conference's recordings, oldest first. A conference that
// never recorded has none.
func (s *Store) List(conferenceID string) ([]Info, error) {
	if !validID(conferenceID) {
		return nil, nil
	}
	entries, err := fs.ReadDir(s.root.FS(), conferenceID)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("recording: %w", err)
	}
	var out []Info
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ext)
		if !ok || !validID(id) || !e.Type().IsRegular() {
			continue
		}
		if s.running(conferenceID, id) {
			// Its header lags its audio by design until it stops.
			fi, err := e.Info()
			if err != nil {
				continue // removed since the directory was read
			}
			out = append(out, s.info(conferenceID, id, fi))
			continue
		}
		f, fi, err := s.openChecked(path.Join(conferenceID, e.Name()))
		if err != nil {
			// Not a recording, removed meanwhile, or damaged beyond what
			// can be repaired here: nothing a download could serve.
			if !errors.Is(err, errMalformed) && !errors.Is(err, fs.ErrNotExist) {
				s.log.Warn("recording not listed", "conference", conferenceID, "recording", id, "err", err)
			}
			continue
		}
		f.Close()
		out = append(out, s.info(conferenceID, id, fi))
	}
	slices.SortFunc(out, func(a, b Info) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// Open opens a finished recording for reading.
func (s *Store) Open(conferenceID, recordingID string) (io.ReadSeekCloser, Info, error) {
	if !validID(conferenceID) || !validID(recordingID) {
		return nil, Info{}, ErrNotFound
	}
	if s.running(conferenceID, recordingID) {
		return nil, Info{}, ErrInProgress
	}
	f, fi, err := s.openChecked(path.Join(conferenceID, recordingID+ext))
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, errMalformed) {
		return nil, Info{}, ErrNotFound
	}
	if err != nil {
		return nil, Info{}, fmt.Errorf("recording: %w", err)
	}
	return f, s.info(conferenceID, recordingID, fi), nil
}

func (s *Store) info(conferenceID, id string, fi fs.FileInfo) Info {
	in := Info{ID: id, Bytes: fi.Size(), DurationMS: durationMS(max(fi.Size()-headerSize, 0)), State: StateStopped}
	if len(id) > len(idTime) {
		in.Started, _ = time.Parse(idTime, id[:len(idTime)])
	}
	key := conferenceID + "/" + id
	s.mu.Lock()
	r, running := s.active[key]
	failure, failed := s.failed[key]
	s.mu.Unlock()
	switch {
	case running && r != nil && r.Err() != nil:
		in.State, in.Error = StateFailed, r.Err().Error()
	case running:
		in.State = StateRecording
	default:
		if failed {
			in.State, in.Error = StateFailed, failure
		}
		// The last write of a recording is its header fix-up on Close.
		in.Stopped = fi.ModTime().UTC()
	}
	return in
}

func (s *Store) running(conferenceID, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.active[conferenceID+"/"+id]
	return ok
}

// finished takes a recording off the running ones; err is why it failed,
// if it did.
func (s *Store) finished(key string, err error) {
	s.mu.Lock()
	if err != nil {
		s.failed[key] = err.Error()
	}
	delete(s.active, key)
	s.mu.Unlock()
}

// validID admits names that are safe as one path element on any file
// system: letters, digits, '-', '_' and '.' (conference ids may have dots),
// but not starting with a dot, so never "." or "..".
func validID(id string) bool {
	if id == "" || len(id) > maxID || id[0] == '.' {
		return false
	}
	for _, c := range []byte(id) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
		if !ok {
			return false
		}
	}
	return true
}
