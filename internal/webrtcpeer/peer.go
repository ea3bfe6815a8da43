// Package webrtcpeer is a WebRTC audio peer for tests and load: it offers
// audio the way a browser does, over real ICE, DTLS and SRTP on loopback,
// speaks a tone (or any audio, or ready payloads) and keeps what it hears
// for tone detection. It counts what it receives as a browser would feel
// it: packets, sequence gaps, and frames its playout had to conceal.
package webrtcpeer

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/opus"
	"github.com/confgw/confgw/internal/tone"
	"github.com/pion/ice/v4"
	"github.com/pion/logging"
	"github.com/pion/rtp"
	pion "github.com/pion/webrtc/v4"
)

// keepHeard bounds what a peer records of what it hears: Heard looks at
// the last moments only, and a peer left up for minutes must not grow
// without end.
const keepHeard = 10 * time.Second

// maxCatchUp bounds the frames sent at once after the peer's clock was
// held up; beyond it frames are skipped, as a browser's capture would be.
const maxCatchUp = 5

// Peer is one test WebRTC endpoint.
type Peer struct {
	pc    *pion.PeerConnection
	track *pion.TrackLocalStaticRTP
	codec audio.Codec
	coder coder
	opts  options

	ctx       context.Context
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	startOnce sync.Once
	connected atomic.Bool

	mu     sync.Mutex
	heard  []int16
	source func(out []byte) (int, error) // nil sends nothing
	enc    audio.Frame                   // the sender's, under mu

	play  playout
	stats struct {
		packetsIn, packetsOut, lost, late atomic.Uint64
	}
}

// Option adjusts a Peer.
type Option func(*options)

type options struct {
	decode   bool
	record   bool
	received func(f *audio.Frame, at time.Time)
	sent     func(at time.Time)
}

// WithoutDecoding makes the peer count what it receives without decoding
// it: Heard stays empty and WithReceiver is not called. A load generator's
// many peers save the decoder's time this way.
func WithoutDecoding() Option { return func(o *options) { o.decode = false } }

// WithReceiver calls fn with every frame the peer decodes, in order, and
// the time its packet was read off the connection. fn runs on the
// receiving goroutine and must not keep f.
func WithReceiver(fn func(f *audio.Frame, at time.Time)) Option {
	return func(o *options) { o.received = fn }
}

// WithoutRecording keeps Heard empty, for a peer whose receiver is all
// that looks at what it hears.
func WithoutRecording() Option { return func(o *options) { o.record = false } }

// WithSent calls fn right after each packet the peer sends has left, with
// the time it did, on the sending goroutine; a Source can thus learn when
// the frame it just gave went out. Packets written before the connection
// is up go nowhere and are not reported.
func WithSent(fn func(at time.Time)) Option { return func(o *options) { o.sent = fn } }

// New returns a peer that offers codec, opus, PCMU or PCMA, for audio it
// sends and receives.
func New(codec audio.Codec, opts ...Option) (*Peer, error) {
	o := options{decode: true, record: true}
	for _, opt := range opts {
		opt(&o)
	}
	cd, err := newCoder(codec)
	if err != nil {
		return nil, err
	}
	var se pion.SettingEngine
	// A test's peer closes mid-read all the time; pion would say so on
	// stderr in every run.
	quiet := logging.NewDefaultLoggerFactory()
	quiet.DefaultLogLevel = logging.LogLevelDisabled
	se.LoggerFactory = quiet
	se.SetNetworkTypes([]pion.NetworkType{pion.NetworkTypeUDP4})
	se.SetIncludeLoopbackCandidate(true)
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetInterfaceFilter(func(name string) bool { return name == "lo" })
	me := &pion.MediaEngine{}
	capability := pion.RTPCodecCapability{MimeType: "audio/" + codec.Name, ClockRate: codec.ClockRate, Channels: 1, SDPFmtpLine: codec.Fmtp}
	if codec.Is(opus.Codec) {
		capability.Channels = 2 // as RFC 7587 writes it, whatever is sent
	}
	if err := me.RegisterCodec(pion.RTPCodecParameters{RTPCodecCapability: capability, PayloadType: pion.PayloadType(codec.PayloadType)}, pion.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	api := pion.NewAPI(pion.WithMediaEngine(me), pion.WithSettingEngine(se))
	pc, err := api.NewPeerConnection(pion.Configuration{})
	if err != nil {
		return nil, err
	}
	track, err := pion.NewTrackLocalStaticRTP(capability, "audio", "peer")
	if err != nil {
		_ = pc.Close()
		return nil, err
	}
	if _, err := pc.AddTrack(track); err != nil {
		_ = pc.Close()
		return nil, err
	}
	p := &Peer{pc: pc, track: track, codec: codec, coder: cd, opts: o}
	p.enc.Rate = cd.rate
	p.ctx, p.cancel = context.WithCancel(context.Background())
	pc.OnConnectionStateChange(func(st pion.PeerConnectionState) {
		p.connected.Store(st == pion.PeerConnectionStateConnected)
	})
	pc.OnTrack(func(t *pion.TrackRemote, _ *pion.RTPReceiver) {
		p.wg.Add(1)
		go p.listen(t)
	})
	return p, nil
}

// Offering returns a new peer of codec, closed when the test ends, with its
// offer.
func Offering(tb testing.TB, codec audio.Codec) (*Peer, string) {
	tb.Helper()
	p, err := New(codec)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = p.Close() })
	offer, err := p.Offer()
	if err != nil {
		tb.Fatal(err)
	}
	return p, offer
}

