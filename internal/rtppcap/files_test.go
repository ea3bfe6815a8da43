package rtppcap

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/pion/rtp"
)

const testdataDir = "../../testdata/sipp"

// TestCommittedCapturesAreGenerated keeps the files the scenarios play equal
// to what this package writes; run go generate after changing either.
func TestCommittedCapturesAreGenerated(t *testing.T) {
	for _, c := range Captures() {
		t.Run(c.Name, func(t *testing.T) {
			want, err := c.Encode()
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(testdataDir, c.Name))
			if err != nil {
				t.Fatalf("%v (run go generate ./internal/rtppcap)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the generator's output (run go generate ./internal/rtppcap)", c.Name)
			}
		})
	}
}

func TestCommittedCapturesReadBack(t *testing.T) {
	for _, c := range Captures() {
		t.Run(c.Name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(testdataDir, c.Name))
			if err != nil {
				t.Fatal(err)
			}
			want, err := c.Spec.Packets()
			if err != nil {
				t.Fatal(err)
			}
			recs := readCapture(t, b)
			if len(recs) != len(want) {
				t.Fatalf("%d records, want %d", len(recs), len(want))
			}
			for i, r := range recs {
				if r.dst.Port() != recs[0].dst.Port() {
					// sipp offsets every port from the lowest one: a second
					// port would send part of the stream elsewhere.
					t.Fatalf("record %d to port %d, the first to %d", i, r.dst.Port(), recs[0].dst.Port())
				}
				if d := r.at.Sub(recs[0].at); d != want[i].At {
					t.Fatalf("record %d at +%v, want +%v", i, d, want[i].At)
				}
				var p rtp.Packet
				if err := p.Unmarshal(r.payload); err != nil {
					t.Fatalf("record %d: %v", i, err)
				}
				w := want[i].RTP
				if p.SequenceNumber != w.SequenceNumber || p.Timestamp != w.Timestamp ||
					p.PayloadType != w.PayloadType || p.Marker != w.Marker || p.SSRC != w.SSRC ||
					!bytes.Equal(p.Payload, w.Payload) {
					t.Fatalf("record %d: %v, want %v", i, &p, &w)
				}
			}
		})
	}
}

func TestGenerate(t *testing.T) {
	dir := t.TempDir()
	if err := Generate(dir); err != nil {
		t.Fatal(err)
	}
	for _, c := range Captures() {
		want, err := c.Encode()
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(dir, c.Name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s written differs from its encoding", c.Name)
		}
	}
}
