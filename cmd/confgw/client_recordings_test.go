package main

import (
	"strings"
	"testing"

	"github.com/confgw/confgw/audio"
	confhttp "github.com/confgw/confgw/http"
	"github.com/confgw/confgw/recording"
)

func TestRecordingsTable(t *testing.T) {
	store, err := recording.NewStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	c := newClinic(t, func(o *confhttp.Options) { o.Recordings = store })
	if out := trimmed(c.must(c.host.Token, "recordings")); out != "ID  STARTED  STOPPED  DURATION  BYTES  STATE\n" {
		t.Fatalf("no recordings:\n%s", out)
	}
	rec, err := store.Start("c")
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		rec.WriteMix(&audio.Frame{})
	}
	running := c.must(c.host.Token, "recordings")
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	if f := strings.Fields(strings.Split(running, "\n")[1]); f[0] != rec.ID() || f[3] != "-" || f[len(f)-1] != "recording" {
		t.Fatalf("running recording:\n%s", running)
	}
	out := c.must(c.host.Token, "recordings")
	if f := strings.Fields(strings.Split(out, "\n")[1]); f[0] != rec.ID() || f[3] == "-" || f[5] != "1s" || f[6] != "32044" || f[7] != "stopped" {
		t.Fatalf("recordings:\n%s", out)
	}
}
