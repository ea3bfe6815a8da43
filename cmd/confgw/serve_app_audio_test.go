package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/opus"
	"github.com/confgw/confgw/internal/sipphone"
	"github.com/confgw/confgw/internal/tone"
	"github.com/confgw/confgw/internal/webrtcpeer"
)

// TestServeAnAppParticipantTalksWithAPhoneUntilAHostMovesIt is the
// product's promise end to end on `confgw serve`: a browser's audio (a
// WebRTC peer over ICE, DTLS and SRTP) and a phone call (SIP and RTP) share
// the demo's main room, and the host's move takes the app participant's
// voice to a breakout room, away from the phone.
func TestServeAnAppParticipantTalksWithAPhoneUntilAHostMovesIt(t *testing.T) {
	s := startServe(t)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()

	ph, err := sipphone.New(sipphone.Config{Name: "Interpreter", User: "5550001", Tone: 600})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ph.Close)
	call, err := ph.Dial(ctx, "sip:demo@"+s.sip, sipphone.CallOptions{})
	if err != nil {
		t.Fatalf("dial demo: %v", err)
	}

	out, err := s.run(t, "participants", "add", "--name", "Patient", "--client-version", "5.0", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var joined struct {
		Participant struct {
			ID string `json:"id"`
		} `json:"participant"`
		Token string `json:"token"`
	}
	if err := json.Unmarshal([]byte(out), &joined); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	peer, offer := webrtcpeer.Offering(t, opus.Codec)
	req, _ := http.NewRequestWithContext(ctx, "POST", s.url+"/v1/conferences/demo/media", bytes.NewBufferString(offer))
	req.Header.Set("Authorization", "Bearer "+joined.Token)
	req.Header.Set("Content-Type", "application/sdp")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST media: %d %s", resp.StatusCode, answer)
	}
	if err := peer.Accept(string(answer)); err != nil {
		t.Fatal(err)
	}
	peer.Speak(1000)

	window := 200 * time.Millisecond
	until := func(what string, ok func() bool) {
		t.Helper()
		for !ok() {
			select {
			case <-ctx.Done():
				t.Fatalf("never: %s", what)
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	until("the phone hears the app participant", func() bool { return call.Media.Hears(1000) })
	until("the app participant hears the phone", func() bool { return tone.Detect(peer.Heard(window), 600, peer.Rate()) })

	if _, err := s.run(t, "rooms", "add"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.run(t, "move", joined.Participant.ID, "1"); err != nil {
		t.Fatal(err)
	}
	quiet := func(s []int16, freq float64, rate int) bool {
		return len(s) >= rate/5 && tone.Share(s, freq, rate) < 0.01
	}
	until("the phone stops hearing the moved participant", func() bool {
		return quiet(call.Media.Recent(audio.Narrowband.Samples(window)), 1000, audio.NarrowbandHz)
	})
	until("the moved participant stops hearing the phone", func() bool { return quiet(peer.Heard(window), 600, peer.Rate()) })
}
