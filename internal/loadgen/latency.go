package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/g711"
	"github.com/confgw/confgw/internal/webrtcpeer"
	"github.com/confgw/confgw/rtp/rtpwriter"
)

// Latency mode times mouth to ear through the gateway both ways, phone to
// app and app to phone. One phone leg (SIP, PCMU) and one app participant
// (WebRTC, Opus at 16 kHz) share the conference's main room, the only two
// in it for the figure to mean what it says, and both live in this
// process on loopback. Each sends silence and, every ClickEvery, a click:
// 5 ms of a 1 kHz burst at -6 dBFS starting on the first sample of a
// frame, after at least 100 ms of silence. The delay of one click is
//
//	arrival of the packet whose decoded audio carries the onset, at the
//	other peer (when its read returns, before decoding)
//	− the wall-clock time the RTP packet carrying the onset left the
//	  sender (right after its write returned)
//
// and the report gives its median and 95th percentile over the clicks
// heard each way. The onset is where the decoded audio first reaches a
// quarter of the click's peak.
//
// Phone → app, the figure includes: the phone leg's jitter buffer, whose
// target delay starts at 60 ms and adapts between 40 and 200 ms to the
// jitter it sees, which is most of it; the wait for the room's next tick
// (0 to 20 ms, as the packet's arrival falls against the 20 ms clock);
// the 8 → 16 kHz resampling filter's 1.69 ms; the mix; the hand-over to
// the session's sender goroutine, the gateway's Opus encode and its 6.5 ms
// lookahead; SRTP both ends and loopback's few microseconds.
//
// App → phone: the app peer's own Opus lookahead (6.5 ms); SRTP and the
// gateway's Opus decode; the session's playout queue, which starts playing
// once two frames wait (20 to 40 ms); the wait for the tick (0 to 20 ms);
// the mix; the 16 → 8 kHz filter's 1.69 ms; G.711 encode and send.
//
// The filters' and lookahead's delays are shorter than a frame: they move
// the onset within the frame it arrives in, and add to the packet figure
// only where they push it into the next packet. OnsetInFrameMS, where in
// its frame the onset arrived, carries them; the packet figure plus it is
// the onset's own delay from the first sample of the frame it was sent in.
// Neither includes what a real endpoint adds on its own: the 20 ms its
// capture fills a frame before the packet leaves, and its own playout
// buffer after the packet arrives.
//
// On a machine busy with other work the scheduler's delays add to every
// step; run it on a quiet machine for a figure of the gateway alone.

const (
	clickHz   = 1000
	clickPeak = 16384 // -6 dBFS
	clickLen  = 5 * time.Millisecond
	// onsetLevel is the decoded level at which a click counts as arrived:
	// a quarter of its peak, far above Opus's and the filters' pre-echo.
	onsetLevel = clickPeak / 4
	// quietFrames of silence must come before an onset, so that a click's
	// own tail is not taken for the next one.
	quietFrames = 5
)

// fillClick fills f with silence and, when click is set, a click starting
// on its first sample.
func fillClick(f *audio.Frame, click bool) {
	f.Silence()
	if !click {
		return
	}
	rate := f.Rate.Hz()
	n := f.Rate.Samples(clickLen)
	for i := range n {
		f.PCM[i] = int16(clickPeak * math.Cos(2*math.Pi*clickHz*float64(i)/float64(rate)))
	}
}

// clickWay is one direction's clicks: when each left, and the onsets the
// other end heard.
type clickWay struct {
	period time.Duration

	mu      sync.Mutex
	sent    []time.Time
	matched int // sent[:matched] are paired or passed
	delays  []time.Duration
	offsets []time.Duration
	stray   int // onsets with no click to pair

	// The listener's, on its receiving goroutine alone.
	quiet int
}

func (w *clickWay) left(at time.Time) {
	w.mu.Lock()
	w.sent = append(w.sent, at)
	w.mu.Unlock()
}

func (w *clickWay) clicks() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.sent)
}

// hear looks for a click's onset in one decoded frame that arrived at at,
// at rate samples a second.
func (w *clickWay) hear(samples []int16, rate int, at time.Time) {
	onset := -1
	for i, s := range samples {
		if s >= onsetLevel || s <= -onsetLevel {
			onset = i
			break
		}
	}
	if onset < 0 {
		w.quiet++
		return
	}
	fresh := w.quiet >= quietFrames
	w.quiet = 0
	if !fresh {
		return
	}
	offset := time.Duration(onset) * time.Second / time.Duration(rate)
	w.mu.Lock()
	defer w.mu.Unlock()
	// The click it is is the latest sent before it arrived, if within a
	// period; older unpaired ones were lost.
	i := w.matched
	for i < len(w.sent) && !w.sent[i].After(at) {
		i++
	}
	if i == w.matched || at.Sub(w.sent[i-1]) >= w.period {
		w.stray++
		return
	}
	w.delays = append(w.delays, at.Sub(w.sent[i-1]))
	w.offsets = append(w.offsets, offset)
	w.matched = i
}

