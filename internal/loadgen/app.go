package loadgen

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/opus"
	"github.com/confgw/confgw/http/client"
	"github.com/confgw/confgw/http/wire"
	"github.com/confgw/confgw/internal/tone"
	"github.com/confgw/confgw/internal/webrtcpeer"
)

// The app legs' Opus: each tone is encoded once, at the wideband rate a
// browser's Opus reaches the gateway at, and every leg with that tone
// loops the same packets, so a hundred legs cost the generator no encoder.
const (
	appRate = audio.WidebandHz
	// opusWarmUp frames are encoded and thrown away, so the loop starts
	// where the encoder has settled on the tone.
	opusWarmUp = 25
	// opusLoop is how many packets each leg loops: the tone is a whole
	// number of cycles a frame, so the seam is one frame to the next of a
	// steady encoder.
	opusLoop = 50
	// appQuietPhases spread the quiet legs' faint tone over its period,
	// so that many of them do not add up in phase.
	appQuietPhases = 8
)

// appPayloads are the Opus packets app legs send.
type appPayloads struct {
	quiet  [appQuietPhases][][]byte
	talker [MaxTalkers][][]byte
}

// encodeTone encodes opusLoop frames of a freq tone of the given peak,
// starting offset samples into it.
func encodeTone(freq, peak float64, offset int) ([][]byte, error) {
	enc, err := opus.NewEncoder(appRate, opus.DefaultBitrate)
	if err != nil {
		return nil, err
	}
	gen := tone.Sine(freq, peak, appRate)
	skip := make([]int16, offset)
	gen.Fill(skip)
	f := audio.Frame{Rate: audio.Wideband}
	out := make([][]byte, 0, opusLoop)
	var buf [opus.MaxPacketSize]byte
	for i := range opusWarmUp + opusLoop {
		gen.Next(&f)
		n, err := enc.Encode(f.Samples(), buf[:])
		if err != nil {
			return nil, err
		}
		if i >= opusWarmUp {
			out = append(out, append([]byte(nil), buf[:n]...))
		}
	}
	return out, nil
}

func newAppPayloads() (*appPayloads, error) {
	p := &appPayloads{}
	period := appRate / int(quietHz)
	for i := range p.quiet {
		var err error
		if p.quiet[i], err = encodeTone(quietHz, quietPeak, i*period/appQuietPhases); err != nil {
			return nil, err
		}
	}
	for i, f := range talkerFreqs {
		var err error
		if p.talker[i], err = encodeTone(f, peakFor(TalkerDBFS), 0); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// appLeg is one app participant whose audio goes over WebRTC.
type appLeg struct {
	idx    int
	talker int // index into talkerFreqs, -1 for a quiet leg
	an     *analyzer

	peer     *webrtcpeer.Peer
	api      *client.Client // with the participant's own token
	pid      string
	location string
	join     time.Duration // from adding the participant to connected
	joined   bool
	dtx      bool // the gateway's answer asked for DTX
}

func (l *appLeg) up() bool { return l.joined }

// appFailure names a join that failed for the report: the API's error
// code, "connect" for ICE or DTLS that never completed, "error" else.
func appFailure(err error) string {
	var apiErr *client.APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.Code != "":
		return apiErr.Code
	case errors.As(err, &apiErr):
		return strconv.Itoa(apiErr.Status)
	case errors.Is(err, errConnect):
		return "connect"
	}
	return "error"
}

var errConnect = errors.New("ICE and DTLS did not complete")

// joinApp adds l as a participant, offers its audio and waits until the
// peer is connected, then starts it talking.
func (e *engine) joinApp(ctx context.Context, l *appLeg) error {
	opts := []webrtcpeer.Option{webrtcpeer.WithoutRecording()}
	if l.an != nil {
		an := l.an
		opts = append(opts, webrtcpeer.WithReceiver(func(f *audio.Frame, _ time.Time) { an.addPCM(f.Samples()) }))
	} else {
		opts = append(opts, webrtcpeer.WithoutDecoding())
	}
	if err := e.connectApp(ctx, l, opts...); err != nil {
		return err
	}
	switch {
	case l.talker >= 0 && !containsInt(e.cfg.absentTalkers, l.talker):
		l.peer.Loop(e.appPays.talker[l.talker])
	case l.dtx && !e.cfg.WebRTCNoDTX:
		l.peer.LoopDTX(e.appPays.quiet[l.idx%appQuietPhases], dtxEvery)
	default:
		l.peer.Loop(e.appPays.quiet[l.idx%appQuietPhases])
	}
	return nil
}

// dtxEvery is how often, in frames, a browser in discontinuous
// transmission sends a packet: every 400 ms, as libopus does.
const dtxEvery = 20

// connectApp adds l as a participant with a peer made with opts, offers
// its audio and waits until ICE and DTLS have completed.
func (e *engine) connectApp(ctx context.Context, l *appLeg, opts ...webrtcpeer.Option) error {
	start := time.Now()
	j, _, err := e.api.AddParticipant(ctx, e.cfg.Conference, wire.NewParticipant{
		Name: "Load app " + strconv.Itoa(l.idx), ClientVersion: appClientVersion,
	})
	if err != nil {
		return err
	}
	l.pid = j.Participant.ID
	l.api = client.New(e.cfg.Server, j.Token)
	peer, err := webrtcpeer.New(opus.Codec, opts...)
	if err != nil {
		return err
	}
	l.peer = peer
	offer, err := peer.Offer()
	if err != nil {
		return err
	}
	answer, loc, err := l.api.JoinAudio(ctx, e.cfg.Conference, offer)
	if err != nil {
		return err
	}
	l.location = loc
	l.dtx = strings.Contains(answer, "usedtx=1")
	if err := peer.Accept(answer); err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, e.cfg.SetupTimeout)
	defer cancel()
	if err := peer.WaitConnected(cctx); err != nil {
		return fmt.Errorf("%w: %v", errConnect, err)
	}
	l.join = time.Since(start)
	return nil
}

