package recording

import (
	"errors"
	"fmt"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/mixer"
)

// ErrNoMixer is returned when the room to record has no mixer to tap.
var ErrNoMixer = errors.New("recording: the room has no mixer to record")

// tappable is a room mixer that can hand its mix to a recording.
type tappable interface {
	SetTap(mixer.Tap)
}

// Recorder records a conference's main room into s: the conference calls
// it when a host starts a recording.
func (s *Store) Recorder() conference.Recorder { return recorder{s} }

type recorder struct{ s *Store }

func (r recorder) Start(conferenceID string, room conference.RoomMedia) (string, func() error, error) {
	m, ok := room.(tappable)
	if !ok {
		return "", nil, ErrNoMixer
	}
	rec, err := r.s.Start(conferenceID)
	if err != nil {
		return "", nil, fmt.Errorf("start recording %s: %w", conferenceID, err)
	}
	m.SetTap(rec)
	stop := func() error {
		// Untap first: the mixer must not write into a closed recording.
		m.SetTap(nil)
		return rec.Close()
	}
	return rec.ID(), stop, nil
}
