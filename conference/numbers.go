package conference

import "strings"

// A caller's phone number is personal: in a clinic's waiting room one
// patient must not learn another's, nor the interpreter's. Hosts, who
// dial out, ban and hang up by number, and the admin key see numbers
// whole; everyone else sees the last four digits, enough to tell two
// callers apart.

// numberShown is how many of a number's last characters stay readable.
const numberShown = 4

// MaskNumber hides all but the last four characters of a phone number
// (or SIP user), keeping a leading '+': "+15550100" reads "+****0100".
// One of four characters or fewer is hidden whole.
func MaskNumber(number string) string {
	if number == "" {
		return ""
	}
	plus := strings.HasPrefix(number, "+")
	body := strings.TrimPrefix(number, "+")
	runes := []rune(body)
	keep := 0
	if len(runes) > numberShown {
		keep = numberShown
	}
	masked := strings.Repeat("*", len(runes)-keep) + string(runes[len(runes)-keep:])
	if plus {
		return "+" + masked
	}
	return masked
}

// showsNumbersLocked tells whether a sees callers' numbers whole: the
// admin and the conference's hosts, as they are now. c.mu held.
func (c *Conference) showsNumbersLocked(a Actor) bool {
	if a.Admin {
		return true
	}
	m := c.members[a.ParticipantID]
	return m != nil && m.isHost()
}

// withNumberMasked is p as one who may not see numbers sees it. A caller
// named by its number, as one that sent no display name is, or by a
// display name that is a number (trunks often send it, spaced or
// punctuated), has its name masked too.
func (p Participant) withNumberMasked() Participant {
	if p.Phone == nil || p.Phone.Number == "" {
		return p
	}
	ph := *p.Phone
	if p.Name == ph.Number || looksLikeNumber(p.Name) {
		p.Name = MaskNumber(p.Name)
	}
	ph.Number = MaskNumber(ph.Number)
	p.Phone = &ph
	return p
}

// looksLikeNumber tells whether a name is a phone number written out: five
// digits or more, with nothing else but a leading '+' and the spaces,
// dashes, dots and brackets numbers are written with.
func looksLikeNumber(name string) bool {
	digits := 0
	for i, r := range name {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == ' ', r == '-', r == '.', r == '(', r == ')':
		default:
			return false
		}
	}
	return digits >= 5
}

func maskNumbers(ps []Participant) []Participant {
	out := make([]Participant, len(ps))
	for i, p := range ps {
		out[i] = p.withNumberMasked()
	}
	return out
}

func maskRoomNumbers(rooms []Room) []Room {
	out := make([]Room, len(rooms))
	for i, r := range rooms {
		r.Participants = maskNumbers(r.Participants)
		out[i] = r
	}
	return out
}

// InfoFor is Info as a sees it: callers' numbers masked unless a is a
// host or the admin.
func (c *Conference) InfoFor(a Actor) Info {
	c.mu.Lock()
	defer c.mu.Unlock()
	info := c.infoLocked()
	if !c.showsNumbersLocked(a) {
		info.Rooms = maskRoomNumbers(info.Rooms)
		info.Participants = maskNumbers(info.Participants)
	}
	return info
}

// RoomsFor is Rooms as a sees them.
func (c *Conference) RoomsFor(a Actor) []Room {
	c.mu.Lock()
	defer c.mu.Unlock()
	rooms := c.roomsLocked()
	if !c.showsNumbersLocked(a) {
		rooms = maskRoomNumbers(rooms)
	}
	return rooms
}

// ParticipantsFor is Participants as a sees them.
func (c *Conference) ParticipantsFor(a Actor) []Participant {
	c.mu.Lock()
	defer c.mu.Unlock()
	ps := c.participantsLocked("")
	if !c.showsNumbersLocked(a) {
		ps = maskNumbers(ps)
	}
	return ps
}

// ParticipantFor is Participant as a sees it.
func (c *Conference) ParticipantFor(a Actor, id string) (Participant, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, err := c.memberLocked(id)
	if err != nil {
		return Participant{}, err
	}
	p := m.snapshot()
	if !c.showsNumbersLocked(a) {
		p = p.withNumberMasked()
	}
	return p, nil
}
