package conference

import "time"

// Recording describes a recording of the main room.
type Recording struct {
	ID        string    `json:"id"`
	Room      string    `json:"room"`
	StartedAt time.Time `json:"started_at"`
}

// Recorder writes a room's audio somewhere; Start returns what stops it.
type Recorder interface {
	Start(conferenceID string, room RoomMedia) (id string, stop func() error, err error)
}

type activeRecording struct {
	Recording
	stop func() error
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

	rec := &activeRecording{Recording: Recording{ID: newID("r-"), Room: r.id, StartedAt: c.now()}}
	if c.cfg.Recorder != nil {
		id, stop, err := c.cfg.Recorder.Start(c.id, r.media)
		if err != nil {
			return Recording{}, err
		}
		rec.ID, rec.stop = id, stop
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
	return rec.Recording, nil
}

// StopRecording stops the main room's recording; stopping when none runs
// is not an error. The file is finished after the lock is released.
func (c *Conference) StopRecording(a Actor, roomID string) error {
	c.mu.Lock()
	r, err := c.recordingRoomLocked(a, roomID)
	if err != nil || c.recording == nil {
		c.mu.Unlock()
		return err
	}
	rec := c.takeRecordingLocked()
	c.publish(Event{Type: EventRecordingStopped, Room: ref(r)})
	c.mu.Unlock()
	return rec.finish()
}

// takeRecordingLocked ends the recording in the conference's state; the
// caller finishes its file once unlocked.
func (c *Conference) takeRecordingLocked() *activeRecording {
	rec := c.recording
	c.recording = nil
	return rec
}

// finish stops the recorder: the mix is untapped and the file completed.
func (r *activeRecording) finish() error {
	if r == nil || r.stop == nil {
		return nil
	}
	return r.stop()
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
