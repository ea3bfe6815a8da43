package rtppcap

import (
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/pion/rtp"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/g711"
	"github.com/confgw/confgw/internal/tone"
	"github.com/confgw/confgw/rtp/dtmf"
)

// What every capture carries; the scenarios' SDP and the tests' detectors
// depend on these values.
const (
	// PayloadPCMU is the static payload type of G.711 µ-law.
	PayloadPCMU = 0
	// PayloadTelephoneEvent is the dynamic payload type the scenarios offer
	// for RFC 4733 events.
	PayloadTelephoneEvent = 101
	// ToneHz is the frequency of the audio.
	ToneHz = 1000
	// ToneAmplitude is the tone's peak, about -12 dBFS: loud enough to
	// detect after mixing, far from clipping.
	ToneAmplitude = 8000
	// Frame is the packet interval.
	Frame = audio.FrameDuration
	// PressFrames is how many packets a key press lasts before its end
	// packets (100 ms, what phones send for a tap).
	PressFrames = 5
	// EndPackets is how often the end of a press is sent, as RFC 4733
	// recommends against loss.
	EndPackets = 3
	// GapFrames is the audio between two presses.
	GapFrames = 5
	// PauseFrames is the audio a ',' in Spec.Keys stands for (1 s), the
	// pause key of phone diallers.
	PauseFrames = 50
)

// The stream's fixed identity keeps generated files byte-identical run after
// run.
const (
	ssrc           = 0x0c0ff33e
	firstSeq       = 1000
	firstTimestamp = 160000
	samplesPerTick = audio.NarrowbandFrameSamples
)

var (
	captureStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	// TEST-NET addresses: sipp rewrites them, and they can reach no one if
	// the capture is replayed by another tool.
	srcAddr = netip.MustParseAddrPort("192.0.2.1:40000")
	dstAddr = netip.MustParseAddrPort("192.0.2.2:40000")
)

// Spec describes one capture.
type Spec struct {
	// Audio is how much tone comes before the first key.
	Audio time.Duration
	// Keys are pressed in order after Audio, with GapFrames of tone after
	// each; ',' stands for PauseFrames of tone instead.
	Keys string
}

// Packet is one RTP packet and when it is sent, from the first packet on.
type Packet struct {
	At  time.Duration
	RTP rtp.Packet
}

// Packets builds the stream: one packet every Frame, consecutive sequence
// numbers, and RTP timestamps that follow the clock, so a press's packets
// share the timestamp of its first frame as RFC 4733 requires.
func (s Spec) Packets() ([]Packet, error) {
	b := builder{gen: tone.Sine(ToneHz, ToneAmplitude, audio.NarrowbandHz)}
	b.audio(int(s.Audio / Frame))
	for i := range len(s.Keys) {
		k := s.Keys[i]
		if k == ',' {
			b.audio(PauseFrames)
			continue
		}
		e, err := dtmf.EventFor(k)
		if err != nil {
			return nil, fmt.Errorf("rtppcap: key %q: %w", k, err)
		}
		if err := b.press(e); err != nil {
			return nil, err
		}
		b.audio(GapFrames)
	}
	return b.pkts, nil
}

type builder struct {
	gen  *tone.Generator
	slot int
	pkts []Packet
}

func (b *builder) add(pt uint8, marker bool, ts uint32, payload []byte) {
	b.pkts = append(b.pkts, Packet{
		At: time.Duration(b.slot) * Frame,
		RTP: rtp.Packet{
			Header: rtp.Header{
				Version:        2,
				Marker:         marker,
				PayloadType:    pt,
				SequenceNumber: uint16(firstSeq + b.slot),
				Timestamp:      ts,
				SSRC:           ssrc,
			},
			Payload: payload,
		},
	})
	b.slot++
}

func (b *builder) timestamp(slot int) uint32 {
	return uint32(firstTimestamp + slot*samplesPerTick)
}

func (b *builder) audio(frames int) {
	var f audio.Frame
	for range frames {
		b.gen.Next(&f)
		payload := make([]byte, len(f.Samples()))
		g711.EncodeUlaw(payload, f.Samples())
		// The first packet opens a talkspurt (RFC 3551 §4.1).
		b.add(PayloadPCMU, b.slot == 0, b.timestamp(b.slot), payload)
	}
}

func (b *builder) press(e dtmf.Event) error {
	start := b.timestamp(b.slot)
	for i := range PressFrames + EndPackets {
		e.Duration = uint16(min(i+1, PressFrames) * samplesPerTick)
		e.End = i >= PressFrames
		payload := make([]byte, dtmf.PayloadSize)
		if _, err := dtmf.Encode(payload, e); err != nil {
			return fmt.Errorf("rtppcap: %w", err)
		}
		b.add(PayloadTelephoneEvent, i == 0, start, payload)
	}
	return nil
}

// Write writes the capture of s to w.
func Write(w io.Writer, s Spec) error {
	pkts, err := s.Packets()
	if err != nil {
		return err
	}
	pw, err := NewWriter(w)
	if err != nil {
		return err
	}
	for _, p := range pkts {
		raw, err := p.RTP.Marshal()
		if err != nil {
			return fmt.Errorf("rtppcap: %w", err)
		}
		if err := pw.WriteUDP(captureStart.Add(p.At), srcAddr, dstAddr, raw); err != nil {
			return err
		}
	}
	return nil
}