// appClientVersion is what app legs say their client is: new enough to
// be moved between rooms.
const appClientVersion = "5.0"

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// joinApps joins every app leg, cfg.Rate a second and a few at a time,
// and returns once all have joined or failed.
func (e *engine) joinApps(ctx context.Context, legs []*appLeg) {
	const parallel = 8
	sem := make(chan struct{}, parallel)
	interval := time.Duration(float64(time.Second) / e.cfg.Rate)
	start := time.Now()
	var wg sync.WaitGroup
	for i, l := range legs {
		if !sleep(ctx, time.Until(start.Add(time.Duration(i)*interval))) {
			break
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			e.mu.Lock()
			e.app.attempted++
			e.mu.Unlock()
			err := e.joinApp(ctx, l)
			e.mu.Lock()
			defer e.mu.Unlock()
			if err != nil {
				e.app.failures[appFailure(err)]++
				if e.app.firstErr == nil {
					e.app.firstErr = err
				}
				return
			}
			l.joined = true
			e.app.joined++
			e.app.joins = append(e.app.joins, l.join)
		}()
	}
	wg.Wait()
}

// leaveApps ends every app leg's audio and takes its participant out, a
// few at a time, then closes the peers.
func (e *engine) leaveApps(legs []*appLeg) {
	sem := make(chan struct{}, byeParallel)
	var wg sync.WaitGroup
	for _, l := range legs {
		if l.peer == nil {
			continue
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			ctx, cancel := context.WithTimeout(context.Background(), e.cfg.SetupTimeout)
			defer cancel()
			if l.location != "" {
				_ = l.api.LeaveAudio(ctx, l.location)
			}
			if l.pid != "" {
				_ = l.api.RemoveParticipant(ctx, e.cfg.Conference, l.pid)
			}
			_ = l.peer.Close()
		}()
	}
	wg.Wait()
}

// appCounters are one app leg's counters at a moment, and whether it was
// still connected then.
type appCounters struct {
	webrtcpeer.Stats
	connected bool
}

func snapshotApps(legs []*appLeg) []appCounters {
	out := make([]appCounters, len(legs))
	for i, l := range legs {
		if l.peer != nil {
			out[i] = appCounters{l.peer.Stats(), l.peer.Connected()}
		}
	}
	return out
}

// AppLeg is what one WebRTC leg sent and heard over the window.
type AppLeg struct {
	Leg        int    `json:"leg"`
	Talker     int    `json:"talker"` // index of its tone, -1 for a quiet leg
	PacketsIn  uint64 `json:"packets_in"`
	PacketsOut uint64 `json:"packets_out"`
	// Lost are sequence gaps in what the gateway sent; Late packets came
	// behind a later one; Concealed frames had nothing to play when the
	// leg's 20 ms playout (40 ms deep) came to them, lost or late.
	Lost      uint64 `json:"lost"`
	Late      uint64 `json:"late"`
	Concealed uint64 `json:"concealed"`
	// Overflowed frames were thrown away by a playout already 160 ms deep.
	Overflowed uint64 `json:"overflowed"`
	Dropped    bool   `json:"dropped,omitempty"`
}

// AppReport is the WebRTC legs' part of a run.
type AppReport struct {
	Legs     int            `json:"legs"`
	Talkers  int            `json:"talkers"`
	Joined   int            `json:"joined"`
	Failed   int            `json:"failed"`
	Failures map[string]int `json:"failures"`
	// FirstError is the first failed join's error, in full.
	FirstError string `json:"first_error,omitempty"`
	// Dropped counts legs whose connection failed or closed during the
	// hold.
	Dropped int `json:"dropped"`
	// JoinMS is from adding the participant to ICE and DTLS completed.
	JoinMS            Percentiles `json:"join_ms"`
	PacketsSent       uint64      `json:"packets_sent"`
	PacketsReceived   uint64      `json:"packets_received"`
	ReceivedPPSPerLeg Stats       `json:"received_pps_per_leg"`
	Lost              uint64      `json:"lost"`
	Late              uint64      `json:"late"`
	Concealed         uint64      `json:"concealed"`
	Overflowed        uint64      `json:"overflowed"`
	// ConcealedRatio is concealed frames over the frames the legs up
	// should have played in the window (50 a second each).
	ConcealedRatio    float64   `json:"concealed_ratio"`
	Sampled           int       `json:"sampled"`
	SampledHearingMix int       `json:"sampled_hearing_mix"`
	Hearing           []Hearing `json:"hearing,omitempty"`
	PerLeg            []AppLeg  `json:"per_leg"`
}

