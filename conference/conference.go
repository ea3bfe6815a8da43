// Package conference holds the model of a conference and every rule of its
// breakout rooms. Each conference owns its state behind one mutex, so a rule
// is checked and applied in one step whoever calls at the same time.
package conference

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// Config is what every conference of a server shares.
type Config struct {
	// MinClientVersion is the oldest app client that can be moved between rooms.
	MinClientVersion Version
	// BreakoutDefault is breakout_enabled for conferences that do not say.
	BreakoutDefault bool
	// NewRoomMedia builds a room's mixer; nil runs conferences without media.
	NewRoomMedia func(conferenceID, roomID string) RoomMedia
	// Recorder writes the main room's audio; nil keeps recording as state only.
	Recorder Recorder
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger reports what fails with no one to answer to, such as a
	// recording's disk; nil logs nothing.
	Logger *slog.Logger
	// ReplayEvents is how many past events each conference keeps for
	// streams that reconnect with Last-Event-ID (DefaultReplayEvents when
	// zero or less).
	ReplayEvents int
	// Journal keeps the conferences across restarts; nil keeps them in
	// memory only.
	Journal Journal
	// MaxBans caps each conference's bans (DefaultMaxBans when zero or
	// less): every ban is kept in memory and in the journal.
	MaxBans int
}

// DefaultReplayEvents covers a burst of 2,000 moves (a move publishes the
// move and its toast) with room to spare, at about 1 MB per conference.
const DefaultReplayEvents = 4096

// Actor is who asks for a change: the admin key or a participant.
type Actor struct {
	Admin         bool
	ParticipantID string
}

// Admin is the actor of the server's admin key.
var Admin = Actor{Admin: true}

// As is the actor of a participant's token.
func As(participantID string) Actor { return Actor{ParticipantID: participantID} }

// Info is a snapshot of a conference. MinClientVersion lets clients grey out
// the moves the server would refuse.
type Info struct {
	ID              string `json:"id"`
	Title           string `json:"title"`
	DialIn          string `json:"dial_in"`
	PINRequired     bool   `json:"pin_required"`
	BreakoutEnabled bool   `json:"breakout_enabled"`
	// Keypad says whether phone callers' keys are commands once they
	// joined (*6 mute, *1 hand, *0 help).
	Keypad           bool          `json:"keypad"`
	MinClientVersion string        `json:"min_client_version"`
	Recording        *Recording    `json:"recording"`
	CreatedAt        time.Time     `json:"created_at"`
	Rooms            []Room        `json:"rooms"`
	Participants     []Participant `json:"participants"`
}

// Conference is one meeting: a main room, its breakout rooms and participants.
type Conference struct {
	id, title, dialIn, pin string
	cfg                    Config
	createdAt              time.Time

	// recMu serialises starting and stopping recordings, whose file work
	// runs outside mu so that a slow disk stalls no one else.
	recMu sync.Mutex

	mu        sync.Mutex
	ended     bool
	breakout  bool
	keypad    bool
	rooms     map[string]*room
	members   map[string]*member
	nextSeq   uint64
	eventSeq  uint64
	recording *activeRecording
	// bans are keyed by Ban.Key. The map is replaced on each change,
	// never written to, so that images of the conference may share it.
	bans map[string]Ban
	subs map[*Subscription]struct{}
	// recent keeps the last events so a reconnecting stream can pick up
	// where it left off (EventSource resends Last-Event-ID by itself). It
	// is a ring: shifting a slice of thousands of events on every publish
	// would cost more than the publish itself.
	recent ring
	// done is closed when the conference ends, for those waiting on it
	// without being members yet (a caller keying the PIN).
	done chan struct{}

	// speaking carries the room mixers' speaking changes to the relay,
	// started with the first room that has media.
	speaking     chan speakingChange
	speakingOnce sync.Once

	// deferring holds back the events and media work of a change until
	// the journal has it (see change); effects are what waits.
	deferring     bool
	effects       []func()
	pendingEvents int
	// seqReserved is the event number the journal has reserved up to.
	seqReserved uint64
	// restoredAt is the first event number of this life of a restored
	// conference: streams resuming from before it are reset, as the
	// restart dropped the phones without a word.
	restoredAt uint64
	// forgotten is set once the journal deleted the conference, which no
	// write may bring back.
	forgotten bool
	// unsaved is the state the journal last has, kept only while a change
	// that could not be refused failed to reach it: the next write goes
	// from there, so the journal catches up with everything since.
	unsaved *image
}

func newConference(spec Spec, cfg Config) *Conference {
	c := &Conference{
		id: spec.ID, title: spec.Title, dialIn: spec.DialIn, pin: spec.PIN,
		cfg:      cfg,
		breakout: cfg.BreakoutDefault,
		keypad:   true,
		rooms:    map[string]*room{},
		members:  map[string]*member{},
		subs:     map[*Subscription]struct{}{},
		done:     make(chan struct{}),
	}
	size := cfg.ReplayEvents
	if size <= 0 {
		size = DefaultReplayEvents
	}
	c.recent = newRing(size)
	if spec.BreakoutEnabled != nil {
		c.breakout = *spec.BreakoutEnabled
	}
	if spec.Keypad != nil {
		c.keypad = *spec.Keypad
	}
	c.createdAt = c.now()
	c.rooms[MainRoomID] = c.newRoom(MainRoomID, 0)
	return c
}

