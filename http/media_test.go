package http_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/confgw/confgw/appaudio"
	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/conference"
	confhttp "github.com/confgw/confgw/http"
	"github.com/confgw/confgw/http/wire"
	"github.com/confgw/confgw/internal/apitest"
	"github.com/confgw/confgw/internal/webrtcpeer"
	"github.com/confgw/confgw/webrtc"
)

// withAppAudio serves WebRTC offers on a loopback port of its own.
func withAppAudio(t *testing.T, cfg webrtc.Config) apitest.Option {
	t.Helper()
	cfg.UDPAddr = "127.0.0.1:0"
	b, err := appaudio.Listen(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return func(o *confhttp.Options) { o.AppAudio = b }
}

func offerOf(t *testing.T, c audio.Codec) (*webrtcpeer.Peer, string) {
	t.Helper()
	return webrtcpeer.Offering(t, c)
}

func TestAnAppParticipantsOfferIsAnsweredWithSDPAndTheSessionsURL(t *testing.T) {
	env := apitest.Start(t, withAppAudio(t, webrtc.Config{}))
	env.CreateConference("c")
	alice := env.AddParticipant("c", "Alice", conference.RoleParticipant, "5.0")
	peer, offer := offerOf(t, audio.PCMU)

	r := env.Send("POST", "/v1/conferences/c/media", alice.Token, "application/sdp", []byte(offer))
	if r.Status != http.StatusCreated {
		t.Fatalf("POST media: %d %s", r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/sdp" {
		t.Errorf("Content-Type %q, want application/sdp", ct)
	}
	loc := r.Header.Get("Location")
	if !strings.HasPrefix(loc, "/v1/conferences/c/media/") || len(loc) <= len("/v1/conferences/c/media/") {
		t.Fatalf("Location %q", loc)
	}
	if err := peer.Accept(string(r.Body)); err != nil {
		t.Fatalf("the answer does not apply: %v\n%s", err, r.Body)
	}
	waitAudio(t, env, alice, func(a *conference.Audio) bool {
		return a != nil && a.State == conference.AudioConnected && a.Codec == "PCMU"
	})

	if r := env.Do("DELETE", loc, alice.Token, nil); r.Status != http.StatusNoContent {
		t.Fatalf("DELETE %s: %d %s", loc, r.Status, r.Body)
	}
	waitAudio(t, env, alice, func(a *conference.Audio) bool { return a == nil })
	if r := env.Do("DELETE", loc, alice.Token, nil); r.Status != http.StatusNotFound {
		t.Errorf("second DELETE: %d %s, want 404", r.Status, r.Body)
	}
}

func waitAudio(t *testing.T, env *apitest.Env, who wire.Joined, ok func(*conference.Audio) bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var p conference.Participant
		r := env.Do("GET", "/v1/conferences/c/participants/"+who.Participant.ID, who.Token, nil)
		r.Decode(t, &p)
		if ok(p.Audio) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("audio is %+v", p.Audio)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestAHostEndsAnotherParticipantsAudioAndAPeerCannot(t *testing.T) {
	env := apitest.Start(t, withAppAudio(t, webrtc.Config{}))
	env.CreateConference("c")
	host := env.AddParticipant("c", "Dr", conference.RoleHost, "5.0")
	alice := env.AddParticipant("c", "Alice", conference.RoleParticipant, "5.0")
	bob := env.AddParticipant("c", "Bob", conference.RoleParticipant, "5.0")
	_, offer := offerOf(t, audio.PCMU)
	r := env.Send("POST", "/v1/conferences/c/media", alice.Token, "application/sdp", []byte(offer))
	if r.Status != http.StatusCreated {
		t.Fatalf("POST media: %d %s", r.Status, r.Body)
	}
	loc := r.Header.Get("Location")
	if r := env.Do("DELETE", loc, bob.Token, nil); r.Status != http.StatusForbidden {
		t.Errorf("Bob's DELETE: %d %s, want 403", r.Status, r.Body)
	}
	if r := env.Do("DELETE", loc, host.Token, nil); r.Status != http.StatusNoContent {
		t.Errorf("host's DELETE: %d %s, want 204", r.Status, r.Body)
	}
}

func TestOffersTheGatewayCannotTakeAreRefusedWithTheirCodes(t *testing.T) {
	env := apitest.Start(t, withAppAudio(t, webrtc.Config{}))
	env.CreateConference("c")
	alice := env.AddParticipant("c", "Alice", conference.RoleParticipant, "5.0")
	conf, _ := env.Registry.Get("c")
	phone, err := conf.AddPhone(conference.PhoneSpec{Number: "+15550100", Direction: conference.DialIn})
	if err != nil {
		t.Fatal(err)
	}
	phoneToken, err := env.API.Tokens().Issue("c", phone.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, offer := offerOf(t, audio.PCMU)
	const head = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
	tests := []struct {
		name, token, contentType, body string
		status                         int
		code                           string
	}{
		{"JSON instead of SDP", alice.Token, "application/json", `{"sdp":"v=0"}`, http.StatusUnsupportedMediaType, "unsupported_media_type"},
		{"no Content-Type", alice.Token, "", offer, http.StatusUnsupportedMediaType, "unsupported_media_type"},
		{"not SDP", alice.Token, "application/sdp", "hello", http.StatusBadRequest, "invalid_sdp"},
		{"no audio m-line", alice.Token, "application/sdp", head + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n", http.StatusBadRequest, "invalid_sdp"},
		{"G.729 only", alice.Token, "application/sdp", head + "m=audio 9 UDP/TLS/RTP/SAVPF 18\r\na=rtpmap:18 G729/8000\r\n", http.StatusUnprocessableEntity, "no_supported_codec"},
		{"no token", "", "application/sdp", offer, http.StatusUnauthorized, "unauthorized"},
		{"the admin key", apitest.AdminKey, "application/sdp", offer, http.StatusForbidden, "app_participant_only"},
		{"a phone's token", phoneToken, "application/sdp", offer, http.StatusForbidden, "app_participant_only"},
		{"over the body limit", alice.Token, "application/sdp", offer + strings.Repeat("a=x\r\n", confhttp.MaxBodyBytes/5), http.StatusRequestEntityTooLarge, "request_too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := env.For(t).Send("POST", "/v1/conferences/c/media", tt.token, tt.contentType, []byte(tt.body))
			if r.Status != tt.status || r.ErrorCode() != tt.code {
				t.Errorf("%d %s, want %d %s", r.Status, r.Body, tt.status, tt.code)
			}
		})
	}
	if r := env.Do("DELETE", "/v1/conferences/c/media/wsnosuchsession", alice.Token, nil); r.Status != http.StatusNotFound || r.ErrorCode() != "not_found" {
		t.Errorf("DELETE of an unknown session: %d %s, want 404 not_found", r.Status, r.Body)
	}
}

func TestAGatewayWithoutAppAudioSaysSo(t *testing.T) {
	env := apitest.Start(t)
	env.CreateConference("c")
	alice := env.AddParticipant("c", "Alice", conference.RoleParticipant, "5.0")
	r := env.Send("POST", "/v1/conferences/c/media", alice.Token, "application/sdp", []byte("v=0\r\n"))
	if r.Status != http.StatusServiceUnavailable || r.ErrorCode() != "app_audio_unavailable" {
		t.Errorf("%d %s, want 503 app_audio_unavailable", r.Status, r.Body)
	}
}

func TestAnOfferBeyondTheSessionLimitIsAskedToRetry(t *testing.T) {
	env := apitest.Start(t, withAppAudio(t, webrtc.Config{MaxSessions: 1}))
	env.CreateConference("c")
	alice := env.AddParticipant("c", "Alice", conference.RoleParticipant, "5.0")
	bob := env.AddParticipant("c", "Bob", conference.RoleParticipant, "5.0")
	_, offer := offerOf(t, audio.PCMU)
	if r := env.Send("POST", "/v1/conferences/c/media", alice.Token, "application/sdp", []byte(offer)); r.Status != http.StatusCreated {
		t.Fatalf("first offer: %d %s", r.Status, r.Body)
	}
	_, offer = offerOf(t, audio.PCMU)
	r := env.Send("POST", "/v1/conferences/c/media", bob.Token, "application/sdp", []byte(offer))
	if r.Status != http.StatusServiceUnavailable || r.ErrorCode() != "app_audio_full" || r.Header.Get("Retry-After") == "" {
		t.Errorf("%d %s Retry-After %q, want 503 app_audio_full with Retry-After", r.Status, r.Body, r.Header.Get("Retry-After"))
	}
}

func TestAParticipantOfferingTooFastIsToldToWait(t *testing.T) {
	env := apitest.Start(t, withAppAudio(t, webrtc.Config{}))
	env.CreateConference("c")
	alice := env.AddParticipant("c", "Alice", conference.RoleParticipant, "5.0")
	bob := env.AddParticipant("c", "Bob", conference.RoleParticipant, "5.0")
	_, offer := offerOf(t, audio.PCMU)
	var last apitest.Response
	for range 6 {
		last = env.Send("POST", "/v1/conferences/c/media", alice.Token, "application/sdp", []byte(offer))
		if last.Status == http.StatusTooManyRequests {
			break
		}
	}
	if last.Status != http.StatusTooManyRequests || last.ErrorCode() != "too_many_offers" || last.Header.Get("Retry-After") == "" {
		t.Fatalf("%d %s Retry-After %q, want 429 too_many_offers with Retry-After", last.Status, last.Body, last.Header.Get("Retry-After"))
	}
	if r := env.Send("POST", "/v1/conferences/c/media", bob.Token, "application/sdp", []byte(offer)); r.Status != http.StatusCreated {
		t.Errorf("Bob refused for Alice's offers: %d %s", r.Status, r.Body)
	}
}
