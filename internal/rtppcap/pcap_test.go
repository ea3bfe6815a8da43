package rtppcap

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"
	"time"
)

func TestWriterRoundTrip(t *testing.T) {
	src := netip.MustParseAddrPort("10.1.2.3:5004")
	dst := netip.MustParseAddrPort("10.9.8.7:6006")
	start := time.Date(2025, 3, 4, 5, 6, 7, 890_000_000, time.UTC)
	payloads := [][]byte{
		[]byte("even"),
		[]byte("odd"), // an odd length takes the checksum's padding path
		{},
		bytes.Repeat([]byte{0xff}, 172), // the size of a PCMU RTP packet
	}

	var b bytes.Buffer
	w, err := NewWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range payloads {
		if err := w.WriteUDP(start.Add(time.Duration(i)*Frame), src, dst, p); err != nil {
			t.Fatal(err)
		}
	}

	recs := readCapture(t, b.Bytes())
	if len(recs) != len(payloads) {
		t.Fatalf("%d records, want %d", len(recs), len(payloads))
	}
	for i, r := range recs {
		if want := start.Add(time.Duration(i) * Frame); !r.at.Equal(want) {
			t.Errorf("record %d at %v, want %v", i, r.at, want)
		}
		if r.src != src || r.dst != dst {
			t.Errorf("record %d: %v -> %v, want %v -> %v", i, r.src, r.dst, src, dst)
		}
		if !bytes.Equal(r.payload, payloads[i]) {
			t.Errorf("record %d payload %q, want %q", i, r.payload, payloads[i])
		}
	}
}

func TestWriterRefusesIPv6(t *testing.T) {
	w, err := NewWriter(&bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	v6 := netip.MustParseAddrPort("[2001:db8::1]:5004")
	v4 := netip.MustParseAddrPort("192.0.2.1:5004")
	for _, c := range [][2]netip.AddrPort{{v6, v4}, {v4, v6}} {
		if err := w.WriteUDP(time.Now(), c[0], c[1], nil); !errors.Is(err, ErrNotIPv4) {
			t.Errorf("%v -> %v: error %v, want ErrNotIPv4", c[0], c[1], err)
		}
	}
}

func TestWriterRefusesOversizedPayload(t *testing.T) {
	w, err := NewWriter(&bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteUDP(time.Now(), srcAddr, dstAddr, make([]byte, snapLen)); err == nil {
		t.Error("a payload beyond the snap length was written")
	}
}

func TestUDPChecksumNeverZero(t *testing.T) {
	// A datagram whose sum comes out zero must be sent as all ones, since
	// zero tells the receiver there is no checksum. Find such a payload by
	// choosing the last word to cancel the rest.
	src, dst := [4]byte{192, 0, 2, 1}, [4]byte{192, 0, 2, 2}
	d := make([]byte, udpHeaderLen+2)
	d[5] = byte(len(d))
	var pseudo [12]byte
	copy(pseudo[:], src[:])
	copy(pseudo[4:], dst[:])
	pseudo[9] = protocolUDP
	pseudo[11] = byte(len(d))
	rest := onesSum(onesSum(0, pseudo[:]), d)
	want := ^rest // payload word making the sum 0xffff, so the checksum 0
	d[8], d[9] = byte(want>>8), byte(want)
	if got := udpChecksum(src, dst, d); got != 0xffff {
		t.Errorf("checksum %#04x, want 0xffff", got)
	}
}
