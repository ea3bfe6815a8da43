package appaudio_test

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/confgw/confgw/appaudio"
	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/opus"
	"github.com/confgw/confgw/audio/resample"
	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/internal/tone"
	"github.com/confgw/confgw/internal/webrtcpeer"
	"github.com/confgw/confgw/recording"
	"github.com/confgw/confgw/webrtc"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const generous = 20 * time.Second

// phone stands for a phone leg's media in the main room: narrowband, as
// G.711 is, it says a tone and keeps what it hears.
type phone struct {
	mu            sync.Mutex
	says          *tone.Generator
	heard         []int16
	in, out       audio.Frame // narrowband
	inConv, outCv resample.Converter
}

func (p *phone) ReadFrame(f *audio.Frame) bool {
	p.mu.Lock()
	p.says.Next(&p.in)
	p.inConv.Convert(f, &p.in)
	p.mu.Unlock()
	return true
}

func (p *phone) WriteFrame(f *audio.Frame) {
	p.mu.Lock()
	p.outCv.Convert(&p.out, f)
	p.heard = append(p.heard, p.out.Samples()...)
	p.mu.Unlock()
}

func (p *phone) recent() ([]int16, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := min(len(p.heard), audio.Narrowband.Samples(window))
	return append([]int16(nil), p.heard[len(p.heard)-n:]...), audio.NarrowbandHz
}

type nopLeg struct{}

func (nopLeg) HangUp(string) {}

type clinic struct {
	store  *recording.Store
	c      *conference.Conference
	bridge *appaudio.Bridge
	phone  *phone
	host   string
}

