package gateway

import (
	"math"
	"time"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/rtp/rtpsession"
)

// Defaults of Quality.
const (
	DefaultQualityLossPct = 5
	DefaultQualityWindow  = 10 * time.Second
)

// Quality configures the legs' RTCP and the participant.quality alarm.
type Quality struct {
	// RTCPInterval is how often legs report; rtpsession's 5 s when zero.
	RTCPInterval time.Duration
	// RTCPBurst is how many RTCP datagrams a leg reads per interval;
	// rtpsession's default when zero.
	RTCPBurst int
	// LossPct is the loss, either way, past which a leg is poor once it
	// lasts Window; it recovers once the loss stays at half of it or less
	// for Window. Zero takes DefaultQualityLossPct.
	LossPct float64
	// Window is how long loss must last, and the least time between two
	// participant.quality events of a leg; DefaultQualityWindow when zero.
	Window time.Duration
}

func (q Quality) normalise() Quality {
	if q.LossPct <= 0 {
		q.LossPct = DefaultQualityLossPct
	}
	if q.Window <= 0 {
		q.Window = DefaultQualityWindow
	}
	return q
}

// qualityAlarm decides when a leg's call goes poor or recovers. The
// thresholds differ (hysteresis) and each state must hold for the window,
// so that a call hovering about the threshold raises no stream of events:
// at most one per leg per window.
type qualityAlarm struct {
	threshold float64
	window    time.Duration
	poor      bool
	since     time.Time // when the loss last crossed toward the other state
	lastEvent time.Time
}

// update takes a loss figure observed at now and returns
// conference.QualityPoor or QualityRecovered when the state changes, ""
// otherwise.
func (a *qualityAlarm) update(now time.Time, lossPct float64) string {
	var crossing bool
	if a.poor {
		crossing = lossPct <= a.threshold/2
	} else {
		crossing = lossPct > a.threshold
	}
	if !crossing {
		a.since = time.Time{}
		return ""
	}
	if a.since.IsZero() {
		a.since = now
	}
	if now.Sub(a.since) < a.window || (!a.lastEvent.IsZero() && now.Sub(a.lastEvent) < a.window) {
		return ""
	}
	a.poor, a.since, a.lastEvent = !a.poor, time.Time{}, now
	if a.poor {
		return conference.QualityPoor
	}
	return conference.QualityRecovered
}

// phoneQuality is the participant's view of a leg's figures, rounded to
// what a person reads.
func phoneQuality(q rtpsession.Quality, poor bool) conference.PhoneQuality {
	pq := conference.PhoneQuality{
		PacketsIn: q.PacketsIn, PacketsLost: q.PacketsLost,
		LossPct:  round2(q.LossPct),
		JitterMs: round2(ms(q.Jitter)),
		MOS:      round2(q.MOS),
		Poor:     poor,
	}
	if q.Remote {
		v := round2(q.RemoteLossPct)
		pq.RemoteLossPct = &v
	}
	if q.HasRTT {
		v := round2(ms(q.RTT))
		pq.RTTMs = &v
	}
	return pq
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// watchQuality takes the leg's figures as its RTCP produces them: into
// the metrics, the participant and, past the thresholds, an event. The
// session only signals, so that its receive path never waits on the
// conference.
func (l *leg) watchQuality() {
	defer close(l.qualityDone)
	alarm := qualityAlarm{threshold: l.g.quality.LossPct, window: l.g.quality.Window}
	for {
		select {
		case <-l.ctx.Done():
			return
		case <-l.qualityCh:
		}
		q, ok := l.sess.Quality()
		if !ok {
			continue
		}
		l.g.metrics.observeQuality(q)
		change := alarm.update(time.Now(), q.WorstLossPct)
		l.mu.Lock()
		pid := l.pid
		l.mu.Unlock()
		if change != "" {
			l.g.metrics.qualityEvents.WithLabelValues(change).Inc()
			l.log.Info("phone call quality", "participant", pid, "quality", change,
				"loss_pct", q.LossPct, "remote_loss_pct", q.RemoteLossPct, "mos", q.MOS)
		}
		if pid != "" {
			l.conf.PhoneQuality(pid, phoneQuality(q, alarm.poor), change)
		}
	}
}

// qualitySignal is the session's OnQuality: it wakes watchQuality, at
// most once per wake-up, and never blocks.
func (l *leg) qualitySignal(rtpsession.Quality) {
	select {
	case l.qualityCh <- struct{}{}:
	default:
	}
}
