package webrtc

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/opus"
	"github.com/confgw/confgw/audio/resample"
	"github.com/confgw/confgw/mixer"
	"github.com/pion/rtp"
	pion "github.com/pion/webrtc/v4"
)

// Why a session ended, as Reason reports it.
const (
	// ReasonLeft is a session its peer closed, or its owner ended.
	ReasonLeft = "left"
	// ReasonICEFailed is a session whose ICE checks found no path, within
	// the handshake timeout or after losing one.
	ReasonICEFailed = "ice_failed"
	// ReasonDTLSFailed is a session that found a path but whose DTLS
	// handshake did not complete.
	ReasonDTLSFailed = "dtls_failed"
	// ReasonTimedOut is a connected session that stopped sending RTP.
	ReasonTimedOut = "timed_out"
	// ReasonShutdown is a session ended because the server closed.
	ReasonShutdown = "shutdown"
	// ReasonFailed is a session that could not be negotiated.
	ReasonFailed = "failed"
)

// State is where a session stands.
type State int32

// Session states, in the only order they occur.
const (
	StateConnecting State = iota
	StateConnected
	StateEnded
)

// String names s as the API does.
func (s State) String() string {
	switch s {
	case StateConnecting:
		return "connecting"
	case StateConnected:
		return "connected"
	}
	return "ended"
}

// outFrames is how many frames the tick may hand the sender before it
// catches up; beyond that the oldest goes, as a late frame is worth less
// than a current one.
const outFrames = 4

// Session is one app participant's WebRTC audio: a mixer.Endpoint whose
// ReadFrame hands out what the peer said and whose WriteFrame sends what
// it hears.
type Session struct {
	srv   *Server
	id    string
	codec audio.Codec
	pc    *pion.PeerConnection
	track *pion.TrackLocalStaticRTP

	dec    frameCodec // the receiver's alone
	enc    frameCodec // the sender's alone
	sup    codecSupport
	native audio.Rate // the codec's
	// shared is the sender's: the encoder of the room whose full mix it
	// last sent, and that room.
	shared     *sharedEncoder
	sharedRoom *mixer.Mixer

	in playout
	// The tick's own: frames at the native rate on their way into and out
	// of the room, and the converters that follow the room's rate.
	inNative, outNative audio.Frame
	inConv, outConv     resample.Converter

	outMu    sync.Mutex
	out      [outFrames]outFrame
	outHead  int
	outCount int
	// outSkipped counts frames dropped from the queue since the sender
	// last took one, so that its timestamps keep the room's time.
	outSkipped uint32
	outReady   chan struct{}

	state     atomic.Int32
	lastRTP   atomic.Int64 // unix nanoseconds of the latest packet
	connected chan struct{}
	done      chan struct{}
	endOnce   sync.Once
	reason    string // set before done closes

	packetsIn, packetsOut, concealed, undecodable, droppedOut atomic.Uint64
}

// outFrame is a frame on its way to the sender, with the room's mix it is
// if it is one all silent listeners hear alike.
type outFrame struct {
	f   audio.Frame
	mix mixer.MixID
}

func newSession(srv *Server, id string, c audio.Codec, sup codecSupport, pc *pion.PeerConnection, dec, enc frameCodec) *Session {
	return &Session{
		srv:       srv,
		id:        id,
		codec:     c,
		sup:       sup,
		native:    sup.native,
		pc:        pc,
		dec:       dec,
		enc:       enc,
		outReady:  make(chan struct{}, 1),
		connected: make(chan struct{}),
		done:      make(chan struct{}),
	}
}

// ID names the session uniquely within the server.
func (s *Session) ID() string { return s.id }

// Codec is the negotiated codec's name, as SDP writes it.
func (s *Session) Codec() string { return s.codec.Name }

// State reports where the session stands.
func (s *Session) State() State { return State(s.state.Load()) }

// Connected is closed once ICE and DTLS have completed.
func (s *Session) Connected() <-chan struct{} { return s.connected }

// Done is closed when the session has ended; Reason then says why.
func (s *Session) Done() <-chan struct{} { return s.done }