func newClinic(t *testing.T, cfg webrtc.Config) *clinic {
	t.Helper()
	store, err := recording.NewStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	reg := conference.NewRegistry(conference.Config{BreakoutDefault: true, NewRoomMedia: conference.MixerRooms(nil),
		Recorder: conference.RecorderFunc(store.Start)})
	c, err := reg.Create(conference.Spec{ID: "clinic", Title: "Clinic"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.EndAll)
	cfg.UDPAddr = "127.0.0.1:0"
	b, err := appaudio.Listen(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	host, err := c.AddApp(conference.Admin, conference.AppSpec{Name: "Dr Host", Role: conference.RoleHost, ClientVersion: "5.0"})
	if err != nil {
		t.Fatal(err)
	}
	ph := &phone{says: tone.Sine(1400, 6000, audio.NarrowbandHz)}
	if _, err := c.AddPhone(conference.PhoneSpec{Number: "+15550100", Direction: conference.DialIn, Leg: nopLeg{}, Media: ph}); err != nil {
		t.Fatal(err)
	}
	return &clinic{store: store, c: c, bridge: b, phone: ph, host: host.ID}
}

// join adds an app participant whose browser speaks at freq Hz.
func (k *clinic) join(t *testing.T, name string, freq float64) (string, *webrtcpeer.Peer) {
	t.Helper()
	p, err := k.c.AddApp(conference.Admin, conference.AppSpec{Name: name, ClientVersion: "5.0"})
	if err != nil {
		t.Fatal(err)
	}
	peer := k.connect(t, p.ID)
	peer.Speak(freq)
	return p.ID, peer
}

func (k *clinic) connect(t *testing.T, pid string) *webrtcpeer.Peer {
	t.Helper()
	peer, offer := webrtcpeer.Offering(t, opus.Codec)
	_, answer, err := k.bridge.Join(context.Background(), k.c, conference.As(pid), offer)
	if err != nil {
		t.Fatal(err)
	}
	if err := peer.Accept(answer); err != nil {
		t.Fatal(err)
	}
	return peer
}

// eventually waits until cond holds over what listen returns.
func eventually(t *testing.T, what string, listen func() ([]int16, int), cond func([]int16, int) bool) {
	t.Helper()
	until(t, what, func() bool { return cond(listen()) })
}

// until waits until cond holds.
func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(generous)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func has(freq float64) func([]int16, int) bool {
	return func(s []int16, rate int) bool { return len(s) > 0 && tone.Detect(s, freq, rate) }
}

func lacks(freq float64) func([]int16, int) bool {
	return func(s []int16, rate int) bool {
		return len(s) >= rate/5 && tone.Share(s, freq, rate) < 0.01
	}
}

// window is how much of what a listener heard the checks judge.
const window = 200 * time.Millisecond

func heard(p *webrtcpeer.Peer) func() ([]int16, int) {
	return func() ([]int16, int) { return p.Heard(window), p.Rate() }
}

func TestAppParticipantsAndPhonesInTheMainRoomHearEachOther(t *testing.T) {
	k := newClinic(t, webrtc.Config{})
	_, alice := k.join(t, "Alice", 1000)
	_, bob := k.join(t, "Bob", 600)
	eventually(t, "Bob hears Alice", heard(bob), has(1000))
	eventually(t, "Bob hears the phone", heard(bob), has(1400))
	eventually(t, "Alice hears Bob", heard(alice), has(600))
	eventually(t, "the phone hears Alice", k.phone.recent, has(1000))
	eventually(t, "the phone hears Bob", k.phone.recent, has(600))
	eventually(t, "Alice does not hear herself", heard(alice), lacks(1000))
}

func TestAHostsMoveMovesAnAppParticipantsVoice(t *testing.T) {
	k := newClinic(t, webrtc.Config{})
	alice, alicePeer := k.join(t, "Alice", 1000)
	bob, bobPeer := k.join(t, "Bob", 600)
	eventually(t, "the phone hears Alice", k.phone.recent, has(1000))
	room, err := k.c.AddRoom(conference.As(k.host))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.c.Move(conference.As(k.host), alice, room.ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the phone stops hearing Alice", k.phone.recent, lacks(1000))
	eventually(t, "Bob stops hearing Alice", heard(bobPeer), lacks(1000))
	if _, err := k.c.Move(conference.As(k.host), bob, room.ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "Alice hears Bob in the breakout room", heard(alicePeer), has(600))
	eventually(t, "Alice no longer hears the phone", heard(alicePeer), lacks(1400))
	eventually(t, "the phone hears neither", k.phone.recent, lacks(600))

	// Deleting the room brings both back to the main room, voices and all.
	if err := k.c.DeleteRoom(conference.As(k.host), room.ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the phone hears Alice again", k.phone.recent, has(1000))
	eventually(t, "the phone hears Bob again", k.phone.recent, has(600))
	eventually(t, "Alice hears the phone again", heard(alicePeer), has(1400))

	// Alice's own DELETE of her session takes her voice out.
	p, err := k.c.Participant(alice)
	if err != nil || p.Audio == nil {
		t.Fatalf("Alice's audio: %+v, %v", p.Audio, err)
	}
	if err := k.c.StopAudio(conference.As(alice), p.Audio.Session); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the phone no longer hears Alice", k.phone.recent, lacks(1000))
	eventually(t, "Bob no longer hears Alice", heard(bobPeer), lacks(1000))
}

func TestAParticipantsSecondOfferReplacesItsFirstSession(t *testing.T) {
	k := newClinic(t, webrtc.Config{})
	alice, first := k.join(t, "Alice", 1000)
	eventually(t, "the phone hears Alice's first session", k.phone.recent, has(1000))
	sub := k.c.Subscribe(64)
	defer sub.Close()
	second := k.connect(t, alice)
	second.Speak(700)
	eventually(t, "the phone hears Alice's second session", k.phone.recent, has(700))
	eventually(t, "the phone no longer hears the first", k.phone.recent, lacks(1000))
	_ = first
	ev := waitAudioEvent(t, sub, func(e conference.Event) bool { return e.Reason == conference.AudioEndReplaced })
	if ev.Participant.ID != alice {
		t.Errorf("replaced event for %s, want %s", ev.Participant.ID, alice)
	}
}

func TestAnAppParticipantWhoseBrowserFallsSilentIsTakenOutAndReported(t *testing.T) {
	k := newClinic(t, webrtc.Config{RTPTimeout: 500 * time.Millisecond})
	p, err := k.c.AddApp(conference.Admin, conference.AppSpec{Name: "Quiet", ClientVersion: "5.0"})
	if err != nil {
		t.Fatal(err)
	}
	sub := k.c.Subscribe(64)
	defer sub.Close()
	k.connect(t, p.ID) // never speaks
	waitAudioEvent(t, sub, func(e conference.Event) bool {
		return e.Participant.Audio != nil && e.Participant.Audio.State == conference.AudioConnected
	})
	ev := waitAudioEvent(t, sub, func(e conference.Event) bool { return e.Reason != "" })
	if ev.Reason != conference.AudioEndTimedOut || ev.Participant.Audio != nil {
		t.Errorf("event %+v audio %+v, want reason %q and no audio", ev, ev.Participant.Audio, conference.AudioEndTimedOut)
	}
}

func TestAPhoneParticipantCannotOpenAnAppAudioSession(t *testing.T) {
	k := newClinic(t, webrtc.Config{})
	var phoneID string
	for _, p := range k.c.Participants() {
		if p.Kind == conference.KindPhone {
			phoneID = p.ID
		}
	}
	peer, err := webrtcpeer.New(audio.PCMU)
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	offer, err := peer.Offer()
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = k.bridge.Join(context.Background(), k.c, conference.As(phoneID), offer)
	var ce *conference.Error
	if !errors.As(err, &ce) || ce.Code != conference.CodeAppOnly {
		t.Errorf("err %v, want code %s", err, conference.CodeAppOnly)
	}
}

func waitAudioEvent(t *testing.T, sub *conference.Subscription, match func(conference.Event) bool) conference.Event {
	t.Helper()
	timeout := time.After(generous)
	for {
		select {
		case e := <-sub.C:
			if e.Type == conference.EventParticipantAudio && match(e) {
				return e
			}
		case <-timeout:
			t.Fatal("no such participant.audio event")
		}
	}
}

// 6 kHz lies above the telephone band: only a wideband room carries it,
// and only to those who hear wideband.
func TestARoomWithOpusParticipantsIsWidebandEndToEnd(t *testing.T) {
	k := newClinic(t, webrtc.Config{})
	_, alice := k.join(t, "Alice", 6000)
	_, bob := k.join(t, "Bob", 1000)
	if alice.Rate() != audio.WidebandHz {
		t.Fatalf("an Opus peer hears at %d Hz", alice.Rate())
	}
	eventually(t, "Bob hears Alice's 6 kHz", heard(bob), has(6000))
	eventually(t, "Alice hears Bob's 1 kHz", heard(alice), has(1000))
	eventually(t, "the phone hears Bob", k.phone.recent, has(1000))
}

// The main room's recording holds what app participants say, at the
// wideband rate: a 6 kHz tone only a wideband room carries is in it, beside
// the phone.
func TestTheMainRoomsRecordingHoldsAnAppParticipantsWidebandVoice(t *testing.T) {
	k := newClinic(t, webrtc.Config{})
	alice, _ := k.join(t, "Alice", 6000)
	until(t, "Alice connected", func() bool {
		p, _ := k.c.Participant(alice)
		return p.Audio != nil && p.Audio.State == conference.AudioConnected
	})
	rec, err := k.c.StartRecording(conference.As(k.host), conference.MainRoomID)
	if err != nil {
		t.Fatal(err)
	}
	// A second of the room, however long the machine takes to mix it.
	until(t, "a second recorded", func() bool {
		list, _ := k.store.List("clinic")
		return len(list) == 1 && list[0].Bytes > 44+2*audio.WidebandHz
	})
	if err := k.c.StopRecording(conference.As(k.host), conference.MainRoomID); err != nil {
		t.Fatal(err)
	}
	f, _, err := k.store.Open("clinic", rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	samples := make([]int16, (len(b)-44)/2)
	for i := range samples {
		samples[i] = int16(binary.LittleEndian.Uint16(b[44+2*i:]))
	}
	// The last half second: Alice has been in the mix throughout it.
	tail := samples[len(samples)-audio.WidebandHz/2:]
	for _, freq := range []float64{6000, 1400} {
		if !tone.Detect(tail, freq, audio.WidebandHz) {
			t.Errorf("the recording lacks %v Hz (share %.3f)", freq, tone.Share(tail, freq, audio.WidebandHz))
		}
	}
}
