package resample

import "github.com/confgw/confgw/audio"

// Converter carries one stream of frames across a change of rate: an
// endpoint's audio into a room that mixes at another rate, or the room's
// mix out to an endpoint that speaks another. It keeps the filter history
// of the stream, so a stream needs its own Converter, one per direction.
// The zero value is ready to use.
type Converter struct {
	up   Up
	down Down
	// last is the conversion the previous frame took; switching direction
	// (the room changed rate) restarts the filter, whose history belongs
	// to the other stream.
	last conversion
}

type conversion uint8

const (
	copied conversion = iota
	upward
	downward
)

// Convert writes src into dst at dst.Rate, which the caller sets,
// resampling when src is at the other rate.
func (c *Converter) Convert(dst, src *audio.Frame) {
	switch {
	case src.Rate == dst.Rate:
		copy(dst.Samples(), src.Samples())
		c.last = copied
	case dst.Rate == audio.Wideband:
		if c.last != upward {
			c.up.Reset()
			c.last = upward
		}
		c.up.Process(dst.Samples(), src.Samples())
	default:
		if c.last != downward {
			c.down.Reset()
			c.last = downward
		}
		c.down.Process(dst.Samples(), src.Samples())
	}
}
