package conference_test

import (
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/conference"
)

// voice is an endpoint that says one constant sample value every tick and
// keeps watch over what it hears, as an app's audio session or a phone
// would. Values are told apart by the mixer's sums, so a listener knows who
// it heard.
type voice struct {
	says   int16
	writes atomic.Int64
	last   atomic.Int32 // the first sample of the last frame heard
	// armed, once set, counts every frame heard that holds forbidden.
	armed     atomic.Bool
	forbidden atomic.Int32
	breaches  atomic.Int64
}

func (v *voice) ReadFrame(f *audio.Frame) bool {
	if v.says == 0 {
		return false
	}
	for i := range f.Samples() {
		f.PCM[i] = v.says
	}
	return true
}

func (v *voice) WriteFrame(f *audio.Frame) {
	v.last.Store(int32(f.PCM[0]))
	if v.armed.Load() && int32(f.PCM[0])&v.forbidden.Load() != 0 {
		v.breaches.Add(1)
	}
	v.writes.Add(1)
}

// hears waits until v has heard a frame whose first sample is want.
func (v *voice) hears(t *testing.T, want int32) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for v.last.Load() != want {
		if time.Now().After(deadline) {
			t.Fatalf("heard %d, want %d", v.last.Load(), want)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// neverHearsFromNowOn fails the test if, from now on, v hears a frame
// holding any bit of mask.
func (v *voice) neverHearsFromNowOn(mask int32) {
	v.forbidden.Store(mask)
	v.armed.Store(true)
}

// session is an app participant's audio session as the conference sees it.
type session struct {
	voice
	id    string
	mu    sync.Mutex
	ended []string
}

func newSession(id string, says int16) *session {
	return &session{voice: voice{says: says}, id: id}
}

func (s *session) ID() string    { return s.id }
func (s *session) Codec() string { return "opus" }
func (s *session) Close(reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ended = append(s.ended, reason)
}

func (s *session) closedWith() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ended)
}

// audioMeeting is a conference with real room mixers, a host, two app
// participants and a phone caller, each value a distinct bit so sums say
// who was heard.
type audioMeeting struct {
	reg              *conference.Registry
	c                *conference.Conference
	host, ann, ben   string
	phone            *voice
	annAudio, benAud *session
}

const (
	annSays   = 1
	benSays   = 2
	phoneSays = 4
)

