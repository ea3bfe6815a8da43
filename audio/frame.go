package audio

import "time"

// SampleRate is the rate, in samples per second, of the linear audio rooms
// mix and codecs decode to.
const SampleRate = 8000

// frameMillis is the frame length the whole audio path is cut to: the
// ptime phones are asked for and the period of every room's clock.
const frameMillis = 20

// FrameDuration is the length of one frame: a room mixes one frame per
// participant per FrameDuration.
const FrameDuration = frameMillis * time.Millisecond

// FrameSamples is the number of samples in one frame. It is untyped so that
// it counts samples, bytes or timestamp units alike.
const FrameSamples = SampleRate * frameMillis / 1000

// Frame is FrameDuration of signed 16-bit linear mono audio at SampleRate.
type Frame [FrameSamples]int16

// Samples returns how many samples at SampleRate last d, rounded down.
func Samples(d time.Duration) int {
	return int(int64(d) * SampleRate / int64(time.Second))
}
