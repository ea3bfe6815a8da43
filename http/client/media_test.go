package client_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/confgw/confgw/appaudio"
	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/conference"
	confhttp "github.com/confgw/confgw/http"
	"github.com/confgw/confgw/http/client"
	"github.com/confgw/confgw/internal/webrtcpeer"
	"github.com/confgw/confgw/webrtc"
)

// withAppAudio answers WebRTC offers on a loopback port of its own.
func withAppAudio(t *testing.T) func(*confhttp.Options) {
	t.Helper()
	srv, err := webrtc.New(webrtc.Config{UDPAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	b := appaudio.New(srv, nil)
	t.Cleanup(func() {
		_ = srv.Close()
		b.Close()
	})
	return func(o *confhttp.Options) { o.AppAudio = b }
}

func TestJoinAudioAnswersTheOfferAndLeaveAudioEndsIt(t *testing.T) {
	k := newClinic(t, withAppAudio(t))
	peer, err := webrtcpeer.New(audio.PCMU)
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	offer, err := peer.Offer()
	if err != nil {
		t.Fatal(err)
	}
	alice := k.as(k.alice)
	if _, _, err := k.admin.JoinAudio(t.Context(), "c", offer); !errors.Is(err, conference.ErrAppOnly) {
		t.Fatalf("the admin key joined audio: %v", err)
	}
	answer, loc, err := alice.JoinAudio(t.Context(), "c", offer)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(answer, "v=0") || !strings.HasPrefix(loc, "/v1/conferences/c/media/") {
		t.Fatalf("answer %.40q, location %q", answer, loc)
	}
	if err := peer.Accept(answer); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if err := peer.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	if err := alice.LeaveAudio(t.Context(), loc); err != nil {
		t.Fatal(err)
	}
	var apiErr *client.APIError
	if err := alice.LeaveAudio(t.Context(), loc); !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound {
		t.Fatalf("leaving twice: %v", err)
	}
}