// appMedia fills r from the counters at the window's edges, over the legs
// that were up when it opened.
func appMedia(legs []*appLeg, before, after []appCounters, window time.Duration) *AppReport {
	r := &AppReport{PerLeg: []AppLeg{}}
	var pps []float64
	var expected float64
	for i, l := range legs {
		if !l.up() {
			continue
		}
		b, a := before[i], after[i]
		leg := AppLeg{
			Leg: l.idx, Talker: l.talker,
			PacketsIn: a.PacketsIn - b.PacketsIn, PacketsOut: a.PacketsOut - b.PacketsOut,
			Lost: a.Lost - b.Lost, Late: a.Late - b.Late, Concealed: a.Concealed - b.Concealed,
			Overflowed: a.Overflowed - b.Overflowed, Dropped: !a.connected,
		}
		r.PerLeg = append(r.PerLeg, leg)
		r.PacketsSent += leg.PacketsOut
		r.PacketsReceived += leg.PacketsIn
		r.Lost += leg.Lost
		r.Late += leg.Late
		r.Concealed += leg.Concealed
		r.Overflowed += leg.Overflowed
		if leg.Dropped {
			r.Dropped++
		}
		expected += framesPerSecond * window.Seconds()
		if window > 0 {
			pps = append(pps, float64(leg.PacketsIn)/window.Seconds())
		}
	}
	if expected > 0 {
		r.ConcealedRatio = round(math.Min(1, float64(r.Concealed)/expected), 6)
	}
	r.ReceivedPPSPerLeg = stats(pps)
	return r
}

// tableLegs bounds the app legs the table lists one by one: the worst
// by concealment; JSON has them all.
const tableLegs = 10

func (w *AppReport) writeRows(row func(k, format string, a ...any)) {
	row("webrtc legs", "%d, %d talking, %d joined, %d failed%s, %d dropped",
		w.Legs, w.Talkers, w.Joined, w.Failed, failureList(w.Failures), w.Dropped)
	if w.FirstError != "" {
		row("", "first failure: %s", w.FirstError)
	}
	row("webrtc join", "p50 %.1f ms, p99 %.1f ms, max %.1f ms (participant added to DTLS done)", w.JoinMS.P50, w.JoinMS.P99, w.JoinMS.Max)
	row("webrtc packets", "%d sent, %d received, %d lost, %d late", w.PacketsSent, w.PacketsReceived, w.Lost, w.Late)
	row("webrtc received pps/leg", "mean %.2f, min %.2f, max %.2f", w.ReceivedPPSPerLeg.Mean, w.ReceivedPPSPerLeg.Min, w.ReceivedPPSPerLeg.Max)
	row("webrtc concealed", "%d frames, %.4f of frames due, %d overflowed", w.Concealed, w.ConcealedRatio, w.Overflowed)
	worst := slices.Clone(w.PerLeg)
	slices.SortStableFunc(worst, func(a, b AppLeg) int { return cmp.Compare(b.Concealed+b.Lost, a.Concealed+a.Lost) })
	for _, l := range worst[:min(len(worst), tableLegs)] {
		if l.Concealed+l.Lost == 0 && !l.Dropped {
			break
		}
		row("", "leg %d: in %d, out %d, lost %d, late %d, concealed %d, dropped %t",
			l.Leg, l.PacketsIn, l.PacketsOut, l.Lost, l.Late, l.Concealed, l.Dropped)
	}
	row("webrtc mix", "%d of %d sampled hear the mix", w.SampledHearingMix, w.Sampled)
	for _, h := range w.Hearing {
		if !h.OK() {
			row("", "leg %d (talker %d): missing %v, hears itself %t", h.Leg, h.Talker, h.Missing, h.Self)
		}
	}
}

func (g *GatewayMetrics) writeRows(row func(k, format string, a ...any)) {
	if g.Error != "" {
		row("gateway metrics", "none: %s", g.Error)
		return
	}
	row("gateway CPU", "%.3f s, %.5f s per leg-minute", g.CPUSeconds, g.CPUPerLegMinute)
	for _, m := range g.Series {
		if m.Series == gatewayCPU {
			continue
		}
		row("", "%s: %g → %g (%+g)", m.Series, m.Before, m.After, m.Delta)
	}
}
