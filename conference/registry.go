package conference

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Spec describes a conference to create.
type Spec struct {
	ID              string
	Title           string
	DialIn          string
	PIN             string
	BreakoutEnabled *bool
	// Keypad nil makes phone callers' keys commands, as most want.
	Keypad *bool
}

var (
	// ids and dial-in numbers end up in URLs and SIP Request-URIs: keep them
	// to characters that need no escaping in either.
	idPattern  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	pinPattern = regexp.MustCompile(`^[0-9]{1,16}$`)
)

const maxTitleLen = 200

// Registry holds the conferences of a server.
type Registry struct {
	cfg Config

	mu       sync.Mutex
	byID     map[string]*Conference
	byDialIn map[string]*Conference
	// taken holds the ids and dial-ins of conferences being written to the
	// journal, outside mu so that a slow disk stalls no look-up.
	taken map[string]bool
}

// NewRegistry returns an empty registry whose conferences share cfg.
func NewRegistry(cfg Config) *Registry {
	if cfg.MinClientVersion.IsZero() {
		cfg.MinClientVersion = MustVersion("4.14")
	}
	return &Registry{cfg: cfg, byID: map[string]*Conference{}, byDialIn: map[string]*Conference{}, taken: map[string]bool{}}
}

// RestoreRegistry returns a registry holding the conferences of
// cfg.Journal as they were recorded: their rooms and app participants,
// each where it was. Phones and audio sessions did not survive the
// process that held them, and streams resuming from before are reset.
func RestoreRegistry(cfg Config) (*Registry, error) {
	r := NewRegistry(cfg)
	if cfg.Journal == nil {
		return r, nil
	}
	saved, err := cfg.Journal.Load()
	if err != nil {
		return nil, fmt.Errorf("restore conferences: %w", err)
	}
	for _, s := range saved {
		c, err := restoreConference(s, r.cfg)
		if err != nil {
			r.EndAll()
			return nil, fmt.Errorf("restore conference %q: %w", s.ID, err)
		}
		r.byID[c.id] = c
		r.byDialIn[c.dialIn] = c
	}
	return r, nil
}

func restoreConference(s Saved, cfg Config) (*Conference, error) {
	b, k := s.Breakout, s.Keypad
	c := newConference(Spec{ID: s.ID, Title: s.Title, DialIn: s.DialIn, PIN: s.PIN, BreakoutEnabled: &b, Keypad: &k}, cfg)
	c.createdAt = s.CreatedAt
	c.eventSeq, c.seqReserved, c.restoredAt = s.EventSeq, s.EventSeq, s.EventSeq+1
	for _, n := range s.Rooms {
		id := strconv.Itoa(n)
		if _, err := ParseRoomID(id); err != nil || n == 0 {
			c.end()
			return nil, fmt.Errorf("room %d: %w", n, ErrInvalid)
		}
		c.rooms[id] = c.newRoom(id, n)
	}
	for _, p := range s.Participants {
		v, err := ParseVersion(p.ClientVersion)
		if err != nil {
			c.end()
			return nil, fmt.Errorf("participant %q: %w", p.ID, err)
		}
		if _, ok := c.rooms[p.Room]; !ok {
			// A room lost with its participants still in it: the main
			// room takes them, as it does when a room is deleted.
			p.Room = MainRoomID
		}
		c.members[p.ID] = &member{
			Participant: Participant{ID: p.ID, Name: p.Name, Kind: KindApp, Role: p.Role, Moderator: p.Moderator,
				Room: p.Room, ClientVersion: p.ClientVersion, JoinedAt: p.JoinedAt,
				Muted: p.Muted, MutedBy: p.MutedBy, Locked: p.Locked, Help: p.Help},
			seq: p.Seq, version: v,
		}
		if !p.HandRaisedAt.IsZero() {
			at := p.HandRaisedAt
			c.members[p.ID].Hand, c.members[p.ID].HandRaisedAt = true, &at
		}
		c.nextSeq = max(c.nextSeq, p.Seq)
	}
	if len(s.Bans) > 0 {
		c.bans = make(map[string]Ban, len(s.Bans))
		for _, b := range s.Bans {
			c.bans[b.Key()] = b
		}
	}
	c.mu.Lock()
	// The phones are gone: whoever they left alone in the main room leads it.
	_ = c.change(false, func() error {
		c.settle()
		return nil
	})
	c.mu.Unlock()
	return c, nil
}

// Create adds a conference.
func (r *Registry) Create(spec Spec) (*Conference, error) {
	spec.Title = strings.TrimSpace(spec.Title)
	if spec.Title == "" || len(spec.Title) > maxTitleLen || strings.ContainsAny(spec.Title, "\r\n\x00") {
		return nil, errorf(CodeInvalid, "title must be 1 to %d characters on one line", maxTitleLen)
	}
	if spec.ID == "" {
		spec.ID = newID("c-")
	}
	if !idPattern.MatchString(spec.ID) {
		return nil, errorf(CodeInvalid, "id %q must be 1 to 64 letters, digits, '.', '_' or '-'", spec.ID)
	}
	if spec.DialIn == "" {
		spec.DialIn = spec.ID
	}
	if !idPattern.MatchString(spec.DialIn) {
		return nil, errorf(CodeInvalid, "dial_in %q must be 1 to 64 letters, digits, '.', '_' or '-'", spec.DialIn)
	}
	if spec.PIN != "" && !pinPattern.MatchString(spec.PIN) {
		return nil, errorf(CodeInvalid, "pin must be 1 to 16 digits")
	}
	idKey, dialKey := "id:"+spec.ID, "dial:"+spec.DialIn
	r.mu.Lock()
	if _, ok := r.byID[spec.ID]; ok || r.taken[idKey] {
		r.mu.Unlock()
		return nil, errorf(CodeAlreadyExists, "conference %q already exists", spec.ID)
	}
	if _, ok := r.byDialIn[spec.DialIn]; ok || r.taken[dialKey] {
		r.mu.Unlock()
		return nil, errorf(CodeAlreadyExists, "dial_in %q is taken by another conference", spec.DialIn)
	}
	r.taken[idKey], r.taken[dialKey] = true, true
	r.mu.Unlock()

	c := newConference(spec, r.cfg)
	var err error
	if r.cfg.Journal != nil {
		c.seqReserved = seqBlock
		err = r.cfg.Journal.Create(ConferenceRecord{
			ID: c.id, Title: c.title, DialIn: c.dialIn, PIN: c.pin, Breakout: c.breakout, Keypad: c.keypad,
			CreatedAt: c.createdAt, EventSeq: c.seqReserved,
		})
		if err != nil {
			err = c.storageError("create", err)
			c.end()
		}
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.taken, idKey)
	delete(r.taken, dialKey)
	if err != nil {
		return nil, err
	}
	r.byID[spec.ID] = c
	r.byDialIn[spec.DialIn] = c
	return c, nil
}

