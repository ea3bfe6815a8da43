package conference

import (
	"time"

	"github.com/confgw/confgw/mixer"
)

// MixerRooms gives every room its own running mixer. Breakout rooms' mixers
// refuse phone legs, so the media layer holds the main-room rule even if a
// bug elsewhere tried to move one. observe, if not nil, sees each tick's
// duration.
func MixerRooms(observe func(time.Duration)) func(conferenceID, roomID string) RoomMedia {
	return func(_, roomID string) RoomMedia {
		var opts []mixer.Option
		if observe != nil {
			opts = append(opts, mixer.WithTickObserver(observe))
		}
		if roomID != MainRoomID {
			opts = append(opts, mixer.RefusePinned())
		}
		return mixer.Start(opts...)
	}
}
