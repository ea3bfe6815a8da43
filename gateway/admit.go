package gateway

import (
	"net/netip"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/confgw/confgw/sourceaddr"
)

// Limits caps what dial-in callers may hold. A zero field sets no cap: the
// library takes every call, and confgw serve sets the caps from its flags.
type Limits struct {
	// MaxCalls caps dial-in calls up at once, from admission to hang-up.
	MaxCalls int
	// MaxUnacked caps dial-in calls admitted and not yet acknowledged: these
	// hold an RTP port for nothing until the ACK or the ACK timeout.
	MaxUnacked int
	// MaxUnackedPerSource is MaxUnacked for a single source.
	MaxUnackedPerSource int
	// InviteRate is the INVITEs per second a source may send on average,
	// InviteBurst how many it may send at once (1 when less).
	InviteRate  float64
	InviteBurst int
}

// Why a call was refused, as confgw_calls_refused_total labels it.
const (
	refuseCalls           = "max_calls"
	refuseUnacked         = "max_unacked"
	refuseUnackedBySource = "max_unacked_per_source"
	refuseRate            = "invite_rate"
	refuseSources         = "too_many_sources"
	// refuseBanned is a caller whose number a host banned from the
	// conference it called: no cap of the gateway's, but counted with
	// them as it too is turned away before any port is taken.
	refuseBanned = "banned"
)

// BannedReason is the reason phrase of the 403 a banned number's dial-in
// is answered with, for the caller's phone or proxy to show.
const BannedReason = "Forbidden (banned from this conference)"

// maxSources bounds the per-source table. Only a flood from more addresses
// than this within sourceIdle fills it (UDP sources can be spoofed), and
// then new sources are refused until idle ones are swept.
const maxSources = 100_000

// sourceIdle is how long a source's entry outlives its last INVITE once it
// holds no call awaiting its ACK: long enough for the bucket of any sane
// rate to have filled again, so that forgetting a source grants it nothing.
const sourceIdle = time.Minute

// source is what one source address holds.
type source struct {
	// invites is the source's allowance of INVITEs. It is held by value,
	// so that a new source costs one allocation.
	invites rate.Limiter
	// last is the time of the source's last INVITE, for the sweep.
	last    time.Time
	unacked int
	// waiting are the source's calls awaiting their ACK, oldest first,
	// for the global cap to take back from; kept only under that cap.
	waiting []*ticket
}

// admission counts calls against Limits. Its state is per source address,
// not per address and port: a caller that opens a new socket or TCP
// connection for each INVITE changes port at will, so a port-keyed cap
// would give each INVITE a fresh allowance. IPv6 sources are keyed by their
// /64, which one host usually holds whole.
type admission struct {
	lim Limits
	now func() time.Time
	// inviteRate and inviteBurst are each source's allowance of INVITEs:
	// Limits' InviteRate, or no limit when that is not above zero.
	inviteRate  rate.Limit
	inviteBurst int

	mu        sync.Mutex
	calls     int
	unacked   int
	sources   map[netip.Prefix]*source
	lastSweep time.Time
	// holders are the sources holding calls awaiting their ACK: at most
	// MaxUnacked of them, so looking for the greediest is cheap.
	holders map[netip.Prefix]*source
	evicted int // calls taken back for fairness, for metrics
}

func newAdmission(lim Limits) *admission {
	a := &admission{
		lim: lim, now: time.Now,
		inviteRate: rate.Inf, inviteBurst: max(lim.InviteBurst, 1),
		sources: map[netip.Prefix]*source{}, holders: map[netip.Prefix]*source{},
	}
	if lim.InviteRate > 0 {
		a.inviteRate = rate.Limit(lim.InviteRate)
	}
	return a
}

// sourceKey is the source a transport address "ip:port" counts against;
// the zero Prefix, which shares one entry, when it cannot be parsed.
func sourceKey(hostport string) netip.Prefix {
	ap, err := netip.ParseAddrPort(hostport)
	if err != nil {
		return netip.Prefix{}
	}
	return sourceaddr.Of(ap.Addr())
}

// ticket is an admitted call's place in the counts. Its fields are a.mu's.
type ticket struct {
	a       *admission
	key     netip.Prefix
	waiting bool // counted as awaiting its ACK
	closed  bool
	// giveUp ends the call's wait for its ACK early, when the global cap
	// takes its place back for a fairer source; it must not block.
	giveUp func()
}

