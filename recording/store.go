package recording

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
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

// Info describes one recording.
type Info struct {
	ID         string    `json:"id"`
	Started    time.Time `json:"started"`
	Stopped    time.Time `json:"stopped,omitzero"`
	Bytes      int64     `json:"bytes"`
	DurationMS int64     `json:"duration_ms"`
}

// Store keeps recordings as <dir>/<conferenceID>/<recordingID>.wav. It is
// safe for concurrent use.
type Store struct {
	// root confines every file operation to dir, so that even an ID that
	// slipped past validation cannot reach outside it.
	root *os.Root
	now  func() time.Time

	mu     sync.Mutex
	active map[string]*Recording // by conferenceID/recordingID
}

// NewStore opens a store rooted at dir, creating dir if needed.
func NewStore(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &Store{root: root, now: time.Now, active: map[string]*Recording{}}, nil
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
	f, err := s.root.OpenFile(path.Join(conferenceID, id+ext), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return nil, fmt.Errorf("recording: %w", err)
	}
	w, err := NewWriter(f)
	if err != nil {
		f.Close()
		s.root.Remove(path.Join(conferenceID, id+ext))
		return nil, fmt.Errorf("recording: %w", err)
	}
	r := &Recording{Writer: w, store: s, file: f, key: conferenceID + "/" + id, id: id, started: started}
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
		fi, err := e.Info()
		if err != nil {
			continue // removed since the directory was read
		}
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
	s.mu.Lock()
	_, running := s.active[conferenceID+"/"+recordingID]
	s.mu.Unlock()
	if running {
		return nil, Info{}, ErrInProgress
	}
	f, err := s.root.Open(path.Join(conferenceID, recordingID+ext))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, Info{}, ErrNotFound
	}
	if err != nil {
		return nil, Info{}, fmt.Errorf("recording: %w", err)
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, Info{}, ErrNotFound
	}
	return f, s.info(conferenceID, recordingID, fi), nil
}

func (s *Store) info(conferenceID, id string, fi fs.FileInfo) Info {
	in := Info{ID: id, Bytes: fi.Size(), DurationMS: durationMS(max(fi.Size()-headerSize, 0))}
	if len(id) > len(idTime) {
		in.Started, _ = time.Parse(idTime, id[:len(idTime)])
	}
	s.mu.Lock()
	_, running := s.active[conferenceID+"/"+id]
	s.mu.Unlock()
	if !running {
		// The last write of a recording is its header fix-up on Close.
		in.Stopped = fi.ModTime().UTC()
	}
	return in
}

func (s *Store) finished(key string) {
	s.mu.Lock()
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
