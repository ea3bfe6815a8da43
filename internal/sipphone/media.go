package sipphone

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/g711"
	"github.com/confgw/confgw/internal/tone"
	"github.com/confgw/confgw/rtp/dtmf"
	"github.com/confgw/confgw/rtp/rtpwriter"
)

// recordSamples is how much received audio the phone keeps (one second).
const recordSamples = audio.NarrowbandHz

// Media is the phone's RTP: it sends its tone every 20 ms and records what
// it hears.
type Media struct {
	conn   *net.UDPConn
	remote atomic.Pointer[net.UDPAddr]
	pt     atomic.Uint32
	evPT   atomic.Uint32
	muted  atomic.Bool

	// sendMu guards the stream, the tone and the buffers packets are
	// built in: the 20 ms sender and SendDigit share them.
	sendMu  sync.Mutex
	gen     *tone.Generator
	w       rtpwriter.Writer
	payload [g711.FrameBytes]byte
	pkt     [rtpwriter.HeaderSize + g711.FrameBytes]byte

	mu        sync.Mutex
	heard     []int16
	packetsIn uint64
	peerSSRC  uint32
	undecrypt uint64 // SRTP packets that did not authenticate

	// SRTP: suite is the phone's, "" for RTP; key its master key and
	// salt; chosen the line its answer took; sec the contexts once keyed.
	suite  string
	key    []byte
	chosen *sdesLine
	sec    atomic.Pointer[mediaSRTP]
	last   []byte // the last packet sent, as sent, under sendMu

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newMedia(freq float64, suite string) (*Media, error) {
	if _, ok := profiles[suite]; suite != "" && !ok {
		return nil, fmt.Errorf("sipphone: SRTP suite %q not supported", suite)
	}
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, err
	}
	m := &Media{conn: conn, w: rtpwriter.NewRandom(), suite: suite}
	if suite != "" {
		m.key = make([]byte, keyLen)
		_, _ = rand.Read(m.key)
	}
	if freq > 0 {
		m.gen = tone.Sine(freq, 8000, audio.NarrowbandHz)
	}
	return m, nil
}

// Port is the local RTP port.
func (m *Media) Port() int { return m.conn.LocalAddr().(*net.UDPAddr).Port }

// Remote is where the phone sends its RTP (the other side's SDP); nil
// before the call is answered.
func (m *Media) Remote() *net.UDPAddr { return m.remote.Load() }

func (m *Media) start(rm *remoteMedia) {
	m.apply(rm)
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.wg.Add(2)
	go func() { defer m.wg.Done(); m.receive() }()
	go func() { defer m.wg.Done(); m.send(ctx) }()
}

func (m *Media) apply(rm *remoteMedia) {
	if rm.secure && m.suite != "" {
		line := m.chosen
		if line == nil && len(rm.cryptos) > 0 {
			line = &rm.cryptos[0]
		}
		if line != nil {
			if sec, err := newMediaSRTP(line.suite, m.key, line.key); err == nil {
				m.sec.Store(sec)
			}
		}
	}
	m.remote.Store(rm.addr)
	m.pt.Store(uint32(rm.pt))
	m.evPT.Store(uint32(rm.eventPT))
}

func (m *Media) stop() {
	if m.cancel != nil {
		m.cancel()
	}
	_ = m.conn.Close()
	m.wg.Wait()
}

// SSRC is the phone's own stream's.
func (m *Media) SSRC() uint32 {
	m.sendMu.Lock()
	defer m.sendMu.Unlock()
	return m.w.SSRC()
}

// PeerSSRC is the SSRC of the last audio packet heard, 0 before any.
func (m *Media) PeerSSRC() uint32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.peerSSRC
}

// SendRaw sends b from the phone's RTP port to where its RTP goes, as a
// phone multiplexing RTCP (RFC 5761) sends its reports.
func (m *Media) SendRaw(b []byte) error {
	to := m.remote.Load()
	if to == nil {
		return errors.New("sipphone: no remote yet")
	}
	_, err := m.conn.WriteToUDP(b, to)
	return err
}

// SetMuted stops (or resumes) sending, as a phone on hold does.
func (m *Media) SetMuted(muted bool) { m.muted.Store(muted) }