// Reason says why the session ended, once Done is closed.
func (s *Session) Reason() string {
	select {
	case <-s.done:
		return s.reason
	default:
		return ""
	}
}

// Stats counts a session's packets.
type Stats struct {
	PacketsIn, PacketsOut, Concealed, Undecodable uint64
	// Dropped counts frames a fast sender had to give up.
	Dropped uint64
	// DroppedOut counts frames the room handed the session faster than
	// its sender encoded and sent them: the oldest went, and the peer
	// never got them.
	DroppedOut uint64
}

// Stats returns the session's counters so far.
func (s *Session) Stats() Stats {
	s.in.mu.Lock()
	dropped := s.in.dropped
	s.in.mu.Unlock()
	return Stats{
		PacketsIn:   s.packetsIn.Load(),
		PacketsOut:  s.packetsOut.Load(),
		Concealed:   s.concealed.Load(),
		Undecodable: s.undecodable.Load(),
		Dropped:     dropped,
		DroppedOut:  s.droppedOut.Load(),
	}
}

// Close ends the session for reason. It returns at once: the connection
// closes in the background, so Close may be called under a caller's lock.
func (s *Session) Close(reason string) { s.end(reason) }

// NativeRate is the rate the session's codec speaks: a room with an Opus
// session in it mixes wideband.
func (s *Session) NativeRate() audio.Rate { return s.native }

// ReadFrame hands the mixer the peer's next frame at the room's rate, or
// false while nothing is due (the peer is silent, or its packets are late).
func (s *Session) ReadFrame(f *audio.Frame) bool {
	if !s.in.pop(&s.inNative) {
		return false
	}
	s.inConv.Convert(f, &s.inNative)
	return true
}

// WriteFrame queues what the peer hears this tick for the sender, at the
// codec's rate.
func (s *Session) WriteFrame(f *audio.Frame) { s.queueOut(f, mixer.MixID{}) }

// WriteSharedFrame queues the room's full mix, which the sender encodes
// once for every session of the codec that hears it this tick.
func (s *Session) WriteSharedFrame(f *audio.Frame, id mixer.MixID) { s.queueOut(f, id) }

func (s *Session) queueOut(f *audio.Frame, mix mixer.MixID) {
	s.outNative.Rate = s.native
	s.outConv.Convert(&s.outNative, f)
	f = &s.outNative
	s.outMu.Lock()
	if s.outCount == outFrames {
		s.outHead = (s.outHead + 1) % outFrames
		s.outCount--
		s.outSkipped++
		s.droppedOut.Add(1)
		s.srv.totals.droppedOut.Add(1)
	}
	s.out[(s.outHead+s.outCount)%outFrames] = outFrame{f: *f, mix: mix}
	s.outCount++
	s.outMu.Unlock()
	select {
	case s.outReady <- struct{}{}:
	default:
	}
}

// negotiate applies the offer and returns the answer with every
// candidate in it.
func (s *Session) negotiate(ctx context.Context, offer string, sup codecSupport) (string, error) {
	s.pc.OnConnectionStateChange(s.connectionChanged)
	s.pc.OnTrack(func(t *pion.TrackRemote, _ *pion.RTPReceiver) {
		if t.Kind() != pion.RTPCodecTypeAudio {
			return
		}
		s.spawn(func() { s.receive(t) })
	})
	if err := s.pc.SetRemoteDescription(pion.SessionDescription{Type: pion.SDPTypeOffer, SDP: offer}); err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalidSDP, err)
	}
	track, err := pion.NewTrackLocalStaticRTP(sup.capability(), "audio", "confgw")
	if err != nil {
		return "", fmt.Errorf("webrtc: %w", err)
	}
	sender, err := s.pc.AddTrack(track)
	if err != nil {
		return "", fmt.Errorf("webrtc: %w", err)
	}
	s.track = track
	// RTCP from the peer must be read for the report interceptors to see it.
	s.spawn(func() {
		buf := make([]byte, rtpBufferSize)
		for {
			if _, _, err := sender.Read(buf); err != nil {
				return
			}
		}
	})
	answer, err := s.pc.CreateAnswer(nil)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalidSDP, err)
	}
	gathered := pion.GatheringCompletePromise(s.pc)
	if err := s.pc.SetLocalDescription(answer); err != nil {
		return "", fmt.Errorf("webrtc: %w", err)
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	if sup.codec.Is(opus.Codec) {
		return withDTX(s.pc.LocalDescription().SDP, s.codec.PayloadType), nil
	}
	return s.pc.LocalDescription().SDP, nil
}

