package mixer

import (
	"context"
	"sync"
	"time"

	"github.com/confgw/confgw/audio"
)

// MaxEndpoints is the most endpoints a room holds: the int32 sum of that
// many full-scale frames is the largest that cannot overflow, so mixes
// saturate and never wrap.
const MaxEndpoints = 1 << 16

// Mixer mixes one room. Attach, Detach, Len and SetTap may be called from
// any goroutine while ticks run.
type Mixer struct {
	observe func(time.Duration)
	late    func(time.Duration)
	gate    gate
	speech  speech

	// tickMu serialises ticks, which own the buffers below.
	tickMu sync.Mutex
	sum    [audio.MaxFrameSamples]int32
	full   audio.Frame
	solo   part // a tick on one goroutine
	tick   uint64
	// rate is the tick's: set from the endpoints attached when the tick
	// starts, and read by every part of the tick.
	rate audio.Rate
	// runCtx is Run's while it runs: a large room's tick then shares its
	// endpoints with a crew of goroutines that lives as long.
	runCtx context.Context
	crew   *crew
	// ticking is the tick's copy of the members, taken under mu at its
	// start, so that the tick calls endpoints without holding mu.
	ticking []*slot

	// mu guards membership and the tap, and is held only briefly: a tick
	// copies the members under it and lets go, so a join, a leave or a move
	// never waits for a tick, however slow. Each slot's own lock makes
	// Detach wait for no more than the call in flight on that one
	// endpoint, after which the endpoint is never called again and its
	// owner may tear it down. Endpoints must not call back into the Mixer.
	mu    sync.Mutex
	slots []*slot
	index map[string]int
	tap   Tap
	wide  int // attached endpoints whose native rate is wideband
	// muted holds the ids the room must not hear, attached or not yet.
	muted map[string]bool
}

// New returns an empty room mixer. It starts nothing: call Run for a live
// room, or MixOnce to drive ticks by hand.
func New(opts ...Option) *Mixer {
	m := &Mixer{index: make(map[string]int), muted: make(map[string]bool)}
	m.speech.power = powerAt(DefaultSpeakingLevel)
	for _, o := range opts {
		o(m)
	}
	return m
}

// Attach adds ep to the room under id, replacing any endpoint already
// attached under that id. It waits for no tick: ep is mixed from the next
// one on.
func (m *Mixer) Attach(id string, ep Endpoint) error {
	if ep == nil {
		return ErrNilEndpoint
	}
	s := &slot{id: id, ep: ep, wide: nativeRate(ep) == audio.Wideband}
	s.shared, _ = ep.(SharedListener)
	m.mu.Lock()
	s.muted.Store(m.muted[id])
	if i, ok := m.index[id]; ok {
		old := m.slots[i]
		m.countWide(old.wide, s.wide)
		m.slots[i] = s
		m.mu.Unlock()
		old.leave()
		return nil
	}
	if len(m.slots) >= MaxEndpoints {
		m.mu.Unlock()
		return ErrFull
	}
	m.countWide(false, s.wide)
	m.index[id] = len(m.slots)
	m.slots = append(m.slots, s)
	m.mu.Unlock()
	return nil
}

// countWide keeps the count of wideband endpoints as one slot goes from
// was to is.
func (m *Mixer) countWide(was, is bool) {
	if was {
		m.wide--
	}
	if is {
		m.wide++
	}
}

// Rate is the rate the room mixes at now: wideband while any attached
// endpoint speaks wideband natively, narrowband otherwise.
func (m *Mixer) Rate() audio.Rate {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.rateLocked()
}

func (m *Mixer) rateLocked() audio.Rate {
	if m.wide > 0 {
		return audio.Wideband
	}
	return audio.Narrowband
}

// Detach removes the endpoint attached under id, if any. Once it returns,
// the endpoint is neither heard nor called by the mixer again. It waits
// for no tick: only for a call into this endpoint that is in flight.
func (m *Mixer) Detach(id string) {
	m.mu.Lock()
	i, ok := m.index[id]
	if !ok {
		m.mu.Unlock()
		return
	}
	s := m.slots[i]
	m.countWide(s.wide, false)
	last := len(m.slots) - 1
	if i != last {
		m.slots[i] = m.slots[last]
		m.index[m.slots[i].id] = i
	}
	m.slots[last] = nil // drop the reference so the endpoint can be collected
	m.slots = m.slots[:last]
	delete(m.index, id)
	delete(m.muted, id)
	m.mu.Unlock()
	// A tick in flight may hold s in its copy; once s is left it skips it.
	s.leave()
}