// Get finds a conference by id.
func (r *Registry) Get(id string) (*Conference, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.byID[id]
	if !ok {
		return nil, errorf(CodeNotFound, "no conference %q", id)
	}
	return c, nil
}

// ByDialIn finds the conference phones reach by calling user.
func (r *Registry) ByDialIn(user string) (*Conference, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.byDialIn[user]
	if !ok {
		return nil, errorf(CodeNotFound, "no conference answers %q", user)
	}
	return c, nil
}

// List returns the conferences ordered by id.
func (r *Registry) List() []*Conference {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*Conference, 0, len(r.byID))
	for _, c := range r.byID {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *Conference) int { return cmp.Compare(a.id, b.id) })
	return out
}

// End ends a conference: every phone leg is hung up and it is forgotten,
// by the journal first: a conference the journal still holds is not ended.
func (r *Registry) End(a Actor, id string) error {
	if !a.Admin {
		return ErrAdminRequired
	}
	c, err := r.Get(id)
	if err != nil {
		return err
	}
	if err := c.forget(); err != nil {
		return err
	}
	r.drop(c)
	c.end()
	return nil
}

// EndAll ends every conference in this process, as a server does when it
// shuts down: the journal keeps them, for the next process to restore.
func (r *Registry) EndAll() {
	for _, c := range r.List() {
		r.drop(c)
		c.end()
	}
}

// drop takes c out of the registry unless another conference took its
// place meanwhile.
func (r *Registry) drop(c *Conference) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byID[c.id] == c {
		delete(r.byID, c.id)
	}
	if r.byDialIn[c.dialIn] == c {
		delete(r.byDialIn, c.dialIn)
	}
}

// forget deletes the conference from the journal and, in the same hold of
// its lock, marks it so that no later change writes it back.
func (c *Conference) forget() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended || c.forgotten {
		return errorf(CodeNotFound, "no conference %q", c.id)
	}
	if c.cfg.Journal != nil {
		if err := c.cfg.Journal.Delete(c.id); err != nil {
			return c.storageError("delete", err)
		}
	}
	c.forgotten = true
	return nil
}

// Stats counts what a registry holds, for metrics.
type Stats struct {
	Conferences  int
	Rooms        int
	Participants map[Kind]int
	// Bans counts the bans of every conference; MostBans is the most one
	// conference holds, to watch against Config.MaxBans.
	Bans, MostBans int
}

// Stats counts conferences, rooms and participants by kind.
func (r *Registry) Stats() Stats {
	s := Stats{Participants: map[Kind]int{KindApp: 0, KindPhone: 0}}
	for _, c := range r.List() {
		c.mu.Lock()
		s.Conferences++
		s.Rooms += len(c.rooms)
		s.Bans += len(c.bans)
		s.MostBans = max(s.MostBans, len(c.bans))
		for _, m := range c.members {
			s.Participants[m.Kind]++
		}
		c.mu.Unlock()
	}
	return s
}

// end removes everyone, hangs up the phone legs, stops the recording and the
// mixers, and closes every subscription after a last conference.ended event.
func (c *Conference) end() {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return
	}
	var legs []Leg
	for _, p := range c.participantsLocked("") {
		m := c.members[p.ID]
		if m.audio != nil {
			c.endAudioLocked(m, AudioEndLeft)
			p = m.snapshot()
		}
		c.detachLocked(m)
		delete(c.members, m.ID)
		c.publish(Event{Type: EventParticipantLeft, Participant: &p, Room: ref(c.rooms[p.Room]), Reason: ReasonConferenceEnded})
		if m.leg != nil {
			legs = append(legs, m.leg)
		}
	}
	rec := c.takeRecordingLocked()
	if rec != nil {
		c.publish(Event{Type: EventRecordingStopped, Room: ref(c.rooms[MainRoomID]), Recording: rec.as(RecordingStopped, nil)})
	}
	for _, r := range c.rooms {
		if r.media != nil {
			r.media.Close()
		}
	}
	c.ended = true
	close(c.done)
	c.publish(Event{Type: EventConferenceEnded, Reason: ReasonConferenceEnded})
	for s := range c.subs {
		delete(c.subs, s)
		close(s.ch)
	}
	c.mu.Unlock()
	if err := rec.finish(); err != nil {
		// No one is left to tell but the log.
		c.log().Error("recording failed as the conference ended", "conference", c.id, "recording", rec.ID, "err", err)
	}
	for _, l := range legs {
		l.HangUp(ReasonConferenceEnded)
	}
}