// LatencyStats is one direction's mouth-to-ear figure, in milliseconds.
type LatencyStats struct {
	Clicks int `json:"clicks"` // sent
	Heard  int `json:"heard"`  // paired with an onset at the other end
	// Stray counts onsets with no click sent within a period before.
	Stray int     `json:"stray"`
	P50   float64 `json:"p50_ms"`
	P95   float64 `json:"p95_ms"`
	Min   float64 `json:"min_ms"`
	Max   float64 `json:"max_ms"`
	// OnsetInFrameMS is the median of where, in the frame it arrived
	// in, each onset lay.
	OnsetInFrameMS float64 `json:"onset_in_frame_ms"`
}

func (w *clickWay) stats() LatencyStats {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := LatencyStats{Clicks: len(w.sent), Heard: len(w.delays), Stray: w.stray}
	if len(w.delays) == 0 {
		return s
	}
	d := slices.Clone(w.delays)
	slices.Sort(d)
	s.P50, s.P95 = quantileMS(d, 0.5), quantileMS(d, 0.95)
	s.Min, s.Max = ms(d[0]), ms(d[len(d)-1])
	o := slices.Clone(w.offsets)
	slices.Sort(o)
	s.OnsetInFrameMS = quantileMS(o, 0.5)
	return s
}

func ms(d time.Duration) float64 { return round(float64(d)/float64(time.Millisecond), 2) }

// quantileMS is the q quantile of sorted d, the nearest rank.
func quantileMS(d []time.Duration, q float64) float64 {
	i := min(max(int(math.Ceil(q*float64(len(d))))-1, 0), len(d)-1)
	return ms(d[i])
}

// LatencyReport is what latency mode measured.
type LatencyReport struct {
	PhoneToApp LatencyStats `json:"phone_to_app"`
	AppToPhone LatencyStats `json:"app_to_phone"`
	// ClickEveryMS is the time between clicks each way.
	ClickEveryMS float64 `json:"click_every_ms"`
}

// clickSource is the app peer's voice: silence with a click every period,
// counted in the peer's own frames, after warm-up frames.
type clickSource struct {
	way            *clickWay
	warmUp, period int
	clicks         int

	frame   int
	pending bool // the frame just given carries a click
}

func (c *clickSource) Next(f *audio.Frame) {
	k := c.frame - c.warmUp
	c.pending = k >= 0 && k%c.period == 0 && k/c.period < c.clicks
	fillClick(f, c.pending)
	c.frame++
}

func (c *clickSource) sent(at time.Time) {
	if c.pending {
		c.way.left(at)
		c.pending = false
	}
}

// latencyPhone is the phone end: one RTP socket, its own 20 ms clock.
type latencyPhone struct {
	conn   *net.UDPConn
	remote *net.UDPAddr
	way    *clickWay // the phone's clicks
	ear    *clickWay // the app's, which the phone hears
}