// SetMuted says whether the room hears the endpoint attached under id,
// from the next tick on; a muted endpoint still hears the room. It holds
// for an endpoint attached under id later, so that one moved in muted is
// never heard for a tick, until Detach or SetMuted(id, false).
func (m *Mixer) SetMuted(id string, muted bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if muted {
		m.muted[id] = true
	} else {
		delete(m.muted, id)
	}
	if i, ok := m.index[id]; ok {
		m.slots[i].muted.Store(muted)
	}
}

// Len returns the number of attached endpoints.
func (m *Mixer) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.slots)
}

// SetTap makes t receive the room mix from the next tick on; nil removes
// the tap.
func (m *Mixer) SetTap(t Tap) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tap = t
}

// MixOnce mixes one tick. Every endpoint is read once and written once,
// silent ones included, so each leg's outbound stream keeps a steady clock.
// A talker hears everyone but itself; everyone else hears the full mix, and
// all of them are handed the same *audio.Frame in a tick, so a caller can encode
// it once per codec for all of them. Endpoints must not modify frames they
// are handed.
func (m *Mixer) MixOnce() {
	m.tickMu.Lock()
	defer m.tickMu.Unlock()
	var start time.Time
	if m.observe != nil {
		start = time.Now()
	}

	m.tick++
	m.mu.Lock()
	m.ticking = append(m.ticking[:0], m.slots...)
	m.rate = m.rateLocked()
	tap := m.tap
	m.mu.Unlock()

	m.mix()
	// The copy must not keep endpoints that have left alive until the
	// next tick overwrites it.
	clear(m.ticking)

	// A slow recorder holds up only this tick.
	if tap != nil {
		tap.WriteMix(&m.full)
	}
	if m.observe != nil {
		m.observe(time.Since(start))
	}
}

func (m *Mixer) mix() {
	n := len(m.ticking)
	k := 1
	if m.runCtx != nil {
		k = workersFor(n)
	}
	if k == 1 {
		samples := m.rate.FrameSamples()
		clear(m.solo.sum[:samples])
		m.runPart(&m.solo, phaseRead, 0, n)
		copy(m.sum[:samples], m.solo.sum[:samples])
		m.setFull()
		m.runPart(&m.solo, phaseWrite, 0, n)
		return
	}
	if m.crew == nil || len(m.crew.parts) < k {
		if m.crew != nil {
			m.crew.stop()
		}
		m.crew = newCrew(m.runCtx, m, k)
	}
	c := m.crew
	c.run(m, phaseRead, k)
	samples := m.rate.FrameSamples()
	clear(m.sum[:samples])
	for i := range c.parts {
		// Only parts that worked in this round hold this tick's sums.
		if c.parts[i].joined != c.round {
			continue
		}
		for j, v := range c.parts[i].sum[:samples] {
			m.sum[j] += v
		}
	}
	m.setFull()
	c.run(m, phaseWrite, k)
}

func (m *Mixer) setFull() {
	m.full.Rate = m.rate
	for k, v := range m.sum[:m.rate.FrameSamples()] {
		m.full.PCM[k] = clamp(v)
	}
}

// runPart reads or writes endpoints lo to hi, adding what it reads to p's
// sum. Workers run parts at once on different endpoints; each writes only
// its own slots and scratch, and reads m.sum and m.full, which are written
// between the phases.
func (m *Mixer) runPart(p *part, ph phase, lo, hi int) {
	slots := m.ticking[lo:hi]
	rate := m.rate
	n := rate.FrameSamples()
	if ph == phaseRead {
		var report func(Speaking) bool
		if r := m.speech.report.Load(); r != nil {
			report = *r
		}
		measure := m.gate.power != 0 || report != nil
		for _, s := range slots {
			s.in.Rate = rate
			// A muted endpoint is still read, so that its queue drains
			// and its audio is fresh when it is unmuted.
			heard := s.read() && !s.muted.Load()
			if heard && measure {
				s.power = power(s.in.PCM[:n])
			}
			s.talking = heard && (m.gate.power == 0 || m.gate.open(s))
			if report != nil && !idle(s, heard) {
				m.speech.observe(s, heard, m.tick, report)
			}
			if s.talking {
				for k, v := range s.in.PCM[:n] {
					p.sum[k] += int32(v)
				}
			}
		}
		return
	}
	p.minus.Rate = rate
	id := MixID{room: m, tick: m.tick}
	for _, s := range slots {
		if !s.talking {
			if s.shared != nil {
				s.writeShared(&m.full, id)
			} else {
				s.write(&m.full)
			}
			continue
		}
		// Subtracting before clamping keeps a talker's mix exact even when
		// the room's sum clips.
		for k, v := range s.in.PCM[:n] {
			p.minus.PCM[k] = clamp(m.sum[k] - int32(v))
		}
		s.write(&p.minus)
	}
}

// clamp saturates, because wrapping turns a loud peak into a loud click of
// the opposite sign.
func clamp(v int32) int16 {
	return int16(min(max(v, -32768), 32767))
}
