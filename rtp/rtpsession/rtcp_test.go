package rtpsession

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/rtp/rtcp"
)

// testRTCPInterval keeps tests quick: reports go about every 20 ms.
const testRTCPInterval = 20 * time.Millisecond

func TestListenBindsTheRTCPPortAboveEachRTPPort(t *testing.T) {
	p := testPorts(t, 2)
	squatter, err := net.ListenUDP("udp4", &net.UDPAddr{IP: loopback, Port: p.first + 1})
	if err != nil {
		t.Fatal(err)
	}
	defer squatter.Close()
	c, err := p.Listen(loopback)
	if err != nil {
		t.Fatal(err)
	}
	port := c.LocalAddr().(*net.UDPAddr).Port
	if port != p.first+2 {
		t.Fatalf("got port %d although the first pair's RTCP port is taken, want %d", port, p.first+2)
	}
	r := p.RTCP(c)
	if r == nil || r.LocalAddr().(*net.UDPAddr).Port != port+1 {
		t.Fatalf("RTCP socket %v for RTP port %d", r, port)
	}
	if err := p.Release(c); err != nil {
		t.Fatal(err)
	}
	// Released, the RTCP port is free for anyone again.
	again, err := net.ListenUDP("udp4", &net.UDPAddr{IP: loopback, Port: port + 1})
	if err != nil {
		t.Fatalf("the RTCP port stayed bound after Release: %v", err)
	}
	_ = again.Close()
}

// runRTCP runs s's RTCP loop until the test ends, checking that it returns.
func runRTCP(t *testing.T, s *Session) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.RunRTCP(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("RunRTCP: %v", err)
			}
		case <-time.After(hang):
			t.Error("RunRTCP did not return")
		}
	})
}

// pairedSession is a session on a port pair of its own, reporting often.
func pairedSession(t *testing.T, cfg Config) *running {
	t.Helper()
	ports := testPorts(t, 1)
	conn, err := ports.Listen(loopback)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Conn, cfg.Ports, cfg.RTCPInterval = conn, ports, testRTCPInterval
	s := startSession(t, cfg)
	runRTCP(t, s.Session)
	return s
}

func TestTwoLegsOnLoopbackReportToEachOtherWithTheRightCounts(t *testing.T) {
	a := pairedSession(t, Config{})
	b := pairedSession(t, Config{})
	a.SetRemote(b.LocalAddr())
	b.SetRemote(a.LocalAddr())
	var f audio.Frame
	const n = 30
	for range n {
		a.WriteFrame(&f)
		b.WriteFrame(&f)
	}
	settle(t, b.Session, "a's audio at b", func() bool { return b.Stats().PacketsIn == n })
	settle(t, a.Session, "b's audio at a", func() bool { return a.Stats().PacketsIn == n })
	// Each side's reports echo the other's SR, so both come to know the
	// round trip; neither lost anything.
	for name, s := range map[string]*running{"a": a, "b": b} {
		eventually(t, name+"'s round trip", func() bool {
			q, ok := s.Quality()
			return ok && q.Remote && q.HasRTT
		})
		q, _ := s.Quality()
		if q.PacketsIn != n || q.PacketsLost != 0 || q.LossPct != 0 || q.RemoteLossPct != 0 {
			t.Errorf("%s: %+v", name, q)
		}
		if q.RTT <= 0 || q.RTT > time.Second {
			t.Errorf("%s: round trip %s on loopback", name, q.RTT)
		}
		if q.MOS < 4.3 {
			t.Errorf("%s: MOS %.2f for a perfect call", name, q.MOS)
		}
		if st := s.Stats(); st.RTCPIn == 0 || st.RTCPOut == 0 || st.RTCPDropped != 0 {
			t.Errorf("%s: RTCP in %d, out %d, dropped %d", name, st.RTCPIn, st.RTCPOut, st.RTCPDropped)
		}
	}
}

// rtcpPeer is a phone's RTP and RTCP sockets, on ports of its own.
type rtcpPeer struct {
	*phone
	rtcp *net.UDPConn
}

func newRTCPPeer(t *testing.T) *rtcpPeer {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: loopback})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &rtcpPeer{phone: newPhone(t), rtcp: c}
}

