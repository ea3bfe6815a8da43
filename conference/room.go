package conference

import (
	"strconv"

	"github.com/confgw/confgw/mixer"
)

// MainRoomID is the id of the room every conference has.
const MainRoomID = "main"

// MaxBreakoutRooms is how many breakout rooms a conference may have.
const MaxBreakoutRooms = 20

const mainRoomName = "Main Room"

// Room is a snapshot of a room with its participants.
type Room struct {
	ID           string        `json:"id"`
	Name         string        `json:"name"`
	Count        int           `json:"count"`
	Participants []Participant `json:"participants"`
}

// RoomMedia is a room's audio mixer as the conference drives it: participants
// with media are attached while they are in the room and detached when they
// leave it, and a recording taps the room's mix.
type RoomMedia interface {
	Attach(id string, ep mixer.Endpoint) error
	Detach(id string)
	// SetMuted says whether the room hears the participant id, from the
	// next tick on; it holds for an id attached later.
	SetMuted(id string, muted bool)
	// SetTap hands the room's mix to t from the next tick on; nil removes
	// the tap. A tick in flight may still write to the tap just removed.
	SetTap(t mixer.Tap)
	Close()
}

type room struct {
	id     string
	number int // 0 for the main room
	media  RoomMedia
}

func (r *room) name() string {
	if r.number == 0 {
		return mainRoomName
	}
	return "Breakout room " + strconv.Itoa(r.number)
}

// toast is what a participant moved into this room is told.
func (r *room) toast() string {
	if r.number == 0 {
		return "You have been transferred to the Main Room."
	}
	return "You have been transferred to Breakout Room #" + strconv.Itoa(r.number) + "."
}

// ParseRoomID checks that s names a room a conference could have ("main" or
// "1".."20"), so a malformed id is told apart from a missing room.
func ParseRoomID(s string) (string, error) {
	if s == MainRoomID {
		return s, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxBreakoutRooms || strconv.Itoa(n) != s {
		return "", errorf(CodeInvalid, "room %q is not \"main\" or a number from 1 to %d", s, MaxBreakoutRooms)
	}
	return s, nil
}
