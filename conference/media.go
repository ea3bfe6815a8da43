package conference

import (
	"time"

	"github.com/confgw/confgw/mixer"
)

// MixerRooms gives every room its own running mixer. Which participants a
// mixer hears is the conference's decision alone: phone legs are only ever
// attached to the main room's. observe, if not nil, sees each tick's
// duration; extra options (mixer.WithLateness) go to every room's mixer.
func MixerRooms(observe func(time.Duration), extra ...mixer.Option) func(conferenceID, roomID string) RoomMedia {
	return func(string, string) RoomMedia {
		opts := extra
		if observe != nil {
			// A fresh slice each time: appending to extra would share its
			// backing array between rooms.
			opts = append(append([]mixer.Option(nil), extra...), mixer.WithTickObserver(observe))
		}
		return mixer.Start(opts...)
	}
}
