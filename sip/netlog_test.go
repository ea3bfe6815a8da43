package sip_test

import (
	"bytes"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/confgw/confgw/internal/sipraw"
	confsip "github.com/confgw/confgw/sip"
)

// logBuffer collects what the server logs while it runs.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// An oversize message, over TCP or UDP and again and again, is logged in a
// line or two of bounded length: a peer must not be able to make the
// gateway write its messages into the log.
func TestOversizeMessagesAreLoggedShortAndRarely(t *testing.T) {
	logs := &logBuffer{}
	srv := startServer(t, newRecorder(), confsip.WithLogger(slog.New(slog.NewTextHandler(logs, nil))))
	const repeats = 8
	start := time.Now()
	for range repeats {
		p, err := sipraw.Dial("tcp", srv.Addr())
		if err != nil {
			t.Fatal(err)
		}
		// 1 MB: past what the server takes, which drops the connection
		// while the rest is still being written.
		big := p.Request("OPTIONS", "demo", []string{"Subject: " + strings.Repeat("B", 1<<20)}, "")
		go func() { _ = p.Send(big) }()
		if !p.ClosedByPeer(deadline) {
			t.Fatal("the server kept a connection sending 1 MB")
		}
		p.Close()
	}
	udp, err := net.Dial("udp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	for range repeats {
		// The largest datagram there is, cut short of a message.
		if _, err := udp.Write([]byte("OPTIONS sip:demo@x SIP/2.0\r\nSubject: " + strings.Repeat("U", 65000))); err != nil {
			t.Fatal(err)
		}
	}
	// The server reads datagrams in order: once this is answered, the junk
	// before it has been handled, and logged.
	if res := do(t, sipmsg.OPTIONS, srv.Addr(), "UDP"); res.StatusCode != 200 {
		t.Fatalf("OPTIONS after the junk: %d", res.StatusCode)
	}
	elapsed := time.Since(start)

	text := logs.String()
	lines := strings.Split(strings.TrimSpace(text), "\n")
	for _, l := range lines {
		if len(l) > 1024 {
			t.Errorf("a log line of %d bytes: %.200s…", len(l), l)
		}
	}
	// One line per reason per second at most; sipgo gives the same reason
	// for both transports.
	parse := strings.Count(text, "failed to parse")
	if most := 2 * (int(elapsed/time.Second) + 1); parse > most || parse == 0 {
		t.Errorf("%d lines about unparseable messages in %v, want 1 to %d:\n%.3000s", parse, elapsed, most, text)
	}
	if len(text) > 8<<10 {
		t.Errorf("%d bytes logged for %d bad messages", len(text), 2*repeats)
	}
}