// readReport waits for a report from the session that satisfies ok on
// conn, skipping RTP on a multiplexed port, and returns when it got.
func readReport(t *testing.T, conn *net.UDPConn, ours uint32, ok func(rtcp.Peer) bool) (rtcp.Peer, time.Time) {
	t.Helper()
	buf := make([]byte, 2048)
	deadline := time.Now().Add(hang)
	for {
		_ = conn.SetReadDeadline(deadline)
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("no report: %v", err)
		}
		if !rtcp.IsRTCP(buf[:n]) {
			continue
		}
		at := time.Now()
		p, err := rtcp.Parse(buf[:n], ours, at)
		if err != nil {
			t.Fatalf("the session sent a report that does not parse: %v", err)
		}
		if ok(p) {
			return p, at
		}
	}
}

func TestAPeerReportingTenPercentLossMakesItVisibleInTheLegsQuality(t *testing.T) {
	s := pairedSession(t, Config{})
	ph := newRTCPPeer(t)
	s.SetRemote(ph.addr())
	s.SetRemoteRTCP(ph.rtcp.LocalAddr().(*net.UDPAddr).AddrPort())
	// The phone sends 100 packets of which every tenth is lost.
	var payload [160]byte
	for i := range 100 {
		if i%10 == 5 {
			ph.seq++
			ph.ts += 160
			continue
		}
		ph.sendAudio(s.LocalAddr(), 0, payload[:])
	}
	var f audio.Frame
	const sent = 25
	for range sent {
		s.WriteFrame(&f)
	}
	settle(t, s.Session, "the phone's audio", func() bool { return s.Stats().PacketsIn == 90 })

	// The leg's SR counts what it sent and its block what it lost of the
	// phone's stream (probation takes the first packet).
	sr, at := readReport(t, ph.rtcp, ph.ssrc, func(p rtcp.Peer) bool {
		return p.SR && p.Block != nil && p.Block.Lost == 10
	})
	if sr.SSRC != s.ssrc || sr.Block.ExtendedMax != uint32(ph.seq-1) || sr.Packets != sent || sr.Octets != sent*160 {
		t.Fatalf("report %+v, block %+v", sr, *sr.Block)
	}
	// The phone reports 10% loss of the leg's audio, echoing the SR.
	rr := rtcp.Report{SSRC: ph.ssrc, CNAME: "phone", Block: &rtcp.Block{
		SSRC: s.ssrc, FractionLost: 26, Lost: 3, ExtendedMax: 1000, Jitter: 40,
		LSR: sr.LSR, DLSR: rtcp.Delay(time.Since(at)),
	}}
	b, err := rr.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ph.rtcp.WriteToUDP(b, s.rtcpConn.LocalAddr().(*net.UDPAddr)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the phone's report in the quality", func() bool {
		q, ok := s.Quality()
		return ok && q.Remote && q.HasRTT
	})
	q, _ := s.Quality()
	if q.RemoteLossPct < 10 || q.RemoteLossPct > 10.5 || q.WorstLossPct < 10 || q.RemoteJitter != 5*time.Millisecond {
		t.Errorf("quality %+v", q)
	}
	if q.PacketsIn != 90 || q.PacketsLost != 10 {
		t.Errorf("packets in %d, lost %d, want 90 and 10", q.PacketsIn, q.PacketsLost)
	}
	if q.MOS > 3.6 || q.MOS < 3 {
		t.Errorf("MOS %.2f with 10%% loss", q.MOS)
	}
}

