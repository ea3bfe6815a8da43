package gateway_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/gateway"
	"github.com/confgw/confgw/internal/sipptest"
)

// baresip is a softphone built on libre, whose SIP, SDP, SRTP and RTCP
// share no code with ours or with sipp's, and, unlike Debian's sipp, it
// speaks SRTP. Its config here takes no sound card: a sine wave for its
// microphone, a file for its speaker.
const baresipConfig = `poll_method		epoll
sip_listen		127.0.0.1:%d
rtp_ports		%d-%d
rtcp_mux		%s
audio_player		aufile,%s
audio_source		ausine,%d
audio_alert		aufile,/dev/null
ausrc_srate		48000
auplay_srate		48000
ausrc_channels		2
auplay_channels		2
module_path		/usr/lib/baresip/modules
module			g711.so
module			ausine.so
module			aufile.so
module			srtp.so
module_app		account.so
module_app		menu.so
`

// syncBuffer is baresip's output, written by exec's copier and read by
// the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A baresip phone calling in with mandatory SRTP is heard in the room,
// and its leg and the phone read each other's SRTCP reports: the round
// trip comes from the phone echoing the timestamp of the leg's sender
// report, which only opening that report gives it, in a report of its own
// that the leg must open in turn. A wrong echo would make it hours.
func TestABaresipPhoneOnSRTPIsHeardAndExchangesSRTCPReportsWithItsLeg(t *testing.T) {
	t.Parallel()
	for _, mux := range []string{"no", "yes"} {
		t.Run("rtcp-mux="+mux, func(t *testing.T) {
			t.Parallel()
			baresipOnSRTP(t, mux)
		})
	}
}

func baresipOnSRTP(t *testing.T, mux string) {
	h := newHarness(t, harnessOptions{srtp: gateway.SRTPRequired, quality: gateway.Quality{RTCPInterval: 500 * time.Millisecond}})
	const toneHz = 700
	e := listen(t, h.demo, toneHz)

	dir := t.TempDir()
	media := sipptest.FreeMediaPort(t)
	cfg := fmt.Sprintf(baresipConfig, sipptest.FreeSIPPort(t), media, media+3, mux, filepath.Join(dir, "heard.wav"), toneHz)
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	account := "<sip:caller@127.0.0.1>;regint=0;mediaenc=srtp-mand;audio_codecs=PCMU\n"
	if err := os.WriteFile(filepath.Join(dir, "accounts"), []byte(account), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*deadline)
	defer cancel()
	var out syncBuffer
	cmd := exec.CommandContext(ctx, "baresip", "-f", dir, "-e", "/dial sip:demo@"+h.srv.Addr(), "-t", "120")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("baresip (Debian's baresip-core) did not start: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	defer func() {
		cancel()
		<-exited
		if s := out.String(); t.Failed() {
			t.Logf("baresip said, at the end:\n%s", s[max(0, len(s)-4096):])
		}
	}()

	var phone conference.Participant
	eventually(t, "baresip's call connected over SRTP", func() bool {
		for _, p := range phones(h.demo) {
			if p.Phone.Number == "caller" && p.Phone.State == conference.PhoneConnected {
				phone = p
				return true
			}
		}
		return false
	})
	eventually(t, "the room hearing baresip's 700 Hz tone", e.hasHeard)
	// baresip multiplexes only when the answer accepted its a=rtcp-mux.
	if muxed := strings.Contains(out.String(), "RTP/RTCP multiplexing enabled"); muxed != (mux == "yes") {
		t.Fatalf("baresip multiplexing RTCP: %v, offered %s", muxed, mux)
	}
	eventually(t, "a round trip worked out from baresip's SRTCP", func() bool {
		p, err := h.demo.Participant(phone.ID)
		return err == nil && p.Phone.Quality != nil && p.Phone.Quality.RTTMs != nil && p.Phone.Quality.RemoteLossPct != nil
	})
	p, _ := h.demo.Participant(phone.ID)
	if q := p.Phone.Quality; *q.RTTMs > 1000 || *q.RemoteLossPct != 0 || q.PacketsIn == 0 {
		t.Errorf("quality on loopback %+v, rtt %v ms, remote loss %v %%", q, *q.RTTMs, *q.RemoteLossPct)
	}

	if err := h.demo.HangUp(conference.Admin, phone.ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "baresip's call ended by the hang-up", func() bool { return strings.Contains(out.String(), "terminated") })
}
