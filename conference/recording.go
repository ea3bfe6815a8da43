package conference

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/confgw/confgw/mixer"
)

// States of a recording, as Recording reports them.
const (
	RecordingRunning = "recording"
	RecordingStopped = "stopped"
	RecordingFailed  = "failed"
)

// Recording describes a recording of the main room.
type Recording struct {
	ID        string    `json:"id"`
	Room      string    `json:"room"`
	StartedAt time.Time `json:"started_at"`
	// State is RecordingRunning but in the events that end a recording.
	State string `json:"state"`
	// Error is why a failed recording stopped.
	Error string `json:"error,omitempty"`
}

// Recorder opens recordings: Start returns a new recording of a
// conference, which the conference feeds from the main room's mixer.
type Recorder interface {
	Start(conferenceID string) (RecordingSink, error)
}

// RecordingSink is one recording being written. The room's mixer taps into
// it; Close finishes the file once the tap is removed.
type RecordingSink interface {
	mixer.Tap
	// ID names the recording within its conference.
	ID() string
	// Failed is closed when writing fails and the recording stops growing;
	// a sink that cannot fail may return nil.
	Failed() <-chan struct{}
	// Close completes the recording and reports the first error met
	// writing it.
	Close() error
}

// RecorderFunc makes a Recorder of a function returning any concrete sink
// type, so that a store's own Start method can be wired in directly.
func RecorderFunc[S RecordingSink](start func(conferenceID string) (S, error)) Recorder {
	return recorderFunc[S](start)
}

type recorderFunc[S RecordingSink] func(string) (S, error)

func (f recorderFunc[S]) Start(conferenceID string) (RecordingSink, error) {
	s, err := f(conferenceID)
	if err != nil {
		// A failed start must not hand back a typed nil inside the interface.
		return nil, err
	}
	return s, nil
}

// errNoMedia is returned when a conference records without room mixers:
// there would be nothing to write.
var errNoMedia = errors.New("conference: the room has no mixer to record")

type activeRecording struct {
	Recording
	room RoomMedia
	sink RecordingSink

	finishOnce sync.Once
	finishErr  error
	// finished is closed when the file is being completed, so that the
	// goroutine watching for its failure stops.
	finished chan struct{}
}

// as is the recording as an event that ends it reports it.
func (r *activeRecording) as(state string, err error) *Recording {
	rec := r.Recording
	rec.State = state
	if err != nil {
		rec.Error = err.Error()
	}
	return &rec
}

func (c *Conference) recordingInfo() *Recording {
	if c.recording == nil {
		return nil
	}
	r := c.recording.Recording
	return &r
}

// StartRecording starts recording the main room; any other room refuses.
// Starting twice keeps the recording already running. The recorder opens
// its file outside the conference's lock, so a slow disk stalls no one else.
func (c *Conference) StartRecording(a Actor, roomID string) (Recording, error) {
	c.recMu.Lock()
	defer c.recMu.Unlock()
	c.mu.Lock()
	r, err := c.recordingRoomLocked(a, roomID)
	if err != nil || c.recording != nil {
		rec := c.recordingInfo()
		c.mu.Unlock()
		if err != nil {
			return Recording{}, err
		}
		return *rec, nil
	}
	c.mu.Unlock()

	rec := &activeRecording{Recording: Recording{ID: newID("r-"), Room: r.id, StartedAt: c.now(), State: RecordingRunning}, finished: make(chan struct{})}
	if c.cfg.Recorder != nil {
		if r.media == nil {
			return Recording{}, errNoMedia
		}
		sink, err := c.cfg.Recorder.Start(c.id)
		if err != nil {
			return Recording{}, fmt.Errorf("start recording %s: %w", c.id, err)
		}
		rec.ID, rec.room, rec.sink = sink.ID(), r.media, sink
		r.media.SetTap(sink)
	}

	c.mu.Lock()
	if c.ended || c.recording != nil {
		// Another host started one meanwhile, or the meeting is over.
		running, ended := c.recordingInfo(), c.ended
		c.mu.Unlock()
		rec.finish()
		if ended {
			return Recording{}, ErrEnded
		}
		return *running, nil
	}
	c.recording = rec
	c.publish(Event{Type: EventRecordingStarted, Room: ref(r), Recording: c.recordingInfo()})
	c.mu.Unlock()
	if rec.sink != nil {
		go c.watchRecording(rec)
	}
	return rec.Recording, nil
}

// watchRecording stops a recording as soon as its file fails, so that the
// conference says so then rather than when someone asks for the stop.
func (c *Conference) watchRecording(rec *activeRecording) {
	select {
	case <-rec.sink.Failed():
	case <-rec.finished:
		return
	}
	c.recMu.Lock()
	defer c.recMu.Unlock()
	c.mu.Lock()
	current := c.recording == rec
	c.mu.Unlock()
	if current {
		c.endRecording(rec)
	}
}

// StopRecording stops the main room's recording; stopping when none runs
// is not an error. The file is finished outside the conference's lock, and
// only then is recording.stopped published: whoever lists the recordings
// on that event finds the file complete and downloadable. A recording
// whose file failed is stopped all the same, and recording.failed says so:
// the stop itself did what was asked.
func (c *Conference) StopRecording(a Actor, roomID string) error {
	c.recMu.Lock()
	defer c.recMu.Unlock()
	c.mu.Lock()
	_, err := c.recordingRoomLocked(a, roomID)
	rec := c.recording
	c.mu.Unlock()
	if err != nil || rec == nil {
		return err
	}
	c.endRecording(rec)
	return nil
}

// endRecording finishes rec's file, then publishes how it ended; a failure
// is logged here, once, as nobody else hears of it but through the event.
// The caller holds recMu.
func (c *Conference) endRecording(rec *activeRecording) {
	ferr := rec.finish()
	c.mu.Lock()
	// The meeting may have ended meanwhile, which reports the stop itself.
	current := c.recording == rec
	if current {
		c.takeRecordingLocked()
		room := ref(c.rooms[MainRoomID])
		if ferr != nil {
			c.publish(Event{Type: EventRecordingFailed, Room: room, Recording: rec.as(RecordingFailed, ferr), Reason: ferr.Error()})
		} else {
			c.publish(Event{Type: EventRecordingStopped, Room: room, Recording: rec.as(RecordingStopped, nil)})
		}
	}
	c.mu.Unlock()
	if current && ferr != nil {
		c.log().Error("recording failed; the conference goes on without it", "conference", c.id, "recording", rec.ID, "err", ferr)
	}
}

// takeRecordingLocked ends the recording in the conference's state; the
// caller finishes its file once unlocked.
func (c *Conference) takeRecordingLocked() *activeRecording {
	rec := c.recording
	c.recording = nil
	return rec
}

// finish stops the recorder: the mix is untapped and the file completed.
// Whoever comes second, of a stop and the failure watch, gets the same
// answer.
func (r *activeRecording) finish() error {
	if r == nil || r.sink == nil {
		return nil
	}
	r.finishOnce.Do(func() {
		close(r.finished)
		// Untap first: the mixer must not write into a closed recording.
		r.room.SetTap(nil)
		r.finishErr = r.sink.Close()
	})
	return r.finishErr
}

func (c *Conference) recordingRoomLocked(a Actor, roomID string) (*room, error) {
	if _, err := c.authorize(a); err != nil {
		return nil, err
	}
	if _, err := ParseRoomID(roomID); err != nil {
		return nil, err
	}
	if roomID != MainRoomID {
		return nil, ErrRecordingMainOnly
	}
	return c.rooms[MainRoomID], nil
}
