package client_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/conference"
	confhttp "github.com/confgw/confgw/http"
	"github.com/confgw/confgw/recording"
)

func withStore(t *testing.T) (*recording.Store, func(*confhttp.Options)) {
	t.Helper()
	store, err := recording.NewStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store, func(o *confhttp.Options) { o.Recordings = store }
}

func TestRecordingsListAndDownload(t *testing.T) {
	store, opt := withStore(t)
	k := newClinic(t, opt)
	rec, err := store.Start("c")
	if err != nil {
		t.Fatal(err)
	}
	rec.WriteMix(&audio.Frame{})
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}

	host := k.as(k.host)
	files, raw, err := host.Recordings(t.Context(), "c")
	if err != nil || len(files) != 1 || files[0].ID != rec.ID() || files[0].Stopped.IsZero() {
		t.Fatalf("recordings %+v: %v", files, err)
	}
	sameJSON(t, raw, struct {
		Recordings []recording.Info `json:"recordings"`
	}{files})

	var wav bytes.Buffer
	n, err := host.DownloadRecording(t.Context(), "c", rec.ID(), &wav)
	if err != nil || n != files[0].Bytes || int64(wav.Len()) != n || !bytes.HasPrefix(wav.Bytes(), []byte("RIFF")) {
		t.Fatalf("download %d bytes (listed %d): %v", n, files[0].Bytes, err)
	}

	if _, err := host.DownloadRecording(t.Context(), "c", "nope", &wav); !errors.Is(err, conference.ErrNotFound) {
		t.Fatalf("unknown recording: %v", err)
	}
	if _, _, err := k.as(k.alice).Recordings(t.Context(), "c"); !errors.Is(err, conference.ErrHostRequired) {
		t.Fatalf("participant lists recordings: %v", err)
	}
}