func (c *Conference) log() *slog.Logger {
	if c.cfg.Logger != nil {
		return c.cfg.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (c *Conference) now() time.Time {
	if c.cfg.Now != nil {
		return c.cfg.Now()
	}
	return time.Now()
}

func (c *Conference) newRoom(id string, number int) *room {
	r := &room{id: id, number: number}
	if c.cfg.NewRoomMedia != nil {
		// A room whose change is refused must not leave a mixer running.
		c.later(func() {
			r.media = c.cfg.NewRoomMedia(c.id, id)
			c.watchSpeaking(r)
		})
	}
	return r
}

// Done is closed when the conference ends.
func (c *Conference) Done() <-chan struct{} { return c.done }

// ID is the conference's id.
func (c *Conference) ID() string { return c.id }

// DialIn is the SIP user part phones call to reach this conference.
func (c *Conference) DialIn() string { return c.dialIn }

// CheckPIN tells whether pin opens this conference; a conference without a
// PIN needs none.
func (c *Conference) CheckPIN(pin string) bool { return c.pin == "" || pin == c.pin }

// Keypad tells whether a phone caller's keys are commands once it joined.
func (c *Conference) Keypad() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.keypad
}

// PINRequired tells whether callers must key a PIN.
func (c *Conference) PINRequired() bool { return c.pin != "" }

// Info returns a snapshot of the whole conference.
func (c *Conference) Info() Info {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.infoLocked()
}

func (c *Conference) infoLocked() Info {
	return Info{
		ID: c.id, Title: c.title, DialIn: c.dialIn, PINRequired: c.pin != "",
		BreakoutEnabled:  c.breakout,
		Keypad:           c.keypad,
		MinClientVersion: c.cfg.MinClientVersion.String(),
		Recording:        c.recordingInfo(),
		CreatedAt:        c.createdAt,
		Rooms:            c.roomsLocked(),
		Participants:     c.participantsLocked(""),
	}
}

// Rooms returns the rooms, main first, with their participants.
func (c *Conference) Rooms() []Room {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.roomsLocked()
}

// Participants returns every participant in the order they joined.
func (c *Conference) Participants() []Participant {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.participantsLocked("")
}

// Participant returns one participant.
func (c *Conference) Participant(id string) (Participant, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, err := c.memberLocked(id)
	if err != nil {
		return Participant{}, err
	}
	return m.snapshot(), nil
}

// Member reports whether the actor may read this conference: the admin, or a
// participant still in it.
func (c *Conference) Member(a Actor) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if a.Admin {
		return nil
	}
	if _, ok := c.members[a.ParticipantID]; !ok {
		return errorf(CodeUnauthorized, "participant %q is no longer in conference %q", a.ParticipantID, c.id)
	}
	return nil
}

func (c *Conference) roomsLocked() []Room {
	ids := make([]*room, 0, len(c.rooms))
	for _, r := range c.rooms {
		ids = append(ids, r)
	}
	slices.SortFunc(ids, func(a, b *room) int { return cmp.Compare(a.number, b.number) })
	out := make([]Room, 0, len(ids))
	for _, r := range ids {
		ps := c.participantsLocked(r.id)
		out = append(out, Room{ID: r.id, Name: r.name(), Count: len(ps), Participants: ps})
	}
	return out
}

// participantsLocked lists the members of roomID, or everyone when roomID is "".
func (c *Conference) participantsLocked(roomID string) []Participant {
	ms := c.membersLocked(roomID)
	out := make([]Participant, len(ms))
	for i, m := range ms {
		out[i] = m.snapshot()
	}
	return out
}

// membersLocked lists the members of roomID, or everyone when roomID is
// "", in the order they joined.
func (c *Conference) membersLocked(roomID string) []*member {
	ms := make([]*member, 0, len(c.members))
	for _, m := range c.members {
		if roomID == "" || m.Room == roomID {
			ms = append(ms, m)
		}
	}
	slices.SortFunc(ms, func(a, b *member) int { return cmp.Compare(a.seq, b.seq) })
	return ms
}

func (c *Conference) memberLocked(id string) (*member, error) {
	m, ok := c.members[id]
	if !ok {
		return nil, errorf(CodeNotFound, "no participant %q in conference %q", id, c.id)
	}
	return m, nil
}