func TestReportsGoOverTheRTPPortWhenMultiplexed(t *testing.T) {
	s := pairedSession(t, Config{})
	ph := newRTCPPeer(t)
	s.SetRemote(ph.addr())
	s.SetRTCPMux(true)
	var payload [160]byte
	for range 5 {
		ph.sendAudio(s.LocalAddr(), 0, payload[:])
	}
	settle(t, s.Session, "the phone's audio", func() bool { return s.Stats().PacketsIn == 5 })
	// The report goes with the next tick's audio, to the phone's RTP port.
	var f audio.Frame
	got := make(chan rtcp.Peer, 1)
	go func() {
		p, _ := readReport(t, ph.conn, ph.ssrc, func(p rtcp.Peer) bool { return p.Block != nil })
		got <- p
	}()
	stop := time.Now().Add(hang)
	var p rtcp.Peer
	for p.Block == nil && time.Now().Before(stop) {
		s.WriteFrame(&f)
		select {
		case p = <-got:
		case <-time.After(5 * time.Millisecond):
		}
	}
	if p.Block == nil || p.SSRC != s.ssrc {
		t.Fatalf("no report on the RTP port: %+v", p)
	}
	// And the phone's report on our RTP port is read, not played.
	rr := rtcp.Report{SSRC: ph.ssrc, Block: &rtcp.Block{SSRC: s.ssrc, FractionLost: 128}}
	b, _ := rr.Marshal()
	if _, err := ph.conn.WriteToUDP(b, s.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	settle(t, s.Session, "the phone's report", func() bool {
		q, ok := s.Quality()
		return ok && q.RemoteLossPct == 50
	})
	if st := s.Stats(); st.Malformed != 0 || st.WrongPayloadType != 0 {
		t.Errorf("the report was taken for RTP: %+v", st)
	}
}

func TestReportsFromStrangersAndMalformedOnesAreDropped(t *testing.T) {
	s := pairedSession(t, Config{RTCPBurst: 3})
	ph := newRTCPPeer(t)
	s.SetRemote(ph.addr())
	var payload [160]byte
	ph.sendAudio(s.LocalAddr(), 0, payload[:])
	settle(t, s.Session, "the phone's audio", func() bool { return s.Stats().PacketsIn == 1 })
	stranger := rtcp.Report{SSRC: 0xbad, Block: &rtcp.Block{SSRC: s.ssrc, FractionLost: 255}}
	b, _ := stranger.Marshal()
	to := s.rtcpConn.LocalAddr().(*net.UDPAddr)
	for _, d := range [][]byte{b, {0x80, 201, 0, 9}, []byte("hello")} {
		if _, err := ph.rtcp.WriteToUDP(d, to); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "drops", func() bool { return s.Stats().RTCPDropped == 3 })
	if q, ok := s.Quality(); ok && q.Remote {
		t.Errorf("a stranger's report was believed: %+v", q)
	}

	// A compound that starts as the phone's but goes on as a stranger's
	// is a stranger's.
	mixed, _ := (&rtcp.Report{SSRC: ph.ssrc}).Marshal()
	mixed = append(mixed, b...)
	if _, err := ph.rtcp.WriteToUDP(mixed, to); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the mixed compound dropped", func() bool { return s.Stats().RTCPDropped == 4 })
}

// Only the phone's stream spends its allowance of reports, so strangers
// spraying the RTCP port with more than the burst, within one interval,
// do not crowd the phone's own report out.
func TestStrangersSprayingTheRTCPPortDoNotCrowdThePhonesReportOut(t *testing.T) {
	ports := testPorts(t, 1)
	conn, err := ports.Listen(loopback)
	if err != nil {
		t.Fatal(err)
	}
	// An interval longer than the test: the allowance is never refilled.
	s := startSession(t, Config{Conn: conn, Ports: ports, RTCPBurst: 3, RTCPInterval: time.Hour})
	runRTCP(t, s.Session)
	ph := newRTCPPeer(t)
	s.SetRemote(ph.addr())
	var payload [160]byte
	ph.sendAudio(s.LocalAddr(), 0, payload[:])
	settle(t, s.Session, "the phone's audio", func() bool { return s.Stats().PacketsIn == 1 })
	stranger, _ := (&rtcp.Report{SSRC: 0xbad, Block: &rtcp.Block{SSRC: s.ssrc, FractionLost: 255}}).Marshal()
	to := s.rtcpConn.LocalAddr().(*net.UDPAddr)
	for range 10 {
		if _, err := ph.rtcp.WriteToUDP(stranger, to); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "the spray dropped", func() bool { return s.Stats().RTCPDropped == 10 })
	own, _ := (&rtcp.Report{SSRC: ph.ssrc, Block: &rtcp.Block{SSRC: s.ssrc, FractionLost: 64}}).Marshal()
	if _, err := ph.rtcp.WriteToUDP(own, to); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the phone's report believed after the spray", func() bool {
		q, ok := s.Quality()
		return ok && q.Remote && q.RemoteLossPct == 25
	})
}

func TestRunRTCPEndsWithTheSessionAndRunsOnce(t *testing.T) {
	s := newSession(t, Config{RTCPInterval: time.Millisecond})
	done := make(chan error, 1)
	go func() { done <- s.RunRTCP(context.Background()) }()
	eventually(t, "a first interval", func() bool { _, ok := s.Quality(); return ok })
	if err := s.RunRTCP(context.Background()); !errors.Is(err, ErrRunning) {
		t.Errorf("a second RunRTCP = %v", err)
	}
	_ = s.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(hang):
		t.Fatal("RunRTCP did not end with Close")
	}
}