func (m *Media) send(ctx context.Context) {
	t := time.NewTicker(audio.FrameDuration)
	defer t.Stop()
	var f audio.Frame
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if m.muted.Load() {
			continue
		}
		m.sendMu.Lock()
		if m.gen != nil {
			m.gen.Next(&f)
		} else {
			f = audio.Frame{}
		}
		if m.pt.Load() == 8 {
			g711.EncodeAlaw(m.payload[:], f.Samples())
		} else {
			g711.EncodeUlaw(m.payload[:], f.Samples())
		}
		m.writeLocked(uint8(m.pt.Load()), false, m.w.Timestamp(), m.payload[:])
		m.w.Advance(audio.NarrowbandFrameSamples)
		m.sendMu.Unlock()
	}
}

func (m *Media) writeLocked(pt uint8, marker bool, ts uint32, payload []byte) {
	m.writeAlteredLocked(pt, marker, ts, payload, nil)
}

// writeAlteredLocked sends one packet; with alter, a copy altered by it
// goes first, so that it is the first of its sequence number to arrive.
func (m *Media) writeAlteredLocked(pt uint8, marker bool, ts uint32, payload []byte, alter func([]byte)) {
	to := m.remote.Load()
	if to == nil {
		return
	}
	n, err := m.w.Marshal(m.pkt[:], pt, marker, ts, payload)
	if err != nil {
		return
	}
	wire := m.pkt[:n]
	if sec := m.sec.Load(); sec != nil {
		if wire, err = sec.enc.EncryptRTP(nil, wire, nil); err != nil {
			return
		}
	}
	if alter != nil {
		b := append([]byte(nil), wire...)
		alter(b)
		_, _ = m.conn.WriteToUDP(b, to)
	}
	m.last = append(m.last[:0], wire...)
	_, _ = m.conn.WriteToUDP(wire, to)
}

// SendDigit sends one RFC 4733 key press: three updates and three ends,
// all with the event's start timestamp, as RFC 4733 §2.5 has it.
func (m *Media) SendDigit(d byte) error {
	ev, err := dtmf.EventFor(d)
	if err != nil {
		return err
	}
	pt := uint8(m.evPT.Load())
	if pt == 0 {
		return errors.New("sipphone: telephone-event not negotiated")
	}
	m.sendMu.Lock()
	defer m.sendMu.Unlock()
	start := m.w.Timestamp()
	var buf [dtmf.PayloadSize]byte
	for i := range 6 {
		ev.Duration = uint16((i + 1) * audio.NarrowbandFrameSamples)
		ev.End = i >= 3
		if _, err := dtmf.Encode(buf[:], ev); err != nil {
			return err
		}
		m.writeLocked(pt, i == 0, start, buf[:])
	}
	m.w.Advance(6 * audio.NarrowbandFrameSamples)
	return nil
}

func (m *Media) receive() {
	buf := make([]byte, 1500)
	samples := make([]int16, g711.FrameBytes)
	var p rtp.Packet
	for {
		n, _, err := m.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		if sec := m.sec.Load(); sec != nil {
			plain, err := sec.dec.DecryptRTP(buf, buf[:n], nil)
			if err != nil {
				m.mu.Lock()
				m.undecrypt++
				m.mu.Unlock()
				continue
			}
			n = len(plain)
		}
		if p.Unmarshal(buf[:n]) != nil || len(p.Payload) == 0 || len(p.Payload) > len(samples) {
			continue
		}
		switch p.PayloadType {
		case 0:
			g711.DecodeUlaw(samples[:len(p.Payload)], p.Payload)
		case 8:
			g711.DecodeAlaw(samples[:len(p.Payload)], p.Payload)
		default:
			continue
		}
		m.mu.Lock()
		m.peerSSRC = p.SSRC
		m.packetsIn++
		m.heard = append(m.heard, samples[:len(p.Payload)]...)
		if len(m.heard) > 2*recordSamples {
			m.heard = append(m.heard[:0], m.heard[len(m.heard)-recordSamples:]...)
		}
		m.mu.Unlock()
	}
}

// Recent returns the last n samples heard (fewer if not heard yet).
func (m *Media) Recent(n int) []int16 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if n > len(m.heard) {
		n = len(m.heard)
	}
	return append([]int16(nil), m.heard[len(m.heard)-n:]...)
}