// start runs the session's sender and its watch over the handshake and
// the peer's RTP.
func (s *Session) start() {
	s.spawn(s.send)
	s.spawn(s.watch)
}

// spawn runs fn as one of the session's goroutines, counted by the server
// so that its Close waits for them.
func (s *Session) spawn(fn func()) {
	s.srv.wg.Add(1)
	go func() {
		defer s.srv.wg.Done()
		fn()
	}()
}

func (s *Session) connectionChanged(st pion.PeerConnectionState) {
	switch st {
	case pion.PeerConnectionStateConnected:
		s.lastRTP.Store(time.Now().UnixNano())
		if s.state.CompareAndSwap(int32(StateConnecting), int32(StateConnected)) {
			close(s.connected)
		}
	case pion.PeerConnectionStateFailed:
		s.end(s.failure())
	case pion.PeerConnectionStateClosed:
		s.end(ReasonLeft)
	}
}

// failure tells an ICE failure from a DTLS one by whether ICE ever found
// a path.
func (s *Session) failure() string {
	switch s.pc.ICEConnectionState() {
	case pion.ICEConnectionStateConnected, pion.ICEConnectionStateCompleted:
		if s.State() == StateConnected {
			return ReasonICEFailed // lost the path after having one
		}
		return ReasonDTLSFailed
	}
	return ReasonICEFailed
}

// watch ends a session whose handshake does not complete in time, or that
// stops sending RTP once connected.
func (s *Session) watch() {
	handshake := time.NewTimer(s.srv.cfg.HandshakeTimeout)
	defer handshake.Stop()
	select {
	case <-s.connected:
	case <-handshake.C:
		s.end(s.failure())
		return
	case <-s.done:
		return
	case <-s.srv.ctx.Done():
		return
	}
	timeout := s.srv.cfg.RTPTimeout
	check := time.NewTicker(max(timeout/8, 10*time.Millisecond))
	defer check.Stop()
	for {
		select {
		case <-check.C:
			if time.Since(time.Unix(0, s.lastRTP.Load())) > timeout {
				s.end(ReasonTimedOut)
				return
			}
		case <-s.done:
			return
		case <-s.srv.ctx.Done():
			return
		}
	}
}

// receive decodes the peer's packets into the playout queue. A gap in
// sequence numbers is a loss: the codec conceals the frames it took, up to
// a few, so the room hears a bridged gap rather than a click.
func (s *Session) receive(t *pion.TrackRemote) {
	buf := make([]byte, rtpBufferSize)
	var (
		pkt     rtp.Packet
		f       audio.Frame
		lastSeq uint16
		started bool
		budget  packetBudget
	)
	for {
		n, _, err := t.Read(buf)
		if err != nil {
			return
		}
		now := time.Now()
		if !budget.take(now) {
			s.pushDropped()
			continue
		}
		if pkt.Unmarshal(buf[:n]) != nil || pkt.PayloadType != uint8(t.PayloadType()) {
			s.undecodable.Add(1)
			continue
		}
		s.lastRTP.Store(now.UnixNano())
		s.packetsIn.Add(1)
		s.srv.totals.packetsIn.Add(1)
		if started {
			gap := pkt.SequenceNumber - lastSeq
			if gap == 0 || gap > 0x8000 {
				continue // a duplicate or a late packet the queue has passed
			}
			for i := uint16(1); i < gap && i <= maxConcealed; i++ {
				if s.dec.conceal(&f) {
					s.pushIn(&f)
				}
				s.concealed.Add(1)
				s.srv.totals.concealed.Add(1)
			}
		}
		started = true
		lastSeq = pkt.SequenceNumber
		if len(pkt.Payload) == 0 {
			continue
		}
		if err := s.dec.decode(pkt.Payload, &f); err != nil {
			s.undecodable.Add(1)
			continue
		}
		s.pushIn(&f)
	}
}