// roomLocked finds a room by id, telling a malformed id, a switched-off
// feature and a missing room apart.
func (c *Conference) roomLocked(id string) (*room, error) {
	if _, err := ParseRoomID(id); err != nil {
		return nil, err
	}
	if id != MainRoomID && !c.breakout {
		return nil, ErrBreakoutDisabled
	}
	r, ok := c.rooms[id]
	if !ok {
		return nil, errorf(CodeNotFound, "no room %q in conference %q", id, c.id)
	}
	return r, nil
}

// Authorize tells whether the actor may act as a host here right now.
func (c *Conference) Authorize(a Actor) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err := c.authorize(a)
	return err
}

// authorize checks, on the live role, that the actor may change the conference.
func (c *Conference) authorize(a Actor) (*member, error) {
	if c.ended {
		return nil, ErrEnded
	}
	if a.Admin {
		return nil, nil
	}
	m, ok := c.members[a.ParticipantID]
	if !ok {
		return nil, errorf(CodeUnauthorized, "participant %q is no longer in conference %q", a.ParticipantID, c.id)
	}
	if !m.isHost() {
		return nil, ErrHostRequired
	}
	return m, nil
}

// publish tells subscribers of e, once the change under way is written.
func (c *Conference) publish(e Event) {
	if c.deferring {
		c.pendingEvents++
		c.effects = append(c.effects, func() { c.deliver(e) })
		return
	}
	c.deliver(e)
}

func (c *Conference) deliver(e Event) {
	c.eventSeq++
	c.reserveLocked()
	e.Seq = c.eventSeq
	e.Conference = c.id
	e.At = c.now()
	c.recent.add(e)
	v := eventView{e: e}
	for s := range c.subs {
		ev, shown := v.forLocked(c, s)
		if !shown {
			s.last = e.Seq
			continue
		}
		// The last slot is kept for the notice, so a lagging subscriber
		// learns where to resume instead of only seeing its channel close.
		if len(s.ch) >= cap(s.ch)-1 {
			s.ch <- Event{Type: EventStreamLagged, Seq: s.last, Conference: c.id, At: e.At}
			delete(c.subs, s)
			close(s.ch)
			continue
		}
		s.ch <- ev
		s.last = e.Seq
	}
}

// Subscribe follows all the conference's events from now on, as the
// gateway itself sees them. buffer bounds how far a subscriber may lag
// before it is dropped.
func (c *Conference) Subscribe(buffer int) *Subscription {
	return c.SubscribeAfter(0, buffer)
}

// SubscribeAs is SubscribeAfter for a's events stream: only the events a
// may see, as a may see them (see eventView).
func (c *Conference) SubscribeAs(a Actor, seq uint64, buffer int) *Subscription {
	return c.subscribe(&a, seq, buffer)
}

// SubscribeAfter follows the events after sequence number seq: those still
// kept are delivered first, then the new ones. When some of them are no
// longer kept (or seq is not one this conference gave, as after a restart)
// the first event is a stream.reset: the subscriber must re-read the state.
// A subscriber more than buffer events behind gets a stream.lagged naming
// the last event it was sent, and its channel is closed.
func (c *Conference) SubscribeAfter(seq uint64, buffer int) *Subscription {
	return c.subscribe(nil, seq, buffer)
}

func (c *Conference) subscribe(viewer *Actor, seq uint64, buffer int) *Subscription {
	c.mu.Lock()
	defer c.mu.Unlock()
	var replay []Event
	reset := false
	if seq > 0 {
		oldest := c.recent.oldest()
		// Events seq+1 up to the oldest kept are gone when the oldest kept
		// is further on; a seq ahead of ours is from another life of the
		// server.
		reset = seq > c.eventSeq || oldest > seq+1 || seq < c.restoredAt
		replay = c.recent.after(seq)
	}
	n := max(buffer, 1) + len(replay) + 1
	if reset {
		n++
	}
	ch := make(chan Event, n)
	s := &Subscription{C: ch, ch: ch, conf: c, last: seq, viewer: viewer}
	if reset {
		ch <- Event{Type: EventStreamReset, Seq: c.eventSeq, Conference: c.id, At: c.now()}
		s.last = c.eventSeq
		replay = nil
	}
	for _, e := range replay {
		v := eventView{e: e}
		if ev, shown := v.forLocked(c, s); shown {
			ch <- ev
		}
		s.last = e.Seq
	}
	if c.ended {
		close(ch)
		return s
	}
	c.subs[s] = struct{}{}
	return s
}

func (c *Conference) unsubscribe(s *Subscription) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.subs[s]; ok {
		delete(c.subs, s)
		close(s.ch)
	}
}

// settle applies the moderator rule after a change: the one participant left
// alone in the main room becomes its moderator.
func (c *Conference) settle() {
	var alone *member
	n := 0
	for _, m := range c.members {
		if m.Room == MainRoomID {
			n++
			alone = m
		}
	}
	if n == 1 && !alone.Moderator {
		alone.Moderator = true
		p := alone.snapshot()
		c.publish(Event{Type: EventParticipantPromoted, Participant: &p, Room: ref(c.rooms[MainRoomID])})
	}
}

func newID(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}
