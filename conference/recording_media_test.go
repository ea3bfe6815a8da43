package conference_test

import (
	"encoding/binary"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/internal/tone"
	"github.com/confgw/confgw/recording"
)

// talker says a steady tone into the room.
type talker struct {
	mu  sync.Mutex
	gen *tone.Generator
}

func (t *talker) ReadFrame(f *audio.Frame) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.gen.Next(f)
	return true
}
func (*talker) WriteFrame(*audio.Frame) {}

func newStore(t *testing.T) *recording.Store {
	t.Helper()
	s, err := recording.NewStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestARecordingHoldsTheMainRoomMix(t *testing.T) {
	store := newStore(t)
	reg := conference.NewRegistry(conference.Config{NewRoomMedia: conference.MixerRooms(nil), Recorder: conference.RecorderFunc(store.Start)})
	defer reg.EndAll()
	c, err := reg.Create(conference.Spec{ID: "rec", Title: "Rec"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddPhone(conference.PhoneSpec{Number: "1", Media: &talker{gen: tone.Sine(1000, 8000, audio.NarrowbandHz)}}); err != nil {
		t.Fatal(err)
	}
	rec, err := c.StartRecording(conference.Admin, conference.MainRoomID)
	if err != nil {
		t.Fatal(err)
	}
	// Half a second of audio, however long the machine takes to tick it.
	deadline := time.Now().Add(30 * time.Second)
	for {
		list, err := store.List("rec")
		if err != nil {
			t.Fatal(err)
		}
		if len(list) == 1 && list[0].Bytes > 44+8000 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("recording never grew: %+v", list)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := c.StopRecording(conference.Admin, conference.MainRoomID); err != nil {
		t.Fatal(err)
	}
	f, info, err := store.Open("rec", rec.ID)
	if err != nil {
		t.Fatalf("open %s: %v", rec.ID, err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	// The file's own format is the recording package's to test; here it
	// only has to say how much audio follows and hold the room's sound.
	le := binary.LittleEndian
	if len(b) < 44 || le.Uint32(b[24:]) != audio.WidebandHz || int64(le.Uint32(b[40:])) != info.Bytes-44 {
		t.Fatalf("header % x for %+v", b[:min(len(b), 44)], info)
	}
	samples := make([]int16, (len(b)-44)/2)
	for i := range samples {
		samples[i] = int16(le.Uint16(b[44+2*i:]))
	}
	if !tone.Detect(samples, 1000, audio.WidebandHz) {
		t.Fatal("the recording does not hold the 1 kHz talker")
	}
}

func TestRecordingAConferenceWithoutMixersFails(t *testing.T) {
	store := newStore(t)
	reg := conference.NewRegistry(conference.Config{Recorder: conference.RecorderFunc(store.Start)})
	defer reg.EndAll()
	c, _ := reg.Create(conference.Spec{ID: "x", Title: "X"})
	if _, err := c.StartRecording(conference.Admin, conference.MainRoomID); err == nil {
		t.Fatal("recording without a mixer succeeded")
	}
}
