package conference

import (
	"time"

	"github.com/confgw/confgw/mixer"
)

// MixerRooms gives every room its own running mixer. Which participants a
// mixer hears is the conference's decision alone: phone legs are only ever
// attached to the main room's. observe, if not nil, sees each tick's
// duration.
func MixerRooms(observe func(time.Duration)) func(conferenceID, roomID string) RoomMedia {
	return func(string, string) RoomMedia {
		var opts []mixer.Option
		if observe != nil {
			opts = append(opts, mixer.WithTickObserver(observe))
		}
		return mixer.Start(opts...)
	}
}