func (p *latencyPhone) send(ctx context.Context, warmUp, period, clicks int) {
	w := rtpwriter.New(rand.Uint32(), uint16(rand.Uint32()), rand.Uint32())
	var (
		f   audio.Frame // narrowband
		pay [g711.FrameBytes]byte
		pkt [rtpwriter.HeaderSize + g711.FrameBytes]byte
	)
	t := time.NewTicker(frameInterval)
	defer t.Stop()
	start := time.Now()
	frame := 0
	for {
		due := int(time.Since(start)/frameInterval) + 1
		if due-frame > maxCatchUp {
			// Too late to send: lost, as a phone's would be.
			for ; due-frame > maxCatchUp; frame++ {
				w.Advance(frameSamples)
			}
		}
		for ; frame < due; frame++ {
			k := frame - warmUp
			click := k >= 0 && k%period == 0 && k/period < clicks
			fillClick(&f, click)
			g711.EncodeUlaw(pay[:], f.Samples())
			n, err := w.Marshal(pkt[:], 0, frame == 0, w.Timestamp(), pay[:])
			w.Advance(frameSamples)
			if err != nil {
				continue
			}
			if _, err := p.conn.WriteToUDP(pkt[:n], p.remote); err == nil && click {
				p.way.left(time.Now())
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (p *latencyPhone) receive() {
	buf := make([]byte, 1500)
	pcm := make([]int16, 0, frameSamples)
	for {
		n, err := p.conn.Read(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		at := time.Now()
		payload, _, ok := parseRTP(buf[:n])
		if !ok || len(payload) == 0 {
			continue
		}
		pcm = pcm[:len(payload)]
		g711.DecodeUlaw(pcm, payload)
		p.ear.hear(pcm, sampleRate, at)
	}
}

// runLatency sets up the phone and the app participant, clicks both ways
// and reports the delays.
func (e *engine) runLatency(ctx context.Context) (*Report, error) {
	cfg := e.cfg
	period := max(int(cfg.ClickEvery/frameInterval), 2*quietFrames)
	warmUp := max(int(cfg.Settle/frameInterval), 1)
	toApp := &clickWay{period: cfg.ClickEvery}
	toPhone := &clickWay{period: cfg.ClickEvery}

	app := &appLeg{idx: 0, talker: -1}
	src := &clickSource{way: toPhone, warmUp: warmUp, period: period, clicks: cfg.Clicks}
	e.app.attempted++
	err := e.connectApp(ctx, app,
		webrtcpeer.WithoutRecording(),
		webrtcpeer.WithReceiver(func(f *audio.Frame, at time.Time) { toApp.hear(f.Samples(), f.Rate.Hz(), at) }),
		webrtcpeer.WithSent(src.sent))
	defer e.leaveApps([]*appLeg{app})
	r := &Report{Mode: string(ModeLatency), Failures: map[string]int{}, Problems: []string{}}
	if err != nil {
		e.app.failures[appFailure(err)]++
		r.WebRTC = &AppReport{Legs: 1, Failed: 1, Failures: e.app.failures, FirstError: err.Error(), PerLeg: []AppLeg{}}
		r.Problems = append(r.Problems, "the app participant did not join: "+err.Error())
		return r, nil
	}
	app.joined = true
	e.app.joined++
	e.app.joins = append(e.app.joins, app.join)
	app.peer.Play(src)

	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: e.local})
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	phone := &latencyPhone{conn: conn, way: toApp, ear: toPhone}
	e.attempted++
	c, err := e.caller.dial(ctx, 0, conn.LocalAddr().(*net.UDPAddr).Port, cfg.SetupTimeout)
	if err != nil {
		if se, ok := err.(*SetupError); ok {
			e.failures[se.Kind]++
		} else {
			e.failures["error"]++
		}
		r = e.latencyReport(r, toApp, toPhone)
		r.Problems = append(r.Problems, "the phone call failed: "+err.Error())
		return r, nil
	}
	e.established++
	e.setups = append(e.setups, c.setup)
	phone.remote = c.remote
	media, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); phone.receive() }()
	go func() { defer wg.Done(); phone.send(media, warmUp, period, cfg.Clicks) }()

	// Clicks go out for warm-up plus Clicks periods; the last may still
	// be on its way for a period after.
	total := cfg.Settle + time.Duration(cfg.Clicks)*cfg.ClickEvery + 2*cfg.ClickEvery
	deadline := time.Now().Add(total + cfg.SetupTimeout)
	for (toApp.clicks() < cfg.Clicks || toPhone.clicks() < cfg.Clicks) && time.Now().Before(deadline) {
		if !sleep(ctx, 50*time.Millisecond) {
			break
		}
	}
	sleep(ctx, 2*cfg.ClickEvery)
	stop()
	bctx, cancel := context.WithTimeout(context.Background(), cfg.SetupTimeout)
	e.caller.hangup(bctx, c)
	cancel()
	_ = conn.Close()
	wg.Wait()
	return e.latencyReport(r, toApp, toPhone), nil
}

func (e *engine) latencyReport(r *Report, toApp, toPhone *clickWay) *Report {
	out := e.report(ModeLatency, 1)
	out.Problems = r.Problems
	out.WebRTC = &AppReport{Legs: 1, Joined: e.app.joined, Failures: e.app.failures, JoinMS: percentiles(e.app.joins), PerLeg: []AppLeg{}}
	out.Latency = &LatencyReport{PhoneToApp: toApp.stats(), AppToPhone: toPhone.stats(), ClickEveryMS: ms(e.cfg.ClickEvery)}
	if out.Established == 0 {
		return out
	}
	need := min(minClicksHeard, e.cfg.Clicks)
	if s := out.Latency.PhoneToApp; s.Heard < need {
		out.Problems = append(out.Problems, fmt.Sprintf("phone to app: %d of %d clicks heard, want %d", s.Heard, s.Clicks, need))
	}
	if s := out.Latency.AppToPhone; s.Heard < need {
		out.Problems = append(out.Problems, fmt.Sprintf("app to phone: %d of %d clicks heard, want %d", s.Heard, s.Clicks, need))
	}
	return out
}

// minClicksHeard is how many clicks each way a latency run must pair for
// its percentiles to pass.
const minClicksHeard = 20
