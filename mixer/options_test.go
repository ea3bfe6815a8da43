package mixer_test

import (
	"errors"
	"testing"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/internal/tone"
	"github.com/confgw/confgw/mixer"
)

func TestRefusePinned(t *testing.T) {
	tests := []struct {
		name    string
		opts    []mixer.Option
		ep      mixer.Endpoint
		wantErr error
	}{
		{"main room takes a phone", nil, &pinnedEndpoint{pinned: true}, nil},
		{"breakout refuses a phone", []mixer.Option{mixer.RefusePinned()}, &pinnedEndpoint{pinned: true}, mixer.ErrPinned},
		{"breakout takes an unpinned endpoint", []mixer.Option{mixer.RefusePinned()}, &pinnedEndpoint{pinned: false}, nil},
		{"breakout takes an endpoint without Pinned", []mixer.Option{mixer.RefusePinned()}, silent(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mixer.New(tt.opts...)
			err := m.Attach("leg", tt.ep)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Attach error %v, want %v", err, tt.wantErr)
			}
			wantLen := 1
			if tt.wantErr != nil {
				wantLen = 0
			}
			if got := m.Len(); got != wantLen {
				t.Errorf("Len() = %d, want %d", got, wantLen)
			}
		})
	}
}

func TestRefusedPinnedKeepsExistingAttachment(t *testing.T) {
	m := mixer.New(mixer.RefusePinned())
	first := talker(400)
	if err := m.Attach("leg", first); err != nil {
		t.Fatal(err)
	}
	if err := m.Attach("leg", &pinnedEndpoint{pinned: true}); !errors.Is(err, mixer.ErrPinned) {
		t.Fatalf("Attach error %v, want ErrPinned", err)
	}
	m.MixOnce()
	if len(first.said) != 1 {
		t.Error("a refused Attach replaced the endpoint already under that id")
	}
}

func TestWithTickObserver(t *testing.T) {
	var observed []time.Duration
	m := mixer.New(mixer.WithTickObserver(func(d time.Duration) { observed = append(observed, d) }))
	attach(t, m, talker(400), silent())
	tick(m, 4)
	if len(observed) != 4 {
		t.Fatalf("observer called %d times in 4 ticks", len(observed))
	}
	for i, d := range observed {
		if d < 0 {
			t.Errorf("tick %d observed as %v", i, d)
		}
	}
}

func TestWithTap(t *testing.T) {
	tap := &tapRecorder{}
	m := mixer.New(mixer.WithTap(tap))
	attach(t, m, talker(400), talker(700))
	tick(m, 5)
	if len(tap.mixes) != 5 {
		t.Fatalf("tap got %d mixes in 5 ticks", len(tap.mixes))
	}
	all := make([]int16, 0, 5*audio.FrameSamples)
	for _, f := range tap.mixes {
		all = append(all, f[:]...)
	}
	if !tone.Detect(all, 400) || !tone.Detect(all, 700) {
		t.Error("tap does not get both talkers")
	}
}
