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
// Starting twice keeps the recording already running.
func (c *Conference) StartRecording(a Actor, roomID string) (Recording, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, err := c.recordingRoomLocked(a, roomID)
	if err != nil {
		return Recording{}, err
	}
	if c.recording != nil {
		return c.recording.Recording, nil
	}
	rec := &activeRecording{Recording: Recording{ID: newID("r-"), Room: r.id, StartedAt: c.now()}}
	if c.cfg.Recorder != nil {
		id, stop, err := c.cfg.Recorder.Start(c.id, r.media)
		if err != nil {
			return Recording{}, err
		}
		rec.ID, rec.stop = id, stop
	}
	c.recording = rec
	c.publish(Event{Type: EventRecordingStarted, Room: ref(r), Recording: c.recordingInfo()})
	return rec.Recording, nil
}

// StopRecording stops the main room's recording; stopping when none runs
// is not an error.
func (c *Conference) StopRecording(a Actor, roomID string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, err := c.recordingRoomLocked(a, roomID)
	if err != nil {
		return err
	}
	if c.recording == nil {
		return nil
	}
	err = c.stopRecordingLocked()
	c.publish(Event{Type: EventRecordingStopped, Room: ref(r)})
	return err
}

func (c *Conference) stopRecordingLocked() error {
	rec := c.recording
	c.recording = nil
	if rec.stop != nil {
		return rec.stop()
	}
	return nil
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