func newAudioMeeting(t *testing.T) *audioMeeting {
	t.Helper()
	reg := conference.NewRegistry(conference.Config{BreakoutDefault: true, NewRoomMedia: conference.MixerRooms(nil)})
	t.Cleanup(reg.EndAll)
	c, err := reg.Create(conference.Spec{ID: "clinic", Title: "Clinic"})
	if err != nil {
		t.Fatal(err)
	}
	am := &audioMeeting{reg: reg, c: c, phone: &voice{says: phoneSays},
		annAudio: newSession("s-ann", annSays), benAud: newSession("s-ben", benSays)}
	add := func(name string, role conference.Role) string {
		p, err := c.AddApp(conference.Admin, conference.AppSpec{Name: name, Role: role, ClientVersion: "5.0"})
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	am.host = add("Dr Host", conference.RoleHost)
	am.ann = add("Ann", "")
	am.ben = add("Ben", "")
	if _, err := c.AddPhone(conference.PhoneSpec{Number: "+15550100", Media: am.phone}); err != nil {
		t.Fatal(err)
	}
	return am
}

func (am *audioMeeting) connect(t *testing.T, pid string, s *session) {
	t.Helper()
	if err := am.c.StartAudio(conference.As(pid), s); err != nil {
		t.Fatal(err)
	}
	if err := am.c.AudioConnected(pid, s.ID()); err != nil {
		t.Fatal(err)
	}
}

func TestAppParticipantsAreHeardInTheMainRoomOnceTheirAudioConnects(t *testing.T) {
	am := newAudioMeeting(t)
	if err := am.c.StartAudio(conference.As(am.ann), am.annAudio); err != nil {
		t.Fatal(err)
	}
	p, _ := am.c.Participant(am.ann)
	if p.Audio == nil || p.Audio.State != conference.AudioConnecting || p.Audio.Codec != "opus" || p.Audio.Session != "s-ann" {
		t.Fatalf("audio while connecting: %+v", p.Audio)
	}
	am.phone.hears(t, 0)
	if err := am.c.AudioConnected(am.ann, "s-ann"); err != nil {
		t.Fatal(err)
	}
	am.phone.hears(t, annSays)
	am.annAudio.hears(t, phoneSays)
	am.connect(t, am.ben, am.benAud)
	am.phone.hears(t, annSays|benSays)
	am.annAudio.hears(t, benSays|phoneSays)
	am.benAud.hears(t, annSays|phoneSays)
	p, _ = am.c.Participant(am.ann)
	if p.Audio == nil || p.Audio.State != conference.AudioConnected {
		t.Fatalf("audio once connected: %+v", p.Audio)
	}
}

func TestAMoveMovesTheVoiceFromTheNextTickAfterItReturns(t *testing.T) {
	am := newAudioMeeting(t)
	if _, err := am.c.AddRoom(conference.As(am.host)); err != nil {
		t.Fatal(err)
	}
	am.connect(t, am.ann, am.annAudio)
	am.connect(t, am.ben, am.benAud)
	am.phone.hears(t, annSays|benSays)

	if _, err := am.c.Move(conference.As(am.host), am.ann, "1"); err != nil {
		t.Fatal(err)
	}
	am.phone.neverHearsFromNowOn(annSays)
	am.annAudio.neverHearsFromNowOn(phoneSays | benSays)
	am.phone.hears(t, benSays)
	am.annAudio.hears(t, 0)

	// Ben joins Ann: she may hear him now, never the main room.
	am.annAudio.neverHearsFromNowOn(phoneSays)
	if _, err := am.c.Move(conference.As(am.host), am.ben, "1"); err != nil {
		t.Fatal(err)
	}
	am.phone.neverHearsFromNowOn(annSays | benSays)
	am.annAudio.hears(t, benSays)
	am.benAud.hears(t, annSays)
	am.phone.hears(t, 0)

	if err := am.c.DeleteRoom(conference.As(am.host), "1"); err != nil {
		t.Fatal(err)
	}
	am.phone.armed.Store(false)
	am.annAudio.armed.Store(false)
	am.phone.hears(t, annSays|benSays)
	am.annAudio.hears(t, benSays|phoneSays)
	if n := am.phone.breaches.Load() + am.annAudio.breaches.Load(); n != 0 {
		t.Fatalf("%d frames after a move returned still carried the old room", n)
	}
}

func TestASecondSessionReplacesTheFirstAndTheFirstCannotComeBack(t *testing.T) {
	am := newAudioMeeting(t)
	sub := am.c.Subscribe(64)
	defer sub.Close()
	am.connect(t, am.ann, am.annAudio)
	am.phone.hears(t, annSays)

	reloaded := newSession("s-ann-2", 8)
	if err := am.c.StartAudio(conference.As(am.ann), reloaded); err != nil {
		t.Fatal(err)
	}
	if got := am.annAudio.closedWith(); !slices.Equal(got, []string{conference.AudioEndReplaced}) {
		t.Fatalf("first session closed with %v, want [replaced]", got)
	}
	if err := am.c.AudioConnected(am.ann, "s-ann"); !errors.Is(err, conference.ErrNotFound) {
		t.Fatalf("the replaced session connecting again: %v, want not found", err)
	}
	if am.c.AudioEnded(am.ann, "s-ann", conference.AudioEndTimedOut) {
		t.Fatal("the replaced session's end was taken for the current one's")
	}
	am.phone.hears(t, 0)
	if err := am.c.AudioConnected(am.ann, "s-ann-2"); err != nil {
		t.Fatal(err)
	}
	am.phone.hears(t, 8)

	var reasons, sessions []string
	for _, e := range ofType(drain(sub), conference.EventParticipantAudio) {
		reasons = append(reasons, e.Reason)
		sessions = append(sessions, e.Session)
	}
	want := []string{"", "", conference.AudioEndReplaced, "", ""}
	if !slices.Equal(reasons, want) {
		t.Fatalf("participant.audio reasons %q, want %q", reasons, want)
	}
	// The end names the session it ends, so a page that already holds the
	// new one does not take it for its own.
	if wantSessions := []string{"", "", "s-ann", "", ""}; !slices.Equal(sessions, wantSessions) {
		t.Fatalf("participant.audio sessions %q, want %q", sessions, wantSessions)
	}
}

func TestASessionThatEndsOnItsOwnIsReportedWithItsReasonAndLeavesTheRoom(t *testing.T) {
	am := newAudioMeeting(t)
	sub := am.c.Subscribe(64)
	defer sub.Close()
	am.connect(t, am.ann, am.annAudio)
	am.phone.hears(t, annSays)
	if !am.c.AudioEnded(am.ann, "s-ann", conference.AudioEndTimedOut) {
		t.Fatal("the current session's end was not taken")
	}
	am.phone.neverHearsFromNowOn(annSays)
	am.phone.hears(t, 0)
	evs := ofType(drain(sub), conference.EventParticipantAudio)
	last := evs[len(evs)-1]
	if last.Reason != conference.AudioEndTimedOut || last.Participant.Audio != nil {
		t.Fatalf("last participant.audio: reason %q audio %+v", last.Reason, last.Participant.Audio)
	}
	if got := am.annAudio.closedWith(); len(got) != 0 {
		t.Fatalf("a session that ended by itself was closed again with %v", got)
	}
	if am.phone.breaches.Load() != 0 {
		t.Fatal("the room still heard a session after it ended")
	}
}

func TestOnlyTheParticipantOrAHostStopsASession(t *testing.T) {
	am := newAudioMeeting(t)
	am.connect(t, am.ann, am.annAudio)
	if err := am.c.StopAudio(conference.As(am.ben), "s-ann"); !errors.Is(err, conference.ErrHostRequired) {
		t.Fatalf("another participant stopping it: %v, want host required", err)
	}
	if err := am.c.StopAudio(conference.As(am.ben), "s-nobody"); !errors.Is(err, conference.ErrNotFound) {
		t.Fatalf("an unknown session: %v, want not found", err)
	}
	if err := am.c.StopAudio(conference.As(am.host), "s-ann"); err != nil {
		t.Fatal(err)
	}
	if got := am.annAudio.closedWith(); !slices.Equal(got, []string{conference.AudioEndLeft}) {
		t.Fatalf("stopped session closed with %v, want [left]", got)
	}
	am.phone.hears(t, 0)
	am.connect(t, am.ben, am.benAud)
	if err := am.c.StopAudio(conference.As(am.ben), "s-ben"); err != nil {
		t.Fatal(err)
	}
	if p, _ := am.c.Participant(am.ben); p.Audio != nil {
		t.Fatalf("audio after its own stop: %+v", p.Audio)
	}
}

func TestAudioJoinsWithAnAppParticipantsOwnTokenOnly(t *testing.T) {
	am := newAudioMeeting(t)
	if err := am.c.StartAudio(conference.Admin, newSession("s-x", 1)); !errors.Is(err, conference.ErrAppOnly) {
		t.Fatalf("the admin key: %v, want %v", err, conference.ErrAppOnly)
	}
	var phoneID string
	for _, p := range am.c.Participants() {
		if p.Kind == conference.KindPhone {
			phoneID = p.ID
		}
	}
	if err := am.c.CheckAudio(conference.As(phoneID)); !errors.Is(err, conference.ErrAppOnly) {
		t.Fatalf("a phone participant: %v, want %v", err, conference.ErrAppOnly)
	}
	if err := am.c.StartAudio(conference.As("p-gone"), newSession("s-y", 1)); !errors.Is(err, conference.ErrUnauthorized) {
		t.Fatalf("someone no longer in the conference: %v, want %v", err, conference.ErrUnauthorized)
	}
}

func TestLeavingOrEndingTheConferenceClosesTheSession(t *testing.T) {
	am := newAudioMeeting(t)
	am.connect(t, am.ann, am.annAudio)
	am.connect(t, am.ben, am.benAud)
	if err := am.c.Remove(conference.As(am.ann), am.ann); err != nil {
		t.Fatal(err)
	}
	if got := am.annAudio.closedWith(); !slices.Equal(got, []string{conference.AudioEndLeft}) {
		t.Fatalf("the leaver's session closed with %v, want [left]", got)
	}
	am.phone.hears(t, benSays)
	if err := am.c.Remove(conference.Admin, am.host); err != nil {
		t.Fatal(err)
	}
	if err := am.reg.End(conference.Admin, "clinic"); err != nil {
		t.Fatal(err)
	}
	if got := am.benAud.closedWith(); !slices.Equal(got, []string{conference.AudioEndLeft}) {
		t.Fatalf("a session at the conference's end closed with %v, want [left]", got)
	}
}
