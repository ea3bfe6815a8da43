package rtcp

import (
	"math"
	"testing"
	"time"
)

func TestMOSMatchesKnownPointsOfTheEModel(t *testing.T) {
	for _, c := range []struct {
		delay time.Duration
		loss  float64
		want  float64
	}{
		{0, 0, 4.41},                      // R 93.2: G.711 at its best
		{0, 10, 3.42},                     // Ie,eff 27.1
		{0, 100, 1.18},                    // Ie,eff 75.9: nothing gets through
		{150 * time.Millisecond, 0, 4.33}, // Id 3.6
		{400 * time.Millisecond, 0, 3.05}, // past the knee: Id 34.1
		{200 * time.Millisecond, 5, 3.60}, // Id 7.3, Ie,eff 15.8
	} {
		if got := MOSOf(c.delay, c.loss); math.Abs(got-c.want) > 0.01 {
			t.Errorf("MOS(%s, %g%%) = %.3f, want %.2f", c.delay, c.loss, got, c.want)
		}
	}
}

func TestMOSStaysBetweenOneAndFourAndAHalf(t *testing.T) {
	for _, r := range []float64{-50, 0, 50, 100, 150} {
		if m := MOS(r); m < 1 || m > 4.5 {
			t.Errorf("MOS(%g) = %g", r, m)
		}
	}
	if MOSOf(-time.Second, -5) != MOSOf(0, 0) {
		t.Error("negative delay or loss is not taken as none")
	}
}
