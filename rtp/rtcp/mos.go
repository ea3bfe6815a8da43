package rtcp

import "time"

// E-model constants (ITU-T G.107, simplified as in Cole and Rosenbluth,
// "Voice over IP performance monitoring", 2001): the default basic
// signal-to-noise ratio, simultaneous impairment and advantage factor give
// R0 = 93.2 for a perfect narrowband call.
const (
	// RMax is R with no delay and no loss.
	RMax = 93.2
	// G711Ie is the equipment impairment of G.711 (G.113 Appendix I): none.
	G711Ie = 0
	// G711Bpl is G.711's packet-loss robustness with packet loss
	// concealment (G.113 Appendix I, Table I.3): the session conceals lost
	// frames, so the 4.3 of G.711 without concealment would be too harsh.
	G711Bpl = 25.1
	// delayKnee is where mouth-to-ear delay starts to hurt conversation
	// (G.107's Id rises steeply past about 177 ms).
	delayKnee = 177.3
)

// R is the simplified E-model's transmission rating for a G.711 call with
// the given one-way mouth-to-ear delay and random packet loss in percent:
// R = 93.2 - Id - Ie,eff, with Id = 0.024 d + 0.11 (d - 177.3) past the
// knee and Ie,eff = Ie + (95 - Ie) Ppl / (Ppl + Bpl), BurstR taken as 1.
func R(delay time.Duration, lossPct float64) float64 {
	d := float64(delay) / float64(time.Millisecond)
	d = max(d, 0)
	id := 0.024 * d
	if d > delayKnee {
		id += 0.11 * (d - delayKnee)
	}
	ppl := min(max(lossPct, 0), 100)
	ie := G711Ie + (95-G711Ie)*ppl/(ppl+G711Bpl)
	return RMax - id - ie
}

// MOS maps a rating R to the estimated mean opinion score of G.107 Annex
// B: 1 (bad) to 4.5, a perfect G.711 call scoring about 4.4.
func MOS(r float64) float64 {
	switch {
	case r <= 0:
		return 1
	case r >= 100:
		return 4.5
	}
	return 1 + 0.035*r + r*(r-60)*(100-r)*7e-6
}

// MOSOf is MOS(R(delay, lossPct)).
func MOSOf(delay time.Duration, lossPct float64) float64 { return MOS(R(delay, lossPct)) }