// pushDropped counts a packet given up on the way in unread.
func (s *Session) pushDropped() { s.srv.totals.droppedIn.Add(1) }

// pushIn queues a received frame for the room, counting one the queue had
// to give up.
func (s *Session) pushIn(f *audio.Frame) {
	if s.in.push(f) {
		s.srv.totals.droppedIn.Add(1)
	}
}

// maxConcealed bounds how many lost frames one gap fills: a longer gap is
// a pause, not a loss, and filling it would only add delay.
const maxConcealed = 5

// send encodes what the tick queued and sends it, paced by the tick.
func (s *Session) send() {
	var (
		f       outFrame
		payload [maxPayload]byte
		pkt     = rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: s.codec.PayloadType}}
	)
	// RFC 3550 wants random starting points, so a stream cannot be told
	// from the one a previous session sent.
	var seed [6]byte
	_, _ = rand.Read(seed[:])
	pkt.SequenceNumber = binary.BigEndian.Uint16(seed[:2])
	pkt.Timestamp = binary.BigEndian.Uint32(seed[2:])
	step := s.codec.FrameTicks()
	var lost uint32 // frames since the last packet that were never sent
	for {
		select {
		case <-s.outReady:
		case <-s.done:
			return
		case <-s.srv.ctx.Done():
			return
		}
		for {
			skipped, ok := s.nextOut(&f)
			if !ok {
				break
			}
			// The timestamp counts the frames the sender gave up on and
			// the ones that would not encode, so the peer's playout sees
			// the gap as lost audio rather than time that never passed.
			lost += skipped
			n, err := s.encode(&f, payload[:])
			if err != nil {
				lost++
				continue
			}
			pkt.Payload = payload[:n]
			pkt.SequenceNumber++
			pkt.Timestamp += step * (1 + lost)
			lost = 0
			if err := s.track.WriteRTP(&pkt); err != nil && !errors.Is(err, io.ErrClosedPipe) {
				continue
			}
			s.packetsOut.Add(1)
			s.srv.totals.packetsOut.Add(1)
		}
	}
}

// encode encodes a frame the tick queued: with the room's shared encoder
// when it is the full mix, with the session's own otherwise.
func (s *Session) encode(o *outFrame, out []byte) (int, error) {
	if room := o.mix.Room(); room != nil {
		now := time.Now()
		for range 2 {
			if s.sharedRoom != room {
				e, err := s.srv.shared.get(room, s.sup, now)
				if err != nil {
					return 0, err
				}
				s.shared, s.sharedRoom = e, room
			}
			n, ok, err := s.shared.encode(o.mix.Tick(), &o.f, out, now)
			if errors.Is(err, errSwept) {
				s.shared, s.sharedRoom = nil, nil
				continue
			}
			if ok {
				if err == nil {
					s.srv.totals.sharedEncodes.Add(1)
				}
				return n, err
			}
			break
		}
	}
	return s.enc.encode(&o.f, out)
}

// nextOut takes the oldest queued frame into f and says how many frames
// were dropped from the queue before it.
func (s *Session) nextOut(f *outFrame) (skipped uint32, ok bool) {
	s.outMu.Lock()
	defer s.outMu.Unlock()
	if s.outCount == 0 {
		return 0, false
	}
	*f = s.out[s.outHead]
	s.outHead = (s.outHead + 1) % outFrames
	s.outCount--
	skipped, s.outSkipped = s.outSkipped, 0
	return skipped, true
}

// end records why the session ended, once, and closes its connection in
// the background.
func (s *Session) end(reason string) {
	s.endOnce.Do(func() {
		s.reason = reason
		s.state.Store(int32(StateEnded))
		close(s.done)
		s.srv.forget(s)
		s.srv.metrics.ended.WithLabelValues(reason).Inc()
		go func() {
			defer s.srv.wg.Done() // the session's life, taken in Answer
			if err := s.pc.Close(); err != nil {
				s.srv.cfg.Logger.Debug("webrtc session close", "session", s.id, "err", err)
			}
		}()
		s.srv.cfg.Logger.Info("webrtc session ended", "session", s.id, "reason", reason)
	})
}
