package rtpsession

import (
	"encoding/binary"
	"net"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/g711"
	"github.com/confgw/confgw/internal/tone"
)

// BenchmarkReceive measures one packet through the receive path (parse,
// latch, jitter buffer) and out of ReadFrame as a decoded frame. Packets
// are handed in directly, so ReadFrame's read of the socket finds it empty:
// one system call per op that a loaded leg would spend on its packet.
func BenchmarkReceive(b *testing.B) { benchReceive(b, 20) }

// BenchmarkReceive30ms is BenchmarkReceive with a phone that ignores our
// ptime and sends 30 ms packets: per tick (op), two thirds of a packet in
// and one frame re-cut across packet boundaries out.
func BenchmarkReceive30ms(b *testing.B) { benchReceive(b, 30) }

func benchReceive(b *testing.B, ptime int) {
	s := benchSession(b, Config{})
	tick := toneTicks(b, s, ptime)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		tick()
	}
	b.StopTimer()
	if st := s.Stats(); st.Concealed != 0 || st.Lost != 0 {
		b.Fatalf("concealed %d, lost %d", st.Concealed, st.Lost)
	}
}

// toneTicks returns one mixer tick's worth of a 1 kHz PCMU stream in ptime
// ms packets: the packets due go through the path Run takes, and one frame
// comes out of ReadFrame. The buffer is kept at its target, so every tick
// plays a whole frame.
func toneTicks(tb testing.TB, s *Session, ptime int) func() {
	tb.Helper()
	samples := make([]int16, ptime*8)
	tone.Sine(1000, 8000, audio.NarrowbandHz).Fill(samples)
	payload := make([]byte, len(samples))
	g711.EncodeUlaw(payload, samples)
	pkt, err := (&rtp.Packet{Header: rtpHeader(0, 1, 0, 0x5eed), Payload: payload}).Marshal()
	if err != nil {
		tb.Fatal(err)
	}
	pkt[0] = 0x80
	from := (&net.UDPAddr{IP: loopback, Port: 40000}).AddrPort()
	seq, ts, played := uint16(1), uint32(0), uint32(0)
	var f audio.Frame
	return func() {
		for ts < played+3*g711.FrameBytes {
			binary.BigEndian.PutUint16(pkt[2:], seq)
			binary.BigEndian.PutUint32(pkt[4:], ts)
			seq, ts = seq+1, ts+uint32(len(payload))
			s.receive(pkt, from, time.Now())
		}
		if !s.ReadFrame(&f) {
			tb.Fatal("no frame played")
		}
		played += g711.FrameBytes
	}
}

// BenchmarkWriteFrame measures encoding and sending one frame to a loopback
// socket.
func BenchmarkWriteFrame(b *testing.B) {
	sink, err := net.ListenUDP("udp4", &net.UDPAddr{IP: loopback})
	if err != nil {
		b.Fatal(err)
	}
	defer sink.Close()
	s := benchSession(b, Config{Remote: sink.LocalAddr().(*net.UDPAddr)})
	var f audio.Frame
	tone.Sine(1000, 8000, audio.NarrowbandHz).Next(&f)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s.WriteFrame(&f)
	}
	b.StopTimer()
	if st := s.Stats(); st.PacketsOut == 0 || st.SendErrors != 0 {
		b.Fatalf("sent %d, errors %d", st.PacketsOut, st.SendErrors)
	}
}

func benchSession(b testing.TB, cfg Config) *Session {
	b.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: loopback})
	if err != nil {
		b.Fatal(err)
	}
	cfg.Conn, cfg.Codec, cfg.Jitter, cfg.Logger = conn, audio.PCMU, fixedDelay, quiet
	s, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}

// BenchmarkTickedLeg is one leg's share of a room tick with real sockets:
// the phone's packet arrives (the phone's own sendto is in the figure, as
// loopback charges delivery to the sender), the tick reads it with one
// recvmmsg, decodes it, and encodes and sends the leg's mix.
func BenchmarkTickedLeg(b *testing.B) {
	s, tick := tickedLeg(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		tick()
	}
	b.StopTimer()
	if st := s.Stats(); st.PacketsIn < uint64(b.N) || st.Concealed != 0 {
		b.Fatalf("read %d packets of %d, concealed %d", st.PacketsIn, b.N, st.Concealed)
	}
}

// tickedLeg returns a session with a phone on loopback, and one tick of
// theirs: the phone sends a packet, the session plays it and sends back.
func tickedLeg(tb testing.TB) (*Session, func()) {
	tb.Helper()
	phone, err := net.ListenUDP("udp4", &net.UDPAddr{IP: loopback})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = phone.Close() })
	s := benchSession(tb, Config{Remote: phone.LocalAddr().(*net.UDPAddr)})
	samples := make([]int16, g711.FrameBytes)
	tone.Sine(1000, 8000, audio.NarrowbandHz).Fill(samples)
	pkt := make([]byte, rtpHeaderSize+g711.FrameBytes)
	g711.EncodeUlaw(pkt[rtpHeaderSize:], samples)
	to := s.LocalAddr().AddrPort()
	seq, ts := uint16(1), uint32(0)
	send := func() {
		h := rtpHeader(0, seq, ts, 0x5eed)
		h.Version = 2
		if _, err := h.MarshalTo(pkt); err != nil {
			tb.Fatal(err)
		}
		if _, err := phone.WriteToUDPAddrPort(pkt, to); err != nil {
			tb.Fatal(err)
		}
		seq, ts = seq+1, ts+g711.FrameBytes
	}
	for range 3 { // up to the jitter buffer's target
		send()
	}
	var f audio.Frame
	return s, func() {
		send()
		s.ReadFrame(&f)
		s.WriteFrame(&f)
	}
}
