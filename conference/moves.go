package conference

// Move sends a participant to a room. Hosts (and the admin) move anyone,
// wherever they are themselves.
func (c *Conference) Move(a Actor, id, roomID string) (Participant, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var p Participant
	err := c.change(true, func() error {
		m, err := c.targetLocked(a, id, false)
		if err != nil {
			return err
		}
		p, err = c.moveLocked(m, roomID)
		return err
	})
	return p, err
}

// Join moves the acting host itself into a room ("Join Room").
func (c *Conference) Join(a Actor, roomID string) (Participant, error) {
	if a.Admin {
		return Participant{}, errorf(CodeHostRequired, "joining a room needs a host's own token, not the admin key")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var p Participant
	err := c.change(true, func() error {
		m, err := c.authorize(a)
		if err != nil {
			return err
		}
		p, err = c.moveLocked(m, roomID)
		return err
	})
	return p, err
}

func (c *Conference) moveLocked(m *member, roomID string) (Participant, error) {
	to, err := c.roomLocked(roomID)
	if err != nil {
		return Participant{}, err
	}
	if m.Room == to.id {
		return m.snapshot(), nil
	}
	if m.Kind == KindPhone {
		return Participant{}, errorf(CodePhonePinned, "%s is a phone participant and stays in the main room", m.Name)
	}
	if m.version.Compare(c.cfg.MinClientVersion) < 0 {
		return Participant{}, errorf(CodeClientTooOld, "%s uses client %s; moving needs %s or later", m.Name, m.version, c.cfg.MinClientVersion)
	}
	c.placeLocked(m, to)
	c.settle()
	return m.snapshot(), nil
}

// placeLocked puts a member in a room, rewires its media and tells everyone,
// the member itself with a toast.
func (c *Conference) placeLocked(m *member, to *room) {
	from := c.rooms[m.Room]
	c.detachLocked(m)
	if m.Room == MainRoomID {
		m.Moderator = false
	}
	m.Room = to.id
	c.attachLocked(m, to)
	p := m.snapshot()
	var fromRef *RoomRef
	if from != nil {
		fromRef = ref(from)
	}
	c.publish(Event{Type: EventParticipantMoved, Participant: &p, From: fromRef, Room: ref(to)})
	c.publish(Event{Type: EventToast, Addressee: m.ID, Participant: &p, Room: ref(to),
		Message: to.toast(), TTLMillis: ToastTTL.Milliseconds()})
}
