package http_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/internal/apitest"
)

func TestAParticipantQualityEventMatchesTheDocument(t *testing.T) {
	c, err := apitest.LoadContract()
	if err != nil {
		t.Fatal(err)
	}
	loss, rtt := 10.2, 41.5
	for name, q := range map[string]*conference.PhoneQuality{
		"before any report":        nil,
		"before the phone reports": {PacketsIn: 250, PacketsLost: 3, LossPct: 1.2, JitterMs: 3.5, MOS: 4.3},
		"with the phone's report":  {PacketsIn: 250, PacketsLost: -1, RemoteLossPct: &loss, JitterMs: 3.5, RTTMs: &rtt, MOS: 3.4, Poor: true},
	} {
		p := conference.Participant{ID: "p-1", Name: "+15550100", Kind: conference.KindPhone, Role: conference.RoleParticipant,
			Room: "main", JoinedAt: time.Now(),
			Phone: &conference.Phone{Number: "+15550100", Direction: conference.DialIn, State: conference.PhoneConnected, Quality: q}}
		b, _ := json.Marshal(conference.Event{Seq: 3, Type: conference.EventParticipantQuality, Conference: "c",
			At: time.Now(), Participant: &p, Reason: conference.QualityPoor})
		if err := c.CheckSchema("Event", b); err != nil {
			t.Errorf("%s: %v\n%s", name, err, b)
		}
	}
}
