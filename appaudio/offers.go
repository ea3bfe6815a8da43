package appaudio

import (
	"errors"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// ErrTooManyOffers refuses an offer from a participant that has sent
// offers faster than its allowance: each one costs the gateway a DTLS
// certificate, ICE gathering and a peer connection (about a millisecond
// and a half of CPU), and replaces the last, so a page stuck in a
// reconnect loop would otherwise burn a core for nothing.
var ErrTooManyOffers = errors.New("too many media offers")

// DefaultOfferRate and offerBurst are a participant's allowance: a page
// that reloads, or retries after a failed connection, stays well within
// it.
const (
	DefaultOfferRate = 1.0 // offers per second, in the long run
	offerBurst       = 5
)

// sweepAt is how many participants' allowances are kept before the full
// ones are forgotten: a full bucket is the same as a new one.
const sweepAt = 4096

// offerLimits keeps each participant's allowance of offers.
type offerLimits struct {
	mu    sync.Mutex
	every rate.Limit
	byWho map[string]*rate.Limiter
}

func newOfferLimits(perSecond float64) *offerLimits {
	return &offerLimits{every: rate.Limit(perSecond), byWho: make(map[string]*rate.Limiter)}
}

// allow takes one offer from who's allowance, or tells how long until
// there is one.
func (o *offerLimits) allow(who string, now time.Time) (bool, time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	l, ok := o.byWho[who]
	if !ok {
		if len(o.byWho) >= sweepAt {
			o.sweep(now)
		}
		l = rate.NewLimiter(o.every, offerBurst)
		o.byWho[who] = l
	}
	r := l.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

func (o *offerLimits) sweep(now time.Time) {
	for who, l := range o.byWho {
		if l.TokensAt(now) >= offerBurst {
			delete(o.byWho, who)
		}
	}
}