// PacketsIn counts audio packets received.
func (m *Media) PacketsIn() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.packetsIn
}

// Hears tells whether freq stands out in the last 200 ms heard.
func (m *Media) Hears(freq float64) bool {
	s := m.Recent(1600)
	return len(s) == 1600 && tone.Detect(s, freq, audio.NarrowbandHz)
}

// The SRTP suites the phone speaks, both with 30 bytes of key and salt.
const (
	suite80 = "AES_CM_128_HMAC_SHA1_80"
	suite32 = "AES_CM_128_HMAC_SHA1_32"
	keyLen  = 30
)

var profiles = map[string]srtp.ProtectionProfile{
	suite80: srtp.ProtectionProfileAes128CmHmacSha1_80,
	suite32: srtp.ProtectionProfileAes128CmHmacSha1_32,
}

// mediaSRTP protects what the phone sends (enc, with its own key) and opens
// what it receives (dec, with the other side's). The sender uses enc under
// sendMu, the receive loop dec alone.
type mediaSRTP struct {
	enc, dec *srtp.Context
}

func newMediaSRTP(suite string, local, remote []byte) (*mediaSRTP, error) {
	profile := profiles[suite]
	enc, err := srtp.CreateContext(local[:16], local[16:], profile)
	if err != nil {
		return nil, err
	}
	dec, err := srtp.CreateContext(remote[:16], remote[16:], profile, srtp.SRTPReplayProtection(64))
	if err != nil {
		return nil, err
	}
	return &mediaSRTP{enc: enc, dec: dec}, nil
}

// offerCrypto is the a=crypto value of the phone's offer, "" without SRTP.
func (m *Media) offerCrypto() string {
	if m.suite == "" {
		return ""
	}
	return crypto("1", m.suite, m.key)
}

// answerCrypto chooses the line of a secure offer to answer: the phone's
// own suite if offered, else the first. A phone without SRTP refuses a
// secure offer, and a phone with it refuses one in the clear.
func (m *Media) answerCrypto(offer *remoteMedia) (string, error) {
	switch {
	case !offer.secure && m.suite == "":
		return "", nil
	case !offer.secure:
		return "", errors.New("sipphone: SRTP phone offered RTP")
	case m.suite == "":
		return "", errors.New("sipphone: RTP phone offered SRTP")
	case len(offer.cryptos) == 0:
		return "", errors.New("sipphone: SRTP offer without a usable key")
	}
	line := offer.cryptos[0]
	for _, c := range offer.cryptos {
		if c.suite == m.suite {
			line = c
			break
		}
	}
	m.chosen = &line
	return crypto(line.tag, line.suite, m.key), nil
}

// checkAnswer holds an answer to the phone's offer to its transport.
func (m *Media) checkAnswer(answer *remoteMedia) error {
	switch {
	case m.suite == "" && answer.secure:
		return errors.New("sipphone: SRTP answer to an RTP offer")
	case m.suite != "" && (!answer.secure || len(answer.cryptos) != 1):
		return errors.New("sipphone: SRTP offer not answered with one key")
	}
	return nil
}

// Undecryptable counts SRTP packets received that failed authentication.
func (m *Media) Undecryptable() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.undecrypt
}

// SendTampered sends the next tone packet twice: first with one bit of its
// protected payload flipped, as an attacker on the path would, then whole.
func (m *Media) SendTampered() { m.sendAltered(func(b []byte) { b[rtpwriter.HeaderSize+3] ^= 0x10 }) }

// ReplayLast sends the last packet again, byte for byte.
func (m *Media) ReplayLast() {
	m.sendMu.Lock()
	defer m.sendMu.Unlock()
	if to := m.remote.Load(); to != nil && len(m.last) > 0 {
		_, _ = m.conn.WriteToUDP(m.last, to)
	}
}

func (m *Media) sendAltered(alter func([]byte)) {
	m.sendMu.Lock()
	defer m.sendMu.Unlock()
	var f audio.Frame
	if m.gen != nil {
		m.gen.Next(&f)
	}
	g711.EncodeUlaw(m.payload[:], f.Samples())
	m.writeAlteredLocked(uint8(m.pt.Load()), false, m.w.Timestamp(), m.payload[:], alter)
	m.w.Advance(audio.NarrowbandFrameSamples)
}
