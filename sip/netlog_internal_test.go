package sip

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// A flood of one reason is one line per interval, and the next line after
// it says how many were left out; another reason is not held back by it.
func TestAFloodOfOneReasonIsOneLineASecondWithTheCountLeftOut(t *testing.T) {
	now := time.Unix(1000, 0)
	var out bytes.Buffer
	log := slog.New(&netLogHandler{
		next: slog.NewTextHandler(&out, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}}),
		gate: newLogGate(func() time.Time { return now }),
	})
	for range 50 {
		log.Error("failed to parse", "error", errors.New("junk"))
		now = now.Add(10 * time.Millisecond)
	}
	log.Warn("another reason")
	now = now.Add(logEvery)
	log.Error("failed to parse", "error", errors.New("junk"))
	log.Info("not limited")
	log.Info("not limited")

	want := `level=ERROR msg="failed to parse" error=junk
level=WARN msg="another reason"
level=ERROR msg="failed to parse" error=junk suppressed=49
level=INFO msg="not limited"
level=INFO msg="not limited"
`
	if out.String() != want {
		t.Fatalf("logged\n%s\nwant\n%s", out.String(), want)
	}
}

// Every value, whether a string, an error, bytes or a group member, is
// cut to maxLoggedBytes on a rune boundary and says how long it was.
func TestEveryLoggedValueIsCutShort(t *testing.T) {
	var out bytes.Buffer
	log := slog.New(&netLogHandler{next: slog.NewJSONHandler(&out, nil), gate: newLogGate(time.Now)})
	long := strings.Repeat("é", 1000) // two bytes each: a cut may fall inside one
	log.With("peer", long).Info("m", "data", long, "error", errors.New(long), "raw", []byte(long), slog.Group("g", "v", long))
	if out.Len() > 6*maxLoggedBytes {
		t.Fatalf("%d bytes logged:\n%s", out.Len(), out.String())
	}
	if strings.Count(out.String(), "…(2000 bytes)") != 5 || strings.Contains(out.String(), `\ufffd`) {
		t.Fatalf("values not cut whole runes with their length:\n%s", out.String())
	}
}
