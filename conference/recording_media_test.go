package recording

import (
	"io"
	"sync"
	"testing"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/internal/tone"
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
func (*talker) PinnedToMainRoom() bool  { return true }

func TestRecorderWritesTheMainRoomMix(t *testing.T) {
	store, _ := newTestStore(t)
	reg := conference.NewRegistry(conference.Config{NewRoomMedia: conference.MixerRooms(nil), Recorder: store.Recorder()})
	defer reg.EndAll()
	c, err := reg.Create(conference.Spec{ID: "rec", Title: "Rec"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddPhone(conference.PhoneSpec{Number: "1", Media: &talker{gen: tone.Sine(1000, 8000, audio.SampleRate)}}); err != nil {
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
	w := parseWAV(t, b)
	if w.sampleRate != 8000 || w.channels != 1 || w.bits != 16 || int64(w.dataSize) != info.Bytes-44 {
		t.Fatalf("header %+v for %+v", w, info)
	}
	if !tone.Detect(w.samples, 1000) {
		t.Fatal("the recording does not hold the 1 kHz talker")
	}
}

func TestRecorderNeedsAMixer(t *testing.T) {
	store, _ := newTestStore(t)
	reg := conference.NewRegistry(conference.Config{Recorder: store.Recorder()})
	defer reg.EndAll()
	c, _ := reg.Create(conference.Spec{ID: "x", Title: "X"})
	if _, err := c.StartRecording(conference.Admin, conference.MainRoomID); err == nil {
		t.Fatal("recording without a mixer succeeded")
	}
}

func TestStoreTakesEveryConferenceID(t *testing.T) {
	store, _ := newTestStore(t)
	// Conference ids may have dots; only what could leave the folder is refused.
	rec, err := store.Start("team.a")
	if err != nil {
		t.Fatalf("dotted conference id: %v", err)
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{".", "..", ".hidden", "a/b"} {
		if _, err := store.Start(id); err == nil {
			t.Errorf("Start(%q) succeeded", id)
		}
	}
}
