package webrtc

import (
	"fmt"
	"testing"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/opus"
	"github.com/confgw/confgw/internal/tone"
	"github.com/confgw/confgw/mixer"
)

// countingCodec encodes a frame as its first sample's low byte and counts
// how often it was asked to.
type countingCodec struct {
	frameCodec
	encodes int
}

func (c *countingCodec) encode(f *audio.Frame, out []byte) (int, error) {
	c.encodes++
	out[0] = byte(f.PCM[0])
	return 1, nil
}

// However many senders hand it a tick's mix, the shared encoder encodes
// it once, and each of them gets the same payload.
func TestASharedEncoderEncodesEachTickOnceForAllItsListeners(t *testing.T) {
	c := &countingCodec{}
	e := &sharedEncoder{enc: c}
	var f audio.Frame
	now := time.Now()
	for tick := uint64(1); tick <= 3; tick++ {
		f.PCM[0] = int16(tick)
		for listener := range 5 {
			out := make([]byte, 4)
			n, ok, err := e.encode(tick, &f, out, now)
			if err != nil || !ok || n != 1 || out[0] != byte(tick) {
				t.Fatalf("tick %d listener %d: %d %v %v %v", tick, listener, n, ok, err, out[:n])
			}
		}
	}
	if c.encodes != 3 {
		t.Errorf("%d encodes for 3 ticks of 5 listeners, want 3", c.encodes)
	}
}

// A sender a few frames behind the others still gets its tick's payload;
// one so far behind that the encoder no longer holds its tick, or whose
// tick was never encoded, is told to use its own encoder: the shared one
// cannot go back.
func TestASharedEncoderServesLaggingSendersFromTheTicksItKeeps(t *testing.T) {
	c := &countingCodec{}
	e := &sharedEncoder{enc: c}
	var f audio.Frame
	out := make([]byte, 4)
	for tick := uint64(10); tick <= 20; tick++ {
		if tick == 15 {
			continue // no silent listener's sender came for it in time
		}
		f.PCM[0] = int16(tick)
		if _, ok, _ := e.encode(tick, &f, out, time.Now()); !ok {
			t.Fatalf("tick %d refused", tick)
		}
	}
	if n, ok, _ := e.encode(20-sharedKept+1, &f, out, time.Now()); !ok || n != 1 || out[0] != byte(20-sharedKept+1) {
		t.Fatalf("the oldest tick kept: %d %v %v", n, ok, out[:n])
	}
	if _, ok, _ := e.encode(15, &f, out, time.Now()); ok {
		t.Fatal("a tick never encoded was served")
	}
	if _, ok, _ := e.encode(20-sharedKept, &f, out, time.Now()); ok {
		t.Fatal("a tick no longer kept was served")
	}
	if c.encodes != 10 {
		t.Errorf("%d encodes, want one per tick: 10", c.encodes)
	}
}

// A room's encoder is kept while it is used and let go once idle, so a
// closed room's mixer is not held forever.
func TestSharedEncodersOfIdleRoomsAreLetGo(t *testing.T) {
	var s sharedEncoders
	sup := supportFor(audio.PCMU)
	a, b := mixer.New(), mixer.New()
	t0 := time.Now()
	ea, err := s.get(a, sup, t0)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := s.get(a, sup, t0); again != ea {
		t.Fatal("a second get of one room made another encoder")
	}
	if _, err := s.get(b, sup, t0.Add(sharedIdle+time.Second)); err != nil {
		t.Fatal(err)
	}
	if n := s.len(); n != 1 {
		t.Fatalf("%d shared encoders after room a went idle, want 1", n)
	}
}

