// Package webrtcpeer is a WebRTC audio peer for tests: it offers audio the
// way a browser does, over real ICE, DTLS and SRTP on loopback, speaks a
// tone and keeps what it hears for tone detection.
package webrtcpeer

import (
	"context"
	"fmt"
	"sync"
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

// Peer is one test WebRTC endpoint.
type Peer struct {
	pc    *pion.PeerConnection
	track *pion.TrackLocalStaticRTP
	codec audio.Codec
	coder coder

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu    sync.Mutex
	heard []int16
	tone  *tone.Generator
}

// New returns a peer that offers codec, opus, PCMU or PCMA, for audio it
// sends and receives.
func New(codec audio.Codec) (*Peer, error) {
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
	p := &Peer{pc: pc, track: track, codec: codec, coder: cd}
	p.ctx, p.cancel = context.WithCancel(context.Background())
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
	p.mu.Lock()
	p.tone = tone.Sine(freq, 8000, p.coder.rate.Hz())
	p.mu.Unlock()
	p.wg.Add(1)
	go p.speak()
}

func (p *Peer) speak() {
	defer p.wg.Done()
	t := time.NewTicker(audio.FrameDuration)
	defer t.Stop()
	pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: p.codec.PayloadType}}
	var (
		f   = audio.Frame{Rate: p.coder.rate}
		buf [opus.MaxPacketSize]byte
	)
	for {
		select {
		case <-p.ctx.Done():
			return
		case <-t.C:
		}
		p.mu.Lock()
		p.tone.Next(&f)
		p.mu.Unlock()
		n, err := p.coder.encode(&f, buf[:])
		if err != nil {
			continue
		}
		pkt.Payload = buf[:n]
		pkt.SequenceNumber++
		pkt.Timestamp += p.codec.FrameTicks()
		_ = p.track.WriteRTP(&pkt)
	}
}

func (p *Peer) listen(t *pion.TrackRemote) {
	defer p.wg.Done()
	var f audio.Frame
	for {
		pkt, _, err := t.ReadRTP()
		if err != nil {
			return
		}
		if p.coder.decode(pkt.Payload, &f) != nil {
			continue
		}
		p.mu.Lock()
		p.heard = append(p.heard, f.Samples()...)
		p.mu.Unlock()
	}
}

// Rate is the rate, in samples per second, the peer speaks and hears at:
// its codec's.
func (p *Peer) Rate() int { return p.coder.rate.Hz() }

// Heard returns the last d of what the peer received, at Rate.
func (p *Peer) Heard(d time.Duration) []int16 {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := min(p.coder.rate.Samples(d), len(p.heard))
	return append([]int16(nil), p.heard[len(p.heard)-n:]...)
}

// Close ends the connection and waits for the peer's goroutines.
func (p *Peer) Close() error {
	p.cancel()
	err := p.pc.Close()
	p.wg.Wait()
	return err
}
