package conference

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"time"
)

// DefaultMaxBans is the bans a conference holds when Config.MaxBans is not
// set: far more numbers than a meeting is ever pestered from, and few
// enough that copying the list on a ban costs nothing.
const DefaultMaxBans = 1000

// maxBanReasonLen bounds a ban's reason, which is shown in lists and
// written to the store.
const maxBanReasonLen = 200

// Ban is a caller a host turned away for the rest of the conference. A
// phone's ban is by its number: a dial-in from it is refused until the ban
// is lifted. An app participant's ban is by its participant id: the
// participant is removed, so its token is refused at once and after any
// restart, and the ban is listed for the hosts to see who was sent away.
// Exactly one of Number and Participant is set.
type Ban struct {
	Number      string `json:"number,omitempty"`
	Participant string `json:"participant,omitempty"`
	// Name is the banned participant's name when it was banned, so that a
	// host reading the list knows whom a number was.
	Name string `json:"name,omitempty"`
	// BannedBy is the host's participant id, or "admin".
	BannedBy string    `json:"banned_by"`
	At       time.Time `json:"at"`
	Reason   string    `json:"reason,omitempty"`
}

// Key is what the ban is lifted by: the number, or the participant id of
// an app participant's ban.
func (b Ban) Key() string {
	if b.Number != "" {
		return b.Number
	}
	return b.Participant
}

// BanSpec asks for a ban along with a hang-up or a removal.
type BanSpec struct {
	// Reason is told to hosts listing the bans; it may be empty.
	Reason string
}

// NormalizeNumber is a caller's number as a phone participant shows it and
// as a ban matches it: what its SIP From header's user part says, without
// control characters and cut to the length a name may have. The gateway
// passes the user part (sip:+15550100@host gives +15550100), so a ban of
// a participant's number refuses the same caller's next dial-in.
func NormalizeNumber(number string) string {
	return printable(number, maxNameLen)
}

func checkBanReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if len(reason) > maxBanReasonLen || strings.ContainsAny(reason, "\r\n\x00") {
		return "", errorf(CodeInvalid, "reason must be at most %d characters on one line", maxBanReasonLen)
	}
	return reason, nil
}

func (c *Conference) maxBans() int {
	if c.cfg.MaxBans > 0 {
		return c.cfg.MaxBans
	}
	return DefaultMaxBans
}

// banLocked bans the member m leaving with its conference, in the change
// under way, and returns the other phone legs of a banned number, which
// go too: a caller dialled in twice is banned from both calls.
func (c *Conference) banLocked(a Actor, m *member, spec BanSpec) ([]*member, error) {
	reason, err := checkBanReason(spec.Reason)
	if err != nil {
		return nil, err
	}
	b := Ban{Name: m.Name, BannedBy: muter(a), At: c.now(), Reason: reason}
	if m.Kind == KindPhone {
		b.Number = NormalizeNumber(m.Phone.Number)
		if b.Number == "" {
			return nil, errorf(CodeNoCallerNumber, "the caller of participant %q sent no number to ban", m.ID)
		}
	} else {
		b.Participant = m.ID
	}
	if _, ok := c.bans[b.Key()]; !ok && len(c.bans) >= c.maxBans() {
		return nil, errorf(CodeBanLimit, "conference %q holds %d bans, as many as it may: lift one first", c.id, len(c.bans))
	}
	// The map is replaced, never changed, so that the journal's image of
	// the conference shares it rather than copying a thousand bans on
	// every change.
	bans := maps.Clone(c.bans)
	if bans == nil {
		bans = map[string]Ban{}
	}
	bans[b.Key()] = b
	c.bans = bans
	c.publish(Event{Type: EventBanAdded, Ban: &b})
	var others []*member
	if b.Number != "" {
		for _, o := range c.membersLocked("") {
			if o != m && o.Kind == KindPhone && NormalizeNumber(o.Phone.Number) == b.Number {
				others = append(others, o)
			}
		}
	}
	return others, nil
}

// Banned tells whether a dial-in from number is refused here.
func (c *Conference) Banned(number string) bool {
	number = NormalizeNumber(number)
	if number == "" {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.bans[number]
	return ok && b.Number != ""
}

// Bans lists the conference's bans, oldest first, to its hosts and the
// admin.
func (c *Conference) Bans(a Actor) ([]Ban, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.authorize(a); err != nil {
		return nil, err
	}
	return c.bansLocked(), nil
}

func (c *Conference) bansLocked() []Ban {
	// Never nil: the API's list of none is [], not null.
	out := make([]Ban, 0, len(c.bans))
	out = slices.AppendSeq(out, maps.Values(c.bans))
	slices.SortFunc(out, func(x, y Ban) int {
		return cmp.Or(x.At.Compare(y.At), cmp.Compare(x.Key(), y.Key()))
	})
	return out
}

// BanCount is how many bans the conference holds, for metrics.
func (c *Conference) BanCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.bans)
}

// Unban lifts a ban, by number or by an app participant's id. An app
// participant's ban lifted brings no one back: it was removed, and a host
// adds it again as a new participant.
func (c *Conference) Unban(a Actor, key string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.change(true, func() error {
		if _, err := c.authorize(a); err != nil {
			return err
		}
		b, ok := c.bans[key]
		if !ok {
			b, ok = c.bans[NormalizeNumber(key)]
		}
		if !ok {
			return errorf(CodeNotFound, "no ban of %q in conference %q", key, c.id)
		}
		bans := maps.Clone(c.bans)
		delete(bans, b.Key())
		c.bans = bans
		c.publish(Event{Type: EventBanRemoved, Ban: &b})
		return nil
	})
}