// Offer returns the peer's complete offer, its candidates gathered.
func (p *Peer) Offer() (string, error) {
	offer, err := p.pc.CreateOffer(nil)
	if err != nil {
		return "", err
	}
	gathered := pion.GatheringCompletePromise(p.pc)
	if err := p.pc.SetLocalDescription(offer); err != nil {
		return "", err
	}
	<-gathered
	return p.pc.LocalDescription().SDP, nil
}

// Accept applies the gateway's answer.
func (p *Peer) Accept(answer string) error {
	return p.pc.SetRemoteDescription(pion.SessionDescription{Type: pion.SDPTypeAnswer, SDP: answer})
}

// WaitConnected waits until ICE and DTLS have completed, or ctx ends.
func (p *Peer) WaitConnected(ctx context.Context) error {
	for {
		switch st := p.pc.ConnectionState(); st {
		case pion.PeerConnectionStateConnected:
			return nil
		case pion.PeerConnectionStateFailed, pion.PeerConnectionStateClosed:
			return fmt.Errorf("webrtcpeer: connection %s", st)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("webrtcpeer: connection %s: %w", p.pc.ConnectionState(), ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Speak sends a sine tone of freq Hz, one packet per frame, until Close;
// freq 0 sends silence.
func (p *Peer) Speak(freq float64) {
	p.Play(tone.Sine(freq, 8000, p.coder.rate.Hz()))
}

// Source is audio a peer says, a frame at a time.
type Source interface {
	// Next fills f, whose Rate is set, with the next 20 ms.
	Next(f *audio.Frame)
}

// Play sends src, encoded with the peer's codec, one packet per frame,
// until Close or the next Speak, Play or Loop.
func (p *Peer) Play(src Source) {
	p.setSource(func(out []byte) (int, error) {
		src.Next(&p.enc)
		return p.coder.encode(&p.enc, out)
	})
}

// Loop sends the given payloads, already encoded with the peer's codec,
// one per frame and over again from the first once all are sent. Many
// peers can send the same payloads without each paying an encoder.
func (p *Peer) Loop(payloads [][]byte) {
	i := 0
	p.setSource(func(out []byte) (int, error) {
		n := copy(out, payloads[i])
		i = (i + 1) % len(payloads)
		return n, nil
	})
}

// LoopDTX is Loop for a silent user's browser in discontinuous
// transmission (usedtx=1): it sends one frame in every and nothing in
// between, as a browser sends a packet every 400 ms (every 20) while
// nobody speaks.
func (p *Peer) LoopDTX(payloads [][]byte, every int) {
	i, frame := 0, 0
	p.setSource(func(out []byte) (int, error) {
		frame++
		if (frame-1)%every != 0 {
			return 0, nil
		}
		n := copy(out, payloads[i])
		i = (i + 1) % len(payloads)
		return n, nil
	})
}

func (p *Peer) setSource(src func(out []byte) (int, error)) {
	p.mu.Lock()
	p.source = src
	p.mu.Unlock()
	p.startOnce.Do(func() {
		p.wg.Add(1)
		go p.run()
	})
}

// run is the peer's clock: every 20 ms it sends a frame and plays one out
// of what it received. Frames are counted against the start time, not the
// ticker, so that a late wake-up does the frames it owes.
func (p *Peer) run() {
	defer p.wg.Done()
	t := time.NewTicker(audio.FrameDuration)
	defer t.Stop()
	pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: p.codec.PayloadType}}
	var buf [opus.MaxPacketSize]byte
	start := time.Now()
	done := 0
	for {
		due := int(time.Since(start)/audio.FrameDuration) + 1
		for skip := due - done - maxCatchUp; skip > 0; skip-- {
			// Frames too late to send are lost, but the playout ran all
			// the same.
			p.play.tick()
			pkt.SequenceNumber++
			pkt.Timestamp += p.codec.FrameTicks()
			done++
		}
		for ; done < due; done++ {
			p.play.tick()
			p.mu.Lock()
			n, err := p.source(buf[:])
			p.mu.Unlock()
			pkt.Timestamp += p.codec.FrameTicks()
			if err == nil && n == 0 {
				// Discontinuous transmission: time passes, but no
				// packet is numbered, so the receiver sees no loss.
				continue
			}
			pkt.SequenceNumber++
			if err != nil {
				continue
			}
			pkt.Payload = buf[:n]
			// Before DTLS completes pion drops the packet and says nothing.
			if p.track.WriteRTP(&pkt) != nil || !p.connected.Load() {
				continue
			}
			p.stats.packetsOut.Add(1)
			if p.opts.sent != nil {
				p.opts.sent(time.Now())
			}
		}
		select {
		case <-p.ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (p *Peer) listen(t *pion.TrackRemote) {
	defer p.wg.Done()
	var (
		f       audio.Frame
		lastSeq uint16
		started bool
	)
	keep := p.coder.rate.Samples(keepHeard)
	for {
		pkt, _, err := t.ReadRTP()
		if err != nil {
			return
		}
		at := time.Now()
		p.stats.packetsIn.Add(1)
		if started {
			switch gap := pkt.SequenceNumber - lastSeq; {
			case gap == 0:
				continue // a duplicate
			case gap >= 0x8000:
				// Behind one that came already: its gap was counted
				// lost, and it comes too late to be played.
				p.stats.lost.Add(^uint64(0))
				p.stats.late.Add(1)
				continue
			default:
				p.stats.lost.Add(uint64(gap - 1))
			}
		}
		started, lastSeq = true, pkt.SequenceNumber
		p.play.push()
		if !p.opts.decode || p.coder.decode(pkt.Payload, &f) != nil {
			continue
		}
		if p.opts.received != nil {
			p.opts.received(&f, at)
		}
		if p.opts.record {
			p.mu.Lock()
			p.heard = append(p.heard, f.Samples()...)
			if len(p.heard) > 2*keep {
				p.heard = append(p.heard[:0], p.heard[len(p.heard)-keep:]...)
			}
			p.mu.Unlock()
		}
	}
}

// Connected says whether the peer's ICE and DTLS are up, as far as it
// knows: false before they complete and once the connection fails or
// closes.
func (p *Peer) Connected() bool { return p.connected.Load() }

// Rate is the rate, in samples per second, the peer speaks and hears at:
// its codec's.
func (p *Peer) Rate() int { return p.coder.rate.Hz() }

// Heard returns the last d of what the peer received, at Rate, up to the
// last ten seconds.
func (p *Peer) Heard(d time.Duration) []int16 {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := min(p.coder.rate.Samples(d), len(p.heard))
	return append([]int16(nil), p.heard[len(p.heard)-n:]...)
}

// Stats counts what a peer sent and received.
type Stats struct {
	// PacketsOut counts packets sent once connected; PacketsIn those
	// received, duplicates included.
	PacketsIn, PacketsOut uint64
	// Lost counts packets the sequence numbers say never came; Late those
	// that came behind a later one.
	Lost, Late uint64
	// Concealed counts frames the peer's playout had nothing to play for,
	// once it had started: what a browser fills with its concealment.
	Concealed uint64
	// Overflowed counts frames the playout threw away because too many
	// were waiting: the sender ran fast, or sent a burst.
	Overflowed uint64
}

// Stats returns the peer's counters so far. Playout only runs while the
// peer sends (after Speak, Play or Loop).
func (p *Peer) Stats() Stats {
	concealed, overflowed := p.play.counts()
	return Stats{
		PacketsIn:  p.stats.packetsIn.Load(),
		PacketsOut: p.stats.packetsOut.Load(),
		Lost:       p.stats.lost.Load(),
		Late:       p.stats.late.Load(),
		Concealed:  concealed,
		Overflowed: overflowed,
	}
}

// Close ends the connection and waits for the peer's goroutines.
func (p *Peer) Close() error {
	p.cancel()
	err := p.pc.Close()
	p.wg.Wait()
	return err
}
