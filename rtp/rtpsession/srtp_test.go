package rtpsession

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/g711"
	"github.com/confgw/confgw/internal/tone"
	"github.com/confgw/confgw/rtp/rtcp"
)

// srtpPair is the two sides of one SDES keying: the session's keys, and a
// test phone's contexts that mirror them.
type srtpPair struct {
	keys *SRTP
	// enc protects what the phone sends; dec opens what the session sends.
	enc, dec *srtp.Context
}

func newSRTPPair(tb testing.TB, profile srtp.ProtectionProfile) srtpPair {
	tb.Helper()
	local, remote := make([]byte, 30), make([]byte, 30)
	_, _ = rand.Read(local)
	_, _ = rand.Read(remote)
	enc, err := srtp.CreateContext(remote[:16], remote[16:], profile)
	if err != nil {
		tb.Fatal(err)
	}
	dec, err := srtp.CreateContext(local[:16], local[16:], profile)
	if err != nil {
		tb.Fatal(err)
	}
	return srtpPair{keys: &SRTP{Profile: profile, LocalKey: local, RemoteKey: remote}, enc: enc, dec: dec}
}

// srtpTonePacket is a 20 ms PCMU packet of a 1 kHz tone, protected.
func (p srtpPair) tonePacket(tb testing.TB, seq uint16, ts uint32) []byte {
	tb.Helper()
	samples := make([]int16, g711.FrameBytes)
	tone.Sine(1000, 8000, audio.NarrowbandHz).Fill(samples)
	payload := make([]byte, len(samples))
	g711.EncodeUlaw(payload, samples)
	h := rtpHeader(0, seq, ts, 0x5eed)
	h.Version = 2
	plain, err := (&rtp.Packet{Header: h, Payload: payload}).Marshal()
	if err != nil {
		tb.Fatal(err)
	}
	out, err := p.enc.EncryptRTP(nil, plain, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func TestAnSRTPPhoneIsHeardAndHearsTheRoomWithEitherProfile(t *testing.T) {
	for _, profile := range []srtp.ProtectionProfile{srtp.ProtectionProfileAes128CmHmacSha1_80, srtp.ProtectionProfileAes128CmHmacSha1_32} {
		t.Run(profile.String(), func(t *testing.T) {
			sink, err := net.ListenUDP("udp4", &net.UDPAddr{IP: loopback})
			if err != nil {
				t.Fatal(err)
			}
			defer sink.Close()
			pair := newSRTPPair(t, profile)
			s := newSession(t, Config{SRTP: pair.keys, Remote: sink.LocalAddr().(*net.UDPAddr)})
			from := sink.LocalAddr().(*net.UDPAddr).AddrPort()
			for i := range 3 {
				if !s.receive(pair.tonePacket(t, uint16(i+1), uint32(i*g711.FrameBytes)), from, time.Now()) {
					t.Fatalf("packet %d refused; stats %+v", i, s.Stats())
				}
			}
			var f audio.Frame
			if !s.ReadFrame(&f) || !tone.Detect(f.Samples(), 1000, audio.NarrowbandHz) {
				t.Fatalf("no tone played from SRTP: %+v", s.Stats())
			}

			tone.Sine(1000, 8000, audio.NarrowbandHz).Next(&f)
			s.WriteFrame(&f)
			buf := make([]byte, 2048)
			_ = sink.SetReadDeadline(time.Now().Add(hang))
			n, err := sink.Read(buf)
			if err != nil {
				t.Fatal(err)
			}
			tag, _ := profile.AuthTagRTPLen()
			if n != rtpHeaderSize+g711.FrameBytes+tag {
				t.Fatalf("SRTP packet of %d bytes, want %d", n, rtpHeaderSize+g711.FrameBytes+tag)
			}
			var clear [g711.FrameBytes]byte
			s.codec.Load().frames.EncodeFrame(&clear, &s.tx.native)
			if bytes.Contains(buf[:n], clear[:32]) {
				t.Fatal("the payload went out in the clear")
			}
			plain, err := pair.dec.DecryptRTP(nil, buf[:n], nil)
			if err != nil {
				t.Fatalf("the phone cannot open the session's packet: %v", err)
			}
			if !bytes.Equal(plain[rtpHeaderSize:], clear[:]) {
				t.Fatal("the phone decrypted something other than the room's audio")
			}
		})
	}
}

func TestATamperedSRTPPacketIsDroppedCountedAndNeverLatches(t *testing.T) {
	obs := &countingObserver{}
	pair := newSRTPPair(t, srtp.ProtectionProfileAes128CmHmacSha1_80)
	s := newSession(t, Config{SRTP: pair.keys, Remote: sdpAddr, Observer: obs})
	stranger := netip.MustParseAddrPort("127.0.0.2:4000")
	pkt := pair.tonePacket(t, 1, 0)
	pkt[rtpHeaderSize+5] ^= 1
	if s.receive(pkt, stranger, time.Now()) {
		t.Fatal("a tampered packet showed the phone alive")
	}
	st := s.Stats()
	if st.SRTPAuthFailed != 1 || obs.dropped[DropSRTPAuth].Load() != 1 {
		t.Fatalf("auth failures %d, observed %d; want 1", st.SRTPAuthFailed, obs.dropped[DropSRTPAuth].Load())
	}
	if st.Remote != netip.MustParseAddrPort("127.0.0.1:9") || obs.latched.Load() != 0 || st.PacketsIn != 0 {
		t.Fatalf("a forged packet moved the leg: remote %v, latches %d, packets %d", st.Remote, obs.latched.Load(), st.PacketsIn)
	}
	// The forgery took no sequence number: the genuine packet is still new.
	pkt = pair.tonePacket(t, 1, 0)
	if !s.receive(pkt, stranger, time.Now()) {
		t.Fatalf("the genuine packet after a forgery of it was refused: %+v", s.Stats())
	}
}

func TestAReplayedSRTPPacketIsDroppedAndCounted(t *testing.T) {
	pair := newSRTPPair(t, srtp.ProtectionProfileAes128CmHmacSha1_80)
	s := newSession(t, Config{SRTP: pair.keys, Remote: sdpAddr})
	from := sdpAddr.AddrPort()
	pkt := pair.tonePacket(t, 7, 0)
	replay := bytes.Clone(pkt)
	if !s.receive(pkt, from, time.Now()) {
		t.Fatal("the first packet was refused")
	}
	if s.receive(replay, from, time.Now()) {
		t.Fatal("the replay was taken")
	}
	if st := s.Stats(); st.SRTPReplayed != 1 || st.SRTPAuthFailed != 0 || st.PacketsIn != 1 {
		t.Fatalf("replays %d, auth failures %d, packets %d; want 1, 0, 1", st.SRTPReplayed, st.SRTPAuthFailed, st.PacketsIn)
	}
}

func TestPlainRTPToAnSRTPLegIsDropped(t *testing.T) {
	pair := newSRTPPair(t, srtp.ProtectionProfileAes128CmHmacSha1_80)
	s := newSession(t, Config{SRTP: pair.keys, Remote: sdpAddr})
	plain, err := (&rtp.Packet{Header: rtp.Header{Version: 2, SSRC: 1, SequenceNumber: 1}, Payload: make([]byte, g711.FrameBytes)}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if s.receive(plain, sdpAddr.AddrPort(), time.Now()) {
		t.Fatal("RTP in the clear was taken by an SRTP leg")
	}
	for _, short := range [][]byte{nil, {0x80}, plain[:12]} {
		if s.receive(short, sdpAddr.AddrPort(), time.Now()) {
			t.Fatal("a runt was taken")
		}
	}
	if st := s.Stats(); st.SRTPAuthFailed != 1 || st.Malformed != 3 {
		t.Fatalf("auth failures %d, malformed %d; want 1, 3", st.SRTPAuthFailed, st.Malformed)
	}
}

func TestSRTPKeysThatDoNotFitTheProfileAreRefused(t *testing.T) {
	pair := newSRTPPair(t, srtp.ProtectionProfileAes128CmHmacSha1_80)
	bad := *pair.keys
	bad.LocalKey = bad.LocalKey[:29]
	if err := newSession(t, Config{}).SetSRTP(&bad); !errors.Is(err, ErrSRTPKey) {
		t.Fatalf("SetSRTP with a short key: %v", err)
	}
	bad = *pair.keys
	bad.Profile = srtp.ProtectionProfileAeadAes256Gcm
	if err := newSession(t, Config{}).SetSRTP(&bad); !errors.Is(err, ErrSRTPKey) {
		t.Fatalf("SetSRTP with a profile of other key lengths: %v", err)
	}
}

func TestSettingTheSameSRTPKeysAgainKeepsTheContexts(t *testing.T) {
	pair := newSRTPPair(t, srtp.ProtectionProfileAes128CmHmacSha1_80)
	s := newSession(t, Config{SRTP: pair.keys})
	before := s.srtp.Load()
	same := &SRTP{Profile: pair.keys.Profile, LocalKey: bytes.Clone(pair.keys.LocalKey), RemoteKey: bytes.Clone(pair.keys.RemoteKey)}
	if err := s.SetSRTP(same); err != nil {
		t.Fatal(err)
	}
	if s.srtp.Load() != before {
		t.Fatal("the same keys made new contexts, restarting the rollover counter")
	}
	if err := s.SetSRTP(nil); err != nil || s.srtp.Load() != nil {
		t.Fatalf("SetSRTP(nil): %v", err)
	}
}

// srtpToneTicks is toneTicks for a leg keyed with pair: each packet is
// protected afresh, as the phone would, into a buffer of the test's own.
func srtpToneTicks(tb testing.TB, s *Session, pair srtpPair) func() {
	tb.Helper()
	samples := make([]int16, g711.FrameBytes)
	tone.Sine(1000, 8000, audio.NarrowbandHz).Fill(samples)
	plain := make([]byte, rtpHeaderSize+g711.FrameBytes)
	g711.EncodeUlaw(plain[rtpHeaderSize:], samples)
	h := rtpHeader(0, 1, 0, 0x5eed)
	h.Version = 2
	if _, err := h.MarshalTo(plain); err != nil {
		tb.Fatal(err)
	}
	wire := make([]byte, 0, len(plain)+maxAuthTag)
	var hdr rtp.Header
	from := (&net.UDPAddr{IP: loopback, Port: 40000}).AddrPort()
	seq, ts, played := uint16(1), uint32(0), uint32(0)
	var f audio.Frame
	return func() {
		for ts < played+3*g711.FrameBytes {
			binary.BigEndian.PutUint16(plain[2:], seq)
			binary.BigEndian.PutUint32(plain[4:], ts)
			seq, ts = seq+1, ts+g711.FrameBytes
			out, err := pair.enc.EncryptRTP(wire[:0], plain, &hdr)
			if err != nil {
				tb.Fatal(err)
			}
			if !s.receive(out, from, time.Now()) {
				tb.Fatalf("SRTP packet refused: %+v", s.Stats())
			}
		}
		if !s.ReadFrame(&f) {
			tb.Fatal("no frame played")
		}
		played += g711.FrameBytes
	}
}

// BenchmarkReceiveSRTP is BenchmarkReceive with AES_CM_128_HMAC_SHA1_80;
// the phone's encryption of each packet is in the figure.
func BenchmarkReceiveSRTP(b *testing.B) {
	pair := newSRTPPair(b, srtp.ProtectionProfileAes128CmHmacSha1_80)
	tick := srtpToneTicks(b, benchSession(b, Config{SRTP: pair.keys}), pair)
	b.ReportAllocs()
	for b.Loop() {
		tick()
	}
}

// BenchmarkWriteFrameSRTP is BenchmarkWriteFrame with encryption.
func BenchmarkWriteFrameSRTP(b *testing.B) {
	sink, err := net.ListenUDP("udp4", &net.UDPAddr{IP: loopback})
	if err != nil {
		b.Fatal(err)
	}
	defer sink.Close()
	pair := newSRTPPair(b, srtp.ProtectionProfileAes128CmHmacSha1_80)
	s := benchSession(b, Config{SRTP: pair.keys, Remote: sink.LocalAddr().(*net.UDPAddr)})
	var f audio.Frame
	tone.Sine(1000, 8000, audio.NarrowbandHz).Next(&f)
	b.ReportAllocs()
	for b.Loop() {
		s.WriteFrame(&f)
	}
}

func TestAPhoneThatTagsItsPacketsWithAnMKIIsHeard(t *testing.T) {
	pair := newSRTPPair(t, srtp.ProtectionProfileAes128CmHmacSha1_80)
	mki := []byte{0, 0, 0, 1}
	enc, err := srtp.CreateContext(pair.keys.RemoteKey[:16], pair.keys.RemoteKey[16:], pair.keys.Profile, srtp.MasterKeyIndicator(mki))
	if err != nil {
		t.Fatal(err)
	}
	pair.enc = enc
	pair.keys.RemoteMKI = mki
	s := newSession(t, Config{SRTP: pair.keys, Remote: sdpAddr})
	if !s.receive(pair.tonePacket(t, 1, 0), sdpAddr.AddrPort(), time.Now()) {
		t.Fatalf("a packet with the signalled MKI was refused: %+v", s.Stats())
	}
}

// A re-INVITE that changes only our key must not restart the phone's
// stream: past a sequence wrap, a fresh context would guess a rollover
// counter of 0 and fail to open every packet that follows.
func TestRekeyingOneDirectionKeepsTheOtherStreamsRolloverCounter(t *testing.T) {
	pair := newSRTPPair(t, srtp.ProtectionProfileAes128CmHmacSha1_80)
	s := newSession(t, Config{SRTP: pair.keys, Remote: sdpAddr})
	from := sdpAddr.AddrPort()
	seq, ts := uint16(65530), uint32(0)
	next := func() bool {
		pkt := pair.tonePacket(t, seq, ts)
		seq, ts = seq+1, ts+g711.FrameBytes
		return s.receive(pkt, from, time.Now())
	}
	for range 10 { // across the wrap: the phone's rollover counter is 1
		if !next() {
			t.Fatalf("packet %d refused: %+v", seq-1, s.Stats())
		}
	}
	before := s.srtp.Load()
	rekeyed := *pair.keys
	rekeyed.LocalKey = bytes.Clone(pair.keys.LocalKey)
	rekeyed.LocalKey[0] ^= 1
	if err := s.SetSRTP(&rekeyed); err != nil {
		t.Fatal(err)
	}
	if after := s.srtp.Load(); after == before || after.in != before.in || after.out == before.out {
		t.Fatal("rekeying our direction did not keep the phone's context alone")
	}
	// So with SRTCP: the reports' index goes on under an unchanged key, as
	// the same index twice would be keystream used twice.
	if after := s.srtp.Load(); after.rtcpIn != before.rtcpIn || after.rtcpOut == before.rtcpOut {
		t.Fatal("rekeying our direction did not keep the phone's SRTCP context alone")
	}
	for range 3 {
		if !next() {
			t.Fatalf("after our rekey, the phone's packet %d was refused: %+v", seq-1, s.Stats())
		}
	}
	if st := s.Stats(); st.SRTPAuthFailed != 0 || st.SRTPReplayed != 0 {
		t.Fatalf("auth failures %d, replays %d", st.SRTPAuthFailed, st.SRTPReplayed)
	}

	// The phone rekeying its direction leaves ours, SRTCP's included.
	ours := s.srtp.Load()
	theirs := rekeyed
	theirs.RemoteKey = bytes.Clone(rekeyed.RemoteKey)
	theirs.RemoteKey[0] ^= 1
	if err := s.SetSRTP(&theirs); err != nil {
		t.Fatal(err)
	}
	if after := s.srtp.Load(); after.out != ours.out || after.rtcpOut != ours.rtcpOut || after.in == ours.in || after.rtcpIn == ours.rtcpIn {
		t.Fatal("the phone's rekeying did not keep our contexts alone")
	}
}

// An SRTP leg reports over SRTCP, which the phone opens with the leg's
// key, and believes only the phone's authenticated reports: one in the
// clear, a tampered one or a replay is dropped and changes no figure.
func TestAnSRTPLegReportsOverSRTCPAndBelievesOnlyAuthenticatedReports(t *testing.T) {
	pair := newSRTPPair(t, srtp.ProtectionProfileAes128CmHmacSha1_80)
	s := pairedSession(t, Config{SRTP: pair.keys})
	ph := newRTCPPeer(t)
	s.SetRemote(ph.addr())
	s.SetRemoteRTCP(ph.rtcp.LocalAddr().(*net.UDPAddr).AddrPort())
	for i := range 5 {
		if _, err := ph.conn.WriteToUDP(pair.tonePacket(t, uint16(i+1), uint32(i*g711.FrameBytes)), s.LocalAddr()); err != nil {
			t.Fatal(err)
		}
	}
	settle(t, s.Session, "the phone's audio", func() bool { return s.Stats().PacketsIn == 5 })
	var f audio.Frame
	for range 10 {
		s.WriteFrame(&f)
	}

	// The leg's report is SRTCP: it does not parse in the clear, and opens
	// with the key the leg gave the phone.
	buf := make([]byte, 2048)
	var sr rtcp.Peer
	var at time.Time
	for deadline := time.Now().Add(hang); !sr.SR; {
		_ = ph.rtcp.SetReadDeadline(deadline)
		n, err := ph.rtcp.Read(buf)
		if err != nil {
			t.Fatalf("no report: %v", err)
		}
		if p, err := rtcp.Parse(buf[:n], 0x5eed, time.Now()); err == nil && p.Block != nil && p.Block.Lost == 0 && p.Packets == 10 {
			t.Fatal("the leg's report went out in the clear")
		}
		plain, err := pair.dec.DecryptRTCP(nil, buf[:n], nil)
		if err != nil {
			t.Fatalf("the phone cannot open the leg's report: %v", err)
		}
		at = time.Now()
		if sr, err = rtcp.Parse(plain, 0x5eed, at); err != nil {
			t.Fatalf("the leg's report does not parse once opened: %v", err)
		}
	}
	if sr.SSRC != s.ssrc || sr.Block == nil || sr.Packets != 10 {
		t.Fatalf("report %+v", sr)
	}

	to := s.rtcpConn.LocalAddr().(*net.UDPAddr)
	report := func(fraction uint8) []byte {
		rr := rtcp.Report{SSRC: 0x5eed, CNAME: "phone", Block: &rtcp.Block{
			SSRC: s.ssrc, FractionLost: fraction, ExtendedMax: 1000, LSR: sr.LSR, DLSR: rtcp.Delay(time.Since(at)),
		}}
		b, err := rr.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	send := func(b []byte) {
		if _, err := ph.rtcp.WriteToUDP(b, to); err != nil {
			t.Fatal(err)
		}
	}
	protected, err := pair.enc.EncryptRTCP(nil, report(26), nil)
	if err != nil {
		t.Fatal(err)
	}
	tampered := bytes.Clone(protected)
	tampered[12] ^= 0x40
	send(report(128)) // in the clear: anyone's
	send(tampered)
	eventually(t, "the unauthenticated reports dropped", func() bool { return s.Stats().RTCPDropped == 2 })
	if q, ok := s.Quality(); ok && q.Remote {
		t.Fatalf("an unauthenticated report was believed: %+v", q)
	}
	send(protected)
	var q Quality
	eventually(t, "the phone's SRTCP report in the quality", func() bool {
		var ok bool
		q, ok = s.Quality()
		return ok && q.Remote && q.HasRTT
	})
	if q.RemoteLossPct < 10 || q.RemoteLossPct > 10.5 {
		t.Fatalf("quality %+v, want the 10%% loss the phone reported", q)
	}
	send(protected)
	eventually(t, "the replayed report dropped", func() bool { return s.Stats().RTCPDropped == 3 })
}

// The phone's SSRC is in the clear, so anyone who sees the call can forge
// reports under it: they fail authentication without spending the phone's
// allowance, and its own report within the same interval is believed.
func TestForgedSRTCPUnderThePhonesSSRCDoesNotCrowdItsReportOut(t *testing.T) {
	pair := newSRTPPair(t, srtp.ProtectionProfileAes128CmHmacSha1_80)
	ports := testPorts(t, 1)
	conn, err := ports.Listen(loopback)
	if err != nil {
		t.Fatal(err)
	}
	// An interval longer than the test: the allowance is never refilled.
	s := startSession(t, Config{Conn: conn, Ports: ports, SRTP: pair.keys, RTCPBurst: 3, RTCPInterval: time.Hour})
	runRTCP(t, s.Session)
	ph := newRTCPPeer(t)
	s.SetRemote(ph.addr())
	if _, err := ph.conn.WriteToUDP(pair.tonePacket(t, 1, 0), s.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	settle(t, s.Session, "the phone's audio", func() bool { return s.Stats().PacketsIn == 1 })
	plain, _ := (&rtcp.Report{SSRC: 0x5eed, Block: &rtcp.Block{SSRC: s.ssrc, FractionLost: 64}}).Marshal()
	genuine, err := pair.enc.EncryptRTCP(nil, plain, nil)
	if err != nil {
		t.Fatal(err)
	}
	to := s.rtcpConn.LocalAddr().(*net.UDPAddr)
	for i := range 10 {
		forged := bytes.Clone(genuine)
		forged[len(forged)-1-i%4] ^= 0xff // a wrong tag
		if _, err := ph.rtcp.WriteToUDP(forged, to); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "the forgeries dropped", func() bool { return s.Stats().RTCPDropped == 10 })
	if _, err := ph.rtcp.WriteToUDP(genuine, to); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the phone's report believed after the forgeries", func() bool {
		q, ok := s.Quality()
		return ok && q.Remote && q.RemoteLossPct == 25
	})
}
