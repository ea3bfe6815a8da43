package conference

import (
	"fmt"
	"reflect"
	"time"
)

// Journal keeps what of the conferences must outlive the process: the
// conferences themselves, their breakout rooms and their app participants.
// Phone participants and audio sessions are not in it, since a call or a
// WebRTC session cannot survive the process that holds it.
//
// A conference calls its journal under its own lock and waits for the
// answer: a change is in the journal before anyone is told of it, and the
// changes of one conference reach the journal in the order they were made.
// A method that returns nil must have made the change durable.
type Journal interface {
	// Create records a new conference with its main room.
	Create(ConferenceRecord) error
	// Apply records one change of a conference, all of it or nothing.
	Apply(Change) error
	// Delete forgets an ended conference with its rooms and participants.
	Delete(conferenceID string) error
	// Load returns every conference recorded, for a registry to restore.
	Load() ([]Saved, error)
}

// ConferenceRecord is a conference as its journal keeps it.
type ConferenceRecord struct {
	ID, Title, DialIn, PIN string
	Breakout               bool
	Keypad                 bool
	CreatedAt              time.Time
	// EventSeq is a sequence number no event of the conference has gone
	// past: the conference reserves numbers ahead of its events, so that
	// after a restart it goes on above every number it ever gave out
	// without writing on each event.
	EventSeq uint64
}

// ParticipantRecord is an app participant as its journal keeps it.
type ParticipantRecord struct {
	ID            string
	Name          string
	Role          Role
	Moderator     bool
	Room          string
	ClientVersion string
	// Seq orders the participants as they joined.
	Seq      uint64
	JoinedAt time.Time
	// Muted, MutedBy and Locked are the participant's mute.
	Muted   bool
	MutedBy string
	Locked  bool
	// HandRaisedAt is when the participant raised its hand, zero while it
	// is down; Help that it asked for a host.
	HandRaisedAt time.Time
	Help         bool
}

// Change is what one change did to a conference's journaled state.
type Change struct {
	Conference string
	// Breakout is the new breakout_enabled; nil when it did not change.
	Breakout *bool
	// Keypad is the new keypad setting; nil when it did not change.
	Keypad *bool
	// EventSeq is a new reservation of event numbers; 0 when the old one
	// still holds.
	EventSeq           uint64
	AddRooms           []int
	DeleteRooms        []int
	PutParticipants    []ParticipantRecord
	DeleteParticipants []string
	// PutBans and DeleteBans are bans made and lifted, matched by Ban.Key.
	PutBans    []Ban
	DeleteBans []Ban
}

// empty tells a change that needs no write.
func (ch Change) empty() bool {
	return ch.Breakout == nil && ch.Keypad == nil && ch.EventSeq == 0 && len(ch.AddRooms) == 0 && len(ch.DeleteRooms) == 0 &&
		len(ch.PutParticipants) == 0 && len(ch.DeleteParticipants) == 0 &&
		len(ch.PutBans) == 0 && len(ch.DeleteBans) == 0
}

// Saved is a conference as a journal gives it back.
type Saved struct {
	ConferenceRecord
	// Rooms are the breakout rooms' numbers; the main room is implied.
	Rooms        []int
	Participants []ParticipantRecord
	// Bans are the conference's bans, oldest first.
	Bans []Ban
}

// seqBlock is how many event numbers a conference reserves at a time: a
// reservation is written once every seqBlock events at most.
const seqBlock = 1024

// storageError turns a journal's failure into the refusal clients get; the
// cause is logged here, the one place that sees it.
func (c *Conference) storageError(op string, err error) error {
	c.log().Error("saving the conference's state failed; the change was refused", "conference", c.id, "op", op, "err", err)
	return fmt.Errorf("%w: %w", ErrStorageUnavailable, err)
}

// record is a member as its journal keeps it.
func (m *member) record() ParticipantRecord {
	return ParticipantRecord{
		ID: m.ID, Name: m.Name, Role: m.Role, Moderator: m.Moderator, Room: m.Room,
		ClientVersion: m.ClientVersion, Seq: m.seq, JoinedAt: m.JoinedAt,
		Muted: m.Muted, MutedBy: m.MutedBy, Locked: m.Locked,
		HandRaisedAt: handTime(m.HandRaisedAt), Help: m.Help,
	}
}

// image is what a change may alter, kept to undo it or to tell what it did.
type image struct {
	breakout bool
	keypad   bool
	nextSeq  uint64
	rooms    map[string]*room
	members  map[string]*member
	values   map[*member]member
	// bans is shared with the conference: its map is never written to.
	bans map[string]Ban
}

func (c *Conference) imageLocked() image {
	im := image{
		breakout: c.breakout, keypad: c.keypad, nextSeq: c.nextSeq,
		rooms:   make(map[string]*room, len(c.rooms)),
		members: make(map[string]*member, len(c.members)),
		values:  make(map[*member]member, len(c.members)),
		bans:    c.bans,
	}
	for id, r := range c.rooms {
		im.rooms[id] = r
	}
	for id, m := range c.members {
		im.members[id] = m
		im.values[m] = *m
	}
	return im
}

