package rtpsession

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/g711"
	"github.com/confgw/confgw/internal/tone"
	"github.com/confgw/confgw/jitter"
	"github.com/confgw/confgw/rtp/dtmf"
)

// hang is how long a test waits for something that should happen at once;
// reaching it means the code under test is stuck, not slow.
const hang = 10 * time.Second

// fixedDelay pins the jitter buffer's delay to two frames, so that how many
// packets must be queued before playout does not depend on arrival timing.
var fixedDelay = []jitter.Option{
	jitter.WithTargetDelay(40 * time.Millisecond),
	jitter.WithDelayBounds(40*time.Millisecond, 40*time.Millisecond),
}

var quiet = slog.New(slog.DiscardHandler)

// phone is a fake SIP phone's media side on a loopback socket.
type phone struct {
	t     *testing.T
	conn  *net.UDPConn
	ssrc  uint32
	seq   uint16
	ts    uint32
	tone  *tone.Generator
	frame audio.Frame
}

func newPhone(t *testing.T) *phone {
	t.Helper()
	return newPhoneAt(t, net.IPv4(127, 0, 0, 1))
}

// newPhoneAt is a phone on another host: any 127/8 address is local.
func newPhoneAt(t *testing.T, ip net.IP) *phone {
	t.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: ip})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return &phone{t: t, conn: conn, ssrc: 0x5eed, seq: 1000, ts: 50000,
		tone: tone.Sine(1000, 8000, audio.NarrowbandHz)}
}

func (p *phone) addr() *net.UDPAddr { return p.conn.LocalAddr().(*net.UDPAddr) }

// sendRaw sends one packet with the given header fields and payload.
func (p *phone) sendRaw(to *net.UDPAddr, h rtp.Header, payload []byte) {
	p.t.Helper()
	h.Version = 2
	b, err := (&rtp.Packet{Header: h, Payload: payload}).Marshal()
	if err != nil {
		p.t.Fatal(err)
	}
	if _, err := p.conn.WriteToUDP(b, to); err != nil {
		p.t.Fatal(err)
	}
}

// sendAudio sends the next frame of the phone's stream, seq+1 and ts+160.
func (p *phone) sendAudio(to *net.UDPAddr, pt uint8, payload []byte) {
	p.t.Helper()
	p.sendRaw(to, rtp.Header{PayloadType: pt, SequenceNumber: p.seq, Timestamp: p.ts, SSRC: p.ssrc}, payload)
	p.seq++
	p.ts += audio.NarrowbandFrameSamples
}

// sendTone sends n frames of the phone's 1 kHz tone as PCMU.
func (p *phone) sendTone(to *net.UDPAddr, n int) {
	p.t.Helper()
	var payload [g711.FrameBytes]byte
	for range n {
		p.tone.Next(&p.frame)
		g711.EncodeUlaw(payload[:], p.frame.Samples())
		p.sendAudio(to, audio.PCMU.PayloadType, payload[:])
	}
}

// sendTonePacket sends the next ms milliseconds of the phone's 1 kHz tone
// as one PCMU packet, as a phone with that ptime does.
func (p *phone) sendTonePacket(to *net.UDPAddr, ms int) {
	p.t.Helper()
	samples := make([]int16, ms*8)
	p.tone.Fill(samples)
	payload := make([]byte, len(samples))
	g711.EncodeUlaw(payload, samples)
	p.sendRaw(to, rtp.Header{PayloadType: audio.PCMU.PayloadType, SequenceNumber: p.seq, Timestamp: p.ts, SSRC: p.ssrc}, payload)
	p.seq++
	p.ts += uint32(len(samples))
}

// sendKey sends one key press as RFC 4733 does: progress packets, then the
// end packet three times, all under one timestamp.
func (p *phone) sendKey(to *net.UDPAddr, pt uint8, digit byte) {
	p.t.Helper()
	e, err := dtmf.EventFor(digit)
	if err != nil {
		p.t.Fatal(err)
	}
	var payload [dtmf.PayloadSize]byte
	for i := range 6 {
		e.Duration = uint16(min(i+1, 3) * audio.NarrowbandFrameSamples)
		e.End = i >= 3
		if _, err := dtmf.Encode(payload[:], e); err != nil {
			p.t.Fatal(err)
		}
		p.sendRaw(to, rtp.Header{Marker: i == 0, PayloadType: pt, SequenceNumber: p.seq, Timestamp: p.ts, SSRC: p.ssrc}, payload[:])
		p.seq++
	}
	p.ts += 6 * audio.NarrowbandFrameSamples
}

// recv returns the next packet that reaches the phone.
func (p *phone) recv() rtp.Packet {
	p.t.Helper()
	buf := make([]byte, 1500)
	if err := p.conn.SetReadDeadline(time.Now().Add(hang)); err != nil {
		p.t.Fatal(err)
	}
	n, err := p.conn.Read(buf)
	if err != nil {
		p.t.Fatalf("phone got no packet: %v", err)
	}
	var pkt rtp.Packet
	if err := pkt.Unmarshal(buf[:n]); err != nil {
		p.t.Fatal(err)
	}
	return pkt
}

// running is a session with its receive loop started.
type running struct {
	*Session
	done chan error
}

// startSession creates a PCMU session on loopback and runs it until the test
// ends, checking that Run returns.
func startSession(t *testing.T, cfg Config) *running {
	t.Helper()
	return runSession(t, newSession(t, cfg))
}

// runSession runs s until the test ends, checking that Run returns.
func runSession(t *testing.T, s *Session) *running {
	t.Helper()
	r := &running{Session: s, done: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { r.done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := r.wait(t); err != nil && !errors.Is(err, ErrTimeout) {
			t.Errorf("Run: %v", err)
		}
	})
	return r
}

func (r *running) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-r.done:
		r.done <- err // later waits see it too
		return err
	case <-time.After(hang):
		t.Fatal("Run did not return")
		return nil
	}
}

func newSession(t *testing.T, cfg Config) *Session {
	t.Helper()
	if cfg.Conn == nil {
		conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Conn = conn
	}
	if cfg.Codec.Name == "" {
		cfg.Codec = audio.PCMU
	}
	if cfg.Jitter == nil {
		cfg.Jitter = fixedDelay
	}
	if cfg.Logger == nil {
		cfg.Logger = quiet
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// eventually waits until cond holds. It fails only if cond never comes
// true, which means the code under test hung.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(hang)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("hung waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// settle waits for cond about what s received. Once ticks read the socket,
// packets are read only when the mixer plays, so it drains as a tick would.
func settle(t *testing.T, s *Session, what string, cond func() bool) {
	t.Helper()
	eventually(t, what, func() bool {
		if so, ok := s.tr.(ticksReader); ok && so.ticksRead() {
			so.feed(s)
		}
		return cond()
	})
}

// countingObserver records latches for tests that follow the destination.
type countingObserver struct {
	NopObserver
	latched atomic.Int32
	dropped [16]atomic.Int32
}

func (o *countingObserver) Latched(netip.AddrPort) { o.latched.Add(1) }

func (o *countingObserver) PacketDropped(r DropReason) { o.dropped[r].Add(1) }

func rtpHeader(pt uint8, seq uint16, ts, ssrc uint32) rtp.Header {
	return rtp.Header{PayloadType: pt, SequenceNumber: seq, Timestamp: ts, SSRC: ssrc}
}

// ticksReader is a transport whose socket the tick reads, once it does.
type ticksReader interface {
	ticksRead() bool
	feed(*Session)
}