// admit takes a call from src in, or tells which cap refuses it. giveUp,
// if not nil, ends the call's wait for its ACK when admission takes its
// place back: at the global cap of unacknowledged calls, a source holding
// fewer than the greediest holder (by two or more) takes the greediest's
// oldest place rather than being refused. Otherwise a flood from a few
// more addresses than the per-source cap divides into the global one
// would hold every place and shut real callers out, who ACK in
// milliseconds and never hold one for long.
func (a *admission) admit(src string, giveUp func()) (*ticket, string) {
	key := sourceKey(src)
	a.mu.Lock()
	defer a.mu.Unlock()
	// Read under the lock, so that the INVITEs of a source are charged to
	// its allowance in the order of their times.
	now := a.now()
	if now.Sub(a.lastSweep) >= sourceIdle/4 || len(a.sources) >= maxSources {
		a.sweep(now)
	}
	s := a.sources[key]
	if s == nil {
		if len(a.sources) >= maxSources {
			return nil, refuseSources
		}
		// A new Limiter's lock is free, so copying it is safe.
		s = &source{invites: *rate.NewLimiter(a.inviteRate, a.inviteBurst)}
		a.sources[key] = s
	}
	s.last = now
	// The allowance is taken from before any other cap, so that a source
	// refused for holding too much still spends its allowance retrying.
	if !s.invites.AllowN(now, 1) {
		return nil, refuseRate
	}
	// Taking a place back hangs a call up, so it comes last, once nothing
	// else would refuse this one.
	switch {
	case a.lim.MaxUnackedPerSource > 0 && s.unacked >= a.lim.MaxUnackedPerSource:
		return nil, refuseUnackedBySource
	case a.lim.MaxCalls > 0 && a.calls >= a.lim.MaxCalls:
		return nil, refuseCalls
	case a.lim.MaxUnacked > 0 && a.unacked >= a.lim.MaxUnacked && !a.takeBackFor(s):
		return nil, refuseUnacked
	}
	t := &ticket{a: a, key: key, waiting: true, giveUp: giveUp}
	a.calls++
	a.unacked++
	s.unacked++
	if a.lim.MaxUnacked > 0 {
		s.waiting = append(s.waiting, t)
		a.holders[key] = s
	}
	return t, ""
}

// takeBackFor frees a place under the global cap for s by ending the
// oldest wait of the source holding the most, if that holds at least two
// more than s; a.mu held.
func (a *admission) takeBackFor(s *source) bool {
	var most *source
	for _, h := range a.holders {
		if most == nil || h.unacked > most.unacked {
			most = h
		}
	}
	if most == nil || most.unacked < s.unacked+2 || len(most.waiting) == 0 {
		return false
	}
	victim := most.waiting[0]
	if victim.giveUp == nil {
		return false
	}
	a.stopWaiting(victim)
	a.evicted++
	victim.giveUp()
	return true
}

// stopWaiting takes t out of the unacknowledged counts; a.mu held.
func (a *admission) stopWaiting(t *ticket) {
	if !t.waiting {
		return
	}
	t.waiting = false
	a.unacked--
	s := a.sources[t.key]
	if s == nil {
		return
	}
	s.unacked--
	if i := slices.Index(s.waiting, t); i >= 0 {
		s.waiting = slices.Delete(s.waiting, i, i+1)
	}
	if s.unacked == 0 {
		delete(a.holders, t.key)
	}
}

// sweep drops sources idle for sourceIdle that hold nothing; a.mu held.
func (a *admission) sweep(now time.Time) {
	a.lastSweep = now
	for k, s := range a.sources {
		if s.unacked == 0 && now.Sub(s.last) >= sourceIdle {
			delete(a.sources, k)
		}
	}
}

// ack moves the call out of the unacknowledged counts.
func (t *ticket) ack() {
	t.a.mu.Lock()
	defer t.a.mu.Unlock()
	if !t.closed {
		t.a.stopWaiting(t)
	}
}

// close ends the call's admission; calling it again does nothing.
func (t *ticket) close() {
	t.a.mu.Lock()
	defer t.a.mu.Unlock()
	if t.closed {
		return
	}
	t.closed = true
	t.a.stopWaiting(t)
	t.a.calls--
}

// takenBack counts the calls whose wait for an ACK was ended to make room
// for a fairer source.
func (a *admission) takenBack() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.evicted
}

// size is the number of sources tracked, for tests and metrics.
func (a *admission) size() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.sources)
}