func (c *Conference) restoreLocked(im image) {
	c.breakout, c.keypad, c.nextSeq, c.rooms, c.members, c.bans = im.breakout, im.keypad, im.nextSeq, im.rooms, im.members, im.bans
	for m, v := range im.values {
		*m = v
	}
}

// diff is what changed of the journaled state between before and now.
func (c *Conference) diffLocked(before image) Change {
	ch := Change{Conference: c.id}
	if before.breakout != c.breakout {
		b := c.breakout
		ch.Breakout = &b
	}
	if before.keypad != c.keypad {
		k := c.keypad
		ch.Keypad = &k
	}
	for id, r := range c.rooms {
		if _, ok := before.rooms[id]; !ok && r.number > 0 {
			ch.AddRooms = append(ch.AddRooms, r.number)
		}
	}
	for id, r := range before.rooms {
		if _, ok := c.rooms[id]; !ok && r.number > 0 {
			ch.DeleteRooms = append(ch.DeleteRooms, r.number)
		}
	}
	for id, m := range c.members {
		if m.Kind != KindApp {
			continue
		}
		old, ok := before.values[before.members[id]]
		if rec := m.record(); !ok || old.record() != rec {
			ch.PutParticipants = append(ch.PutParticipants, rec)
		}
	}
	for id, m := range before.members {
		if _, ok := c.members[id]; !ok && m.Kind == KindApp {
			ch.DeleteParticipants = append(ch.DeleteParticipants, id)
		}
	}
	if !sameMap(before.bans, c.bans) {
		for k, b := range c.bans {
			if old, ok := before.bans[k]; !ok || old != b {
				ch.PutBans = append(ch.PutBans, b)
			}
		}
		for k, b := range before.bans {
			if _, ok := c.bans[k]; !ok {
				ch.DeleteBans = append(ch.DeleteBans, b)
			}
		}
	}
	return ch
}

// change runs fn, which changes the conference under c.mu, and writes what
// it changed to the journal before any of it shows: fn's events and media
// work wait until the write is done. When the write fails, a strict change
// is undone and refused with CodeStorageUnavailable, as the API's changes
// must be; any other change (a call that ended) cannot be refused, so it
// stands and the failure is logged.
//
// A refusal of fn's own comes before fn changes anything, as every rule
// is checked first; it is undone all the same where there is an image to
// undo it from. Without a journal no image is taken: copying every member
// on each phone's join would cost a conference of thousands dearly.
func (c *Conference) change(strict bool, fn func() error) error {
	journaled := c.cfg.Journal != nil && !c.forgotten
	var before image
	if journaled {
		before = c.imageLocked()
	}
	c.deferring = true
	err := fn()
	c.deferring = false
	effects, events := c.effects, c.pendingEvents
	c.effects, c.pendingEvents = nil, 0
	if err != nil {
		if journaled {
			c.restoreLocked(before)
		}
		return err
	}
	if journaled {
		saved := &before
		if c.unsaved != nil {
			saved = c.unsaved
		}
		ch := c.diffLocked(*saved)
		if need := c.eventSeq + uint64(events); need > c.seqReserved {
			ch.EventSeq = need + seqBlock
		}
		if !ch.empty() {
			if werr := c.cfg.Journal.Apply(ch); werr != nil {
				if strict {
					c.restoreLocked(before)
					return c.storageError("apply", werr)
				}
				c.log().Error("saving the conference's state failed; it goes on in memory, to be saved with the next change", "conference", c.id, "err", werr)
				c.unsaved = saved
			} else {
				c.unsaved = nil
				if ch.EventSeq != 0 {
					c.seqReserved = ch.EventSeq
				}
			}
		}
	}
	for _, f := range effects {
		f()
	}
	return nil
}

// later runs f now, or once the change under way is written.
func (c *Conference) later(f func()) {
	if c.deferring {
		c.effects = append(c.effects, f)
		return
	}
	f()
}

// reserveLocked reserves event numbers once an event published outside
// any change (a phone's call, an audio session) went past the reservation. It cannot refuse the
// event, so a failure is only logged: at worst a restart reuses numbers,
// and streams resuming across it are reset all the same.
func (c *Conference) reserveLocked() {
	if c.cfg.Journal == nil || c.forgotten || c.eventSeq <= c.seqReserved {
		return
	}
	next := c.eventSeq + seqBlock
	if err := c.cfg.Journal.Apply(Change{Conference: c.id, EventSeq: next}); err != nil {
		c.log().Error("reserving event numbers failed", "conference", c.id, "err", err)
		return
	}
	c.seqReserved = next
}

// sameMap tells whether a and b are the one map (or both nil): bans are
// replaced on change, so an unchanged list is the same map.
func sameMap(a, b map[string]Ban) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}
