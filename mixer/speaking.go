package mixer

import (
	"math"
	"sync/atomic"
	"time"
)

// Speaking is a change in whether an endpoint speaks, as its room hears
// it: what a speaking indicator shows.
type Speaking struct {
	ID       string
	Speaking bool
	// Level is the frame's level in dBov (a full-scale square wave is 0)
	// when the change was noticed.
	Level float64
	// At is when the tick noticed it: a receiver that re-attached the
	// endpoint since can tell a change of the old attachment, which may
	// reach it late, from one of the new.
	At time.Time
}

// Hysteresis of the speaking indicator, in ticks: on after 60 ms above the
// level, so a cough or a click does not light it; off after 400 ms below,
// so it does not flicker between words; and no two changes of one
// endpoint within 240 ms, which caps the events at about four a second.
const (
	speakOnTicks  = 3
	speakOffTicks = 20
	speakGapTicks = 12
)

// DefaultSpeakingLevel is the level, in dBov, above which an endpoint
// counts as speaking: quiet speech is some 20 dB above it and a quiet
// room's noise some 15 dB below.
const DefaultSpeakingLevel = -45

// speech watches who speaks. report is called from the tick and must not
// block; it returns false when the change could not be taken, and the tick
// offers it again the next time.
type speech struct {
	power  int64
	report atomic.Pointer[func(Speaking) bool]
}

// WithSpeakingLevel sets the level, in dBov, above which OnSpeaking counts
// an endpoint as speaking; DefaultSpeakingLevel without it.
func WithSpeakingLevel(dBov float64) Option {
	return func(m *Mixer) { m.speech.power = powerAt(dBov) }
}

// OnSpeaking has report told whenever an endpoint starts or stops speaking,
// with hysteresis and at most about four changes a second per endpoint. It
// is called from the tick, from several goroutines at once in a large
// room, and must return at once: false asks for the change again at the
// next tick, so none is lost. A muted endpoint does not speak.
func (m *Mixer) OnSpeaking(report func(Speaking) bool) {
	m.speech.report.Store(&report)
}

// observe follows s, which the room heard this tick if heard, and offers
// a change of its speaking to report. The tick calls it only for slots
// with something to follow (see idle), so a quiet room pays nothing.
func (sp *speech) observe(s *slot, heard bool, tick uint64, report func(Speaking) bool) {
	if heard && s.power >= sp.power {
		s.loud, s.quiet = min(s.loud+1, speakOnTicks), 0
	} else {
		s.quiet, s.loud = min(s.quiet+1, speakOffTicks), 0
	}
	switch {
	case !s.speaking && s.loud >= speakOnTicks:
		s.speaking = true
	case s.speaking && s.quiet >= speakOffTicks:
		s.speaking = false
	}
	if s.speaking == s.reported || (s.reportedAt != 0 && tick-s.reportedAt < speakGapTicks) {
		return
	}
	if report(Speaking{ID: s.id, Speaking: s.speaking, Level: dBov(s.power), At: time.Now()}) {
		s.reported, s.reportedAt = s.speaking, tick
	}
}

// idle tells a slot that neither speaks nor was heard nor owes a report:
// observing it would change nothing.
func idle(s *slot, heard bool) bool {
	return !heard && s.loud == 0 && !s.speaking && !s.reported
}

// powerAt is the mean squared sample of a frame at dBov.
func powerAt(dBov float64) int64 {
	amp := 32768 * math.Pow(10, dBov/20)
	return int64(amp * amp)
}

// dBov is the level of a frame of mean squared sample power, floored at
// -96 (silence).
func dBov(power int64) float64 {
	if power <= 0 {
		return -96
	}
	return max(10*math.Log10(float64(power)/(32768*32768)), -96)
}
