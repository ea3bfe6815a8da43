package conference

import (
	"cmp"
	"regexp"
	"slices"
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
}

// NewRegistry returns an empty registry whose conferences share cfg.
func NewRegistry(cfg Config) *Registry {
	if cfg.MinClientVersion.IsZero() {
		cfg.MinClientVersion = MustVersion("4.14")
	}
	return &Registry{cfg: cfg, byID: map[string]*Conference{}, byDialIn: map[string]*Conference{}}
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
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.byID[spec.ID]; ok {
		return nil, errorf(CodeAlreadyExists, "conference %q already exists", spec.ID)
	}
	if _, ok := r.byDialIn[spec.DialIn]; ok {
		return nil, errorf(CodeAlreadyExists, "dial_in %q is taken by another conference", spec.DialIn)
	}
	c := newConference(spec, r.cfg)
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

// End ends a conference: every phone leg is hung up and it is forgotten.
func (r *Registry) End(a Actor, id string) error {
	if !a.Admin {
		return ErrAdminRequired
	}
	r.mu.Lock()
	c, ok := r.byID[id]
	if ok {
		delete(r.byID, id)
		delete(r.byDialIn, c.dialIn)
	}
	r.mu.Unlock()
	if !ok {
		return errorf(CodeNotFound, "no conference %q", id)
	}
	c.end()
	return nil
}

// EndAll ends every conference, as a server does when it shuts down.
func (r *Registry) EndAll() {
	for _, c := range r.List() {
		_ = r.End(Admin, c.id)
	}
}

// Stats counts what a registry holds, for metrics.
type Stats struct {
	Conferences  int
	Rooms        int
	Participants map[Kind]int
}

// Stats counts conferences, rooms and participants by kind.
func (r *Registry) Stats() Stats {
	s := Stats{Participants: map[Kind]int{KindApp: 0, KindPhone: 0}}
	for _, c := range r.List() {
		c.mu.Lock()
		s.Conferences++
		s.Rooms += len(c.rooms)
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
