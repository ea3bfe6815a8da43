package recording

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// Recording is one running recording of a conference's mix. Hand it to the
// mixer as its mix sink; Close it when the recording stops.
type Recording struct {
	*Writer
	store   *Store
	file    *os.File
	key     string
	id      string
	started time.Time

	closeOnce sync.Once
	closeErr  error
}

// ID names the recording within its conference.
func (r *Recording) ID() string { return r.id }

// Started is when the recording began, to the second as List reports it.
func (r *Recording) Started() time.Time { return r.started }

// Close stops the recording, finalises the file and makes it available to
// Open. It returns the first error met writing the file; the store then
// lists the recording as failed.
func (r *Recording) Close() error {
	r.closeOnce.Do(func() {
		// The Writer syncs its last checkpoint before Close returns, so a
		// download never serves a header the disk might still lose.
		werr := r.Writer.Close()
		cerr := r.file.Close()
		if cerr != nil {
			cerr = fmt.Errorf("recording: %w", pathless(cerr))
		}
		r.closeErr = errors.Join(werr, cerr)
		r.store.finished(r.key, r.closeErr)
	})
	return r.closeErr
}
