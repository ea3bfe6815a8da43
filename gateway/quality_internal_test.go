package gateway

import (
	"testing"
	"time"

	"github.com/confgw/confgw/conference"
)

func TestTheQualityAlarmWantsLossSustainedAndRaisesAtMostOnePerWindow(t *testing.T) {
	a := qualityAlarm{threshold: 5, window: 10 * time.Second}
	t0 := time.Unix(1000, 0)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	for _, step := range []struct {
		at   float64
		loss float64
		want string
	}{
		{0, 8, ""},   // past the threshold: the window starts
		{5, 9, ""},   // not yet for long enough
		{7, 4, ""},   // back under: the window starts over
		{10, 12, ""}, // past again
		{15, 6, ""},
		{20, 7, conference.QualityPoor}, // ten seconds past the threshold
		{25, 50, ""},                    // already poor
		{26, 3, ""},                     // not under half the threshold: still poor
		{27, 2, ""},                     // under half: the recovery window starts
		{33, 1, ""},
		{37, 0, conference.QualityRecovered},
		{38, 30, ""},
		{48, 30, conference.QualityPoor},
	} {
		if got := a.update(at(step.at), step.loss); got != step.want {
			t.Fatalf("at %gs with %g%% loss: %q, want %q", step.at, step.loss, got, step.want)
		}
	}
}
