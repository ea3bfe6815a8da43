package conference

import "strconv"

// AddRoom adds an empty breakout room named after the lowest free number.
func (c *Conference) AddRoom(a Actor) (Room, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var added Room
	err := c.change(true, func() error {
		if _, err := c.authorize(a); err != nil {
			return err
		}
		if !c.breakout {
			return ErrBreakoutDisabled
		}
		for n := 1; n <= MaxBreakoutRooms; n++ {
			id := strconv.Itoa(n)
			if _, used := c.rooms[id]; used {
				continue
			}
			r := c.newRoom(id, n)
			c.rooms[id] = r
			c.publish(Event{Type: EventRoomAdded, Room: ref(r)})
			added = Room{ID: id, Name: r.name(), Participants: []Participant{}}
			return nil
		}
		return ErrRoomLimit
	})
	return added, err
}

// DeleteRoom removes a breakout room and sends everyone in it back to the
// main room. A host cannot delete the room it is in itself.
func (c *Conference) DeleteRoom(a Actor, roomID string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.change(true, func() error {
		host, err := c.authorize(a)
		if err != nil {
			return err
		}
		if roomID == MainRoomID {
			return ErrMainRoomPermanent
		}
		r, err := c.roomLocked(roomID)
		if err != nil {
			return err
		}
		if host != nil && host.Room == r.id {
			return errorf(CodeHostInsideRoom, "you are in %s: join another room before deleting it", r.name())
		}
		c.deleteRoomLocked(r)
		c.settle()
		return nil
	})
}

func (c *Conference) deleteRoomLocked(r *room) {
	main := c.rooms[MainRoomID]
	for _, m := range c.membersIn(r.id) {
		c.placeLocked(m, main)
	}
	delete(c.rooms, r.id)
	c.later(func() {
		if r.media != nil {
			r.media.Close()
		}
	})
	c.publish(Event{Type: EventRoomDeleted, Room: ref(r)})
}

// membersIn lists a room's members in join order, so that everyone sent
// back by a deletion is told in a stable order.
func (c *Conference) membersIn(roomID string) []*member {
	var out []*member
	for _, p := range c.participantsLocked(roomID) {
		out = append(out, c.members[p.ID])
	}
	return out
}

// Rename always fails: breakout rooms keep the name the server gave them.
func (c *Conference) Rename(a Actor, roomID string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.authorize(a); err != nil {
		return err
	}
	if _, err := ParseRoomID(roomID); err != nil {
		return err
	}
	return ErrRenameNotSupported
}

// SetBreakout switches the breakout feature on or off. Switching it off
// sends everyone back to the main room and removes the breakout rooms.
func (c *Conference) SetBreakout(a Actor, enabled bool) error {
	return c.Configure(a, Settings{Breakout: &enabled})
}

// Settings are a conference's switches a host may change; nil leaves one
// as it is.
type Settings struct {
	Breakout *bool
	Keypad   *bool
}

// Configure changes a conference's settings in one change, told in one
// conference.updated naming those that changed. Switching breakout rooms
// off sends everyone back to the main room and removes the breakout rooms.
func (c *Conference) Configure(a Actor, s Settings) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.change(true, func() error {
		if _, err := c.authorize(a); err != nil {
			return err
		}
		var e Event
		if s.Breakout != nil && c.breakout != *s.Breakout {
			if !*s.Breakout {
				for _, r := range c.roomsLocked() {
					if r.ID != MainRoomID {
						c.deleteRoomLocked(c.rooms[r.ID])
					}
				}
			}
			b := *s.Breakout
			c.breakout, e.Breakout = b, &b
		}
		if s.Keypad != nil && c.keypad != *s.Keypad {
			k := *s.Keypad
			c.keypad, e.Keypad = k, &k
		}
		if e.Breakout == nil && e.Keypad == nil {
			return nil
		}
		e.Type = EventConferenceUpdated
		c.publish(e)
		c.settle()
		return nil
	})
}