// The sender's shared path allocates nothing once its room's encoder
// exists.
func TestEncodingTheSharedMixAllocatesNothing(t *testing.T) {
	s, _, _, o := sharedListenerSession(t)
	var out [maxPayload]byte
	if _, err := s.encode(&o, out[:]); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(200, func() {
		if _, err := s.encode(&o, out[:]); err != nil {
			panic(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per shared encode, want 0", allocs)
	}
}

// sharedListenerSession is a PCMU session with no peer and a room whose
// one silent listener passes on the MixID of each tick, with the frame of
// the room's first tick ready to encode.
func sharedListenerSession(t *testing.T) (*Session, *mixer.Mixer, chan mixer.MixID, outFrame) {
	t.Helper()
	s := &Session{srv: &Server{}, sup: supportFor(audio.PCMU), outReady: make(chan struct{}, 1)}
	enc, err := s.sup.newCodec()
	if err != nil {
		t.Fatal(err)
	}
	s.enc = enc
	m := mixer.New()
	ids := make(chan mixer.MixID, 1)
	if err := m.Attach("s", idRecorder{ids}); err != nil {
		t.Fatal(err)
	}
	m.MixOnce()
	o := outFrame{mix: <-ids}
	o.f.Rate = audio.Narrowband
	return s, m, ids, o
}

// idRecorder is a silent listener that passes on the MixID it is told.
type idRecorder struct{ ids chan mixer.MixID }

func (idRecorder) ReadFrame(*audio.Frame) bool { return false }
func (idRecorder) WriteFrame(*audio.Frame)     {}
func (r idRecorder) WriteSharedFrame(_ *audio.Frame, id mixer.MixID) {
	select {
	case r.ids <- id:
	default:
	}
}

// Three browsers in a room, one talking, two silent behind the gate: the
// silent two hear the talker through the room's one shared encoding, and
// the talker hears neither of them.
func TestSilentPeersHearTheRoomThroughItsSharedEncoding(t *testing.T) {
	s := newServer(t, Config{})
	m := mixer.New(mixer.WithGate(-55, 100*time.Millisecond))
	talker := newPeer(t, opus.Codec)
	talkerSess := connect(t, s, talker, true)
	ears := make([]*Session, 2)
	peers := make([]interface{ Heard(time.Duration) []int16 }, 2)
	for i := range ears {
		p := newPeer(t, opus.Codec)
		ears[i] = connect(t, s, p, true)
		peers[i] = p
	}
	for i, sess := range append([]*Session{talkerSess}, ears...) {
		select {
		case <-sess.Connected():
		case <-time.After(generous):
			t.Fatalf("session %d still %s", i, sess.State())
		}
		if err := m.Attach(fmt.Sprint("p", i), sess); err != nil {
			t.Fatal(err)
		}
	}
	talker.Speak(1000)

	tick := time.NewTicker(audio.FrameDuration)
	defer tick.Stop()
	deadline := time.After(generous)
	const window = 200 * time.Millisecond
	for {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("the silent peers hear %.2f and %.2f of the talker's tone; %d shared frames",
				tone.Share(peers[0].Heard(window), 1000, audio.WidebandHz), tone.Share(peers[1].Heard(window), 1000, audio.WidebandHz), s.totals.sharedEncodes.Load())
		}
		m.MixOnce()
		if share(peers[0].Heard(window), audio.WidebandHz, window, 1000) > 0.9 &&
			share(peers[1].Heard(window), audio.WidebandHz, window, 1000) > 0.9 {
			break
		}
	}
	if n := s.totals.sharedEncodes.Load(); n == 0 {
		t.Error("no frame came from the shared encoding")
	}
	if n := s.shared.len(); n != 1 {
		t.Errorf("%d shared encoders for one room and codec, want 1", n)
	}
}

// A browser that honours usedtx=1 sends a packet every few frames while
// its user is silent: the gateway takes the pause for silence, not loss,
// and conceals nothing.
func TestAPeerInDTXIsNeitherConcealedNorHeard(t *testing.T) {
	s := newServer(t, Config{})
	p := newPeer(t, opus.Codec)
	sess := connect(t, s, p, true)
	select {
	case <-sess.Connected():
	case <-time.After(generous):
		t.Fatalf("session still %s", sess.State())
	}
	enc, err := opus.NewEncoder(audio.WidebandHz, opus.DefaultBitrate)
	if err != nil {
		t.Fatal(err)
	}
	f := audio.Frame{Rate: audio.Wideband}
	tone.Sine(200, 12, audio.WidebandHz).Next(&f)
	buf := make([]byte, opus.MaxPacketSize)
	n, err := enc.Encode(f.Samples(), buf)
	if err != nil {
		t.Fatal(err)
	}
	p.LoopDTX([][]byte{buf[:n]}, 5)
	deadline := time.Now().Add(generous)
	for sess.Stats().PacketsIn < 10 {
		if time.Now().After(deadline) {
			t.Fatalf("stats %+v: the peer's packets never came", sess.Stats())
		}
		var in audio.Frame
		in.Rate = audio.Wideband
		sess.ReadFrame(&in)
		time.Sleep(audio.FrameDuration) // the room's pace
	}
	if st := sess.Stats(); st.Concealed != 0 {
		t.Errorf("stats %+v: a DTX pause was concealed as loss", st)
	}
}

// A room's encoder let go while its sessions still held it is not used
// again: the next of them to encode fetches the room's current one, so
// the room never pays for two.
func TestASessionHoldingASweptEncoderMovesToTheRoomsCurrentOne(t *testing.T) {
	s, m, ids, o := sharedListenerSession(t)
	srv := s.srv
	var out [maxPayload]byte
	if _, err := s.encode(&o, out[:]); err != nil {
		t.Fatal(err)
	}
	old := s.shared
	// Another room's first encode, long after: the idle sweep lets this
	// room's encoder go.
	if _, err := srv.shared.get(mixer.New(), s.sup, time.Now().Add(2*sharedIdle)); err != nil {
		t.Fatal(err)
	}
	m.MixOnce()
	o.mix = <-ids
	if _, err := s.encode(&o, out[:]); err != nil {
		t.Fatal(err)
	}
	if s.shared == old {
		t.Fatal("the session still encodes with the encoder the server let go")
	}
	if cur, _ := srv.shared.get(m, s.sup, time.Now()); cur != s.shared {
		t.Fatal("the session's encoder is not the room's current one")
	}
}
