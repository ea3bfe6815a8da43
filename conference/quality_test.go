package conference_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/confgw/confgw/conference"
)

func TestAPhonesQualityIsNullUntilReportedAndThenShownWithoutAnEvent(t *testing.T) {
	m := newMeeting(t)
	p, _ := m.c.Participant(m.phone)
	b, _ := json.Marshal(p)
	if !strings.Contains(string(b), `"quality":null`) {
		t.Fatalf("a phone before any report: %s", b)
	}
	sub := m.c.Subscribe(8)
	defer sub.Close()
	m.c.PhoneQuality(m.phone, conference.PhoneQuality{PacketsIn: 250, MOS: 4.4}, "")
	p, _ = m.c.Participant(m.phone)
	if q := p.Phone.Quality; q == nil || q.PacketsIn != 250 || q.MOS != 4.4 {
		t.Fatalf("quality %+v", q)
	}
	select {
	case e := <-sub.C:
		t.Fatalf("figures alone published %s", e.Type)
	default:
	}
	m.c.PhoneQuality(m.phone, conference.PhoneQuality{LossPct: 12, Poor: true}, conference.QualityPoor)
	e := <-sub.C
	if e.Type != conference.EventParticipantQuality || e.Reason != conference.QualityPoor ||
		e.Participant == nil || e.Participant.Phone.Quality == nil || !e.Participant.Phone.Quality.Poor {
		t.Fatalf("event %+v", e)
	}
	// Reports may come in just after the leg left: they are ignored.
	m.c.Leave(m.phone, conference.ReasonCallerHungUp)
	m.c.PhoneQuality(m.phone, conference.PhoneQuality{}, conference.QualityRecovered)
	m.c.PhoneQuality(m.alice, conference.PhoneQuality{}, conference.QualityRecovered)
	for len(sub.C) > 0 {
		if e := <-sub.C; e.Type == conference.EventParticipantQuality {
			t.Fatalf("published for a participant gone or not on the phone: %+v", e)
		}
	}
}
