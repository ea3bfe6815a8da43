// Command inviteflood measures what a flood of INVITEs that are never
// ACKed costs a running confgw serve. It sends -n INVITEs with an SDP offer
// at -rate a second, spread over -sources loopback addresses (127.0.1.1,
// 127.0.1.2, ...) and -ports sockets per address, reads the answers without
// ever sending an ACK, and samples the gateway's threads, open descriptors
// and resident memory (from /proc/PID) every -every, during the flood and
// for -after once the last INVITE went. Linux only, for the 127/8 sources
// and /proc.
//
//	go build -o /tmp/confgw ./cmd/confgw
//	/tmp/confgw serve --sip 127.0.0.1:5070 --http 127.0.0.1:8070 --webrtc-udp 127.0.0.1:0 --data-dir /tmp/flood &
//	(cd bench && go run ./inviteflood -addr 127.0.0.1:5070 -pid $! -n 10000 -rate 2000)
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:5060", "the gateway's SIP address (UDP)")
	to := flag.String("to", "demo", "user part to call: a conference's dial-in")
	pid := flag.Int("pid", 0, "the gateway's process id, for /proc samples")
	n := flag.Int("n", 10000, "INVITEs to send")
	rate := flag.Float64("rate", 1000, "INVITEs a second")
	sources := flag.Int("sources", 50, "loopback source addresses to spread them over")
	ports := flag.Int("ports", 4, "UDP sockets (source ports) per address")
	every := flag.Duration("every", time.Second, "time between samples")
	after := flag.Duration("after", 30*time.Second, "how long to keep sampling after the last INVITE")
	flag.Parse()
	if *pid == 0 || *n <= 0 || *rate <= 0 || *sources <= 0 || *ports <= 0 {
		fmt.Fprintln(os.Stderr, "inviteflood: -pid, and positive -n, -rate, -sources and -ports, are required")
		os.Exit(2)
	}
	gw, err := net.ResolveUDPAddr("udp4", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "inviteflood:", err)
		os.Exit(2)
	}
	var socks []*net.UDPConn
	for i := range *sources * *ports {
		k := i / *ports
		src := net.IPv4(127, 0, byte(1+k/250), byte(1+k%250))
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: src})
		if err != nil {
			fmt.Fprintln(os.Stderr, "inviteflood:", err)
			os.Exit(1)
		}
		_ = c.SetReadBuffer(4 << 20)
		socks = append(socks, c)
	}
	st := newTally()
	var readers sync.WaitGroup
	for _, c := range socks {
		readers.Go(func() { st.read(c) })
	}

	fmt.Printf("%6s %7s %7s %7s %6s %7s %9s  %s\n", "t", "sent", "200", "refused", "thr", "fds", "RSS MB", "other answers")
	start := time.Now()
	sample := func() {
		t, f, r := procSample(*pid)
		ok, refused, other := st.summary()
		fmt.Printf("%5.0fs %7d %7d %7d %6d %7d %9d  %s\n", time.Since(start).Seconds(), st.sentCount(), ok, refused, t, f, r>>20, other)
	}
	stopSampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tk := time.NewTicker(*every)
		defer tk.Stop()
		sample()
		for {
			select {
			case <-stopSampling:
				return
			case <-tk.C:
				sample()
			}
		}
	}()

	gap := time.Duration(float64(time.Second) / *rate)
	for i := range *n {
		// Paced against the start, not the previous send, so that a slow
		// write does not lower the rate.
		if d := time.Until(start.Add(time.Duration(i) * gap)); d > 0 {
			time.Sleep(d)
		}
		c := socks[i%len(socks)]
		if _, err := c.WriteToUDP(invite(c.LocalAddr().(*net.UDPAddr), *addr, *to, i), gw); err == nil {
			st.sent(i)
		}
	}
	fmt.Printf("flood sent in %.1fs (%.0f/s asked)\n", time.Since(start).Seconds(), *rate)
	time.Sleep(*after)
	close(stopSampling)
	<-sampled
	for _, c := range socks {
		_ = c.Close()
	}
	readers.Wait()
	ok, refused, other := st.summary()
	fmt.Printf("final: sent %d, answered 200 %d, refused %d (%s), never answered %d\n",
		st.sentCount(), ok, refused, other, st.sentCount()-st.finals())
}

// invite is an INVITE from the socket at from, with an SDP offer of PCMU
// whose media port nobody listens on: the caller never sends audio either.
func invite(from *net.UDPAddr, target, user string, i int) []byte {
	sdp := fmt.Sprintf("v=0\r\no=- %d 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"+
		"m=audio %d RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n",
		i, from.IP, from.IP, 20000+2*(i%10000))
	return fmt.Appendf(nil, "INVITE sip:%s@%s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bKflood%d;rport\r\n"+
		"Max-Forwards: 70\r\nFrom: \"flood\" <sip:flood@%s>;tag=f%d\r\nTo: <sip:%s@%s>\r\nCall-ID: flood%d@%s\r\n"+
		"CSeq: 1 INVITE\r\nContact: <sip:flood@%s>\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s",
		user, target, from, i, from.IP, i, user, target, i, from.IP, from, len(sdp), sdp)
}

// tally keeps each call's first final answer: a 200 that is never ACKed is
// retransmitted, and counts once.
type tally struct {
	mu     sync.Mutex
	n      int
	final  map[string]int // Call-ID → status
	counts map[int]int
}

func newTally() *tally { return &tally{final: map[string]int{}, counts: map[int]int{}} }

func (t *tally) sent(int) { t.mu.Lock(); t.n++; t.mu.Unlock() }

func (t *tally) sentCount() int { t.mu.Lock(); defer t.mu.Unlock(); return t.n }

func (t *tally) finals() int { t.mu.Lock(); defer t.mu.Unlock(); return len(t.final) }

func (t *tally) read(c *net.UDPConn) {
	buf := make([]byte, 65536)
	for {
		n, _, err := c.ReadFromUDP(buf)
		if err != nil {
			return
		}
		status, callID, ok := parseResponse(buf[:n])
		if !ok || status < 200 {
			continue
		}
		t.mu.Lock()
		if _, seen := t.final[callID]; !seen {
			t.final[callID] = status
			t.counts[status]++
		}
		t.mu.Unlock()
	}
}

// summary is the 200s, the refusals (486 and 503) and every other final
// status with its count.
func (t *tally) summary() (ok, refused int, other string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var codes []int
	for c := range t.counts {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	var parts []string
	for _, c := range codes {
		switch c {
		case 200:
			ok = t.counts[c]
		case 486, 503:
			refused += t.counts[c]
		}
		parts = append(parts, fmt.Sprintf("%d:%d", c, t.counts[c]))
	}
	return ok, refused, strings.Join(parts, " ")
}

func parseResponse(b []byte) (status int, callID string, ok bool) {
	line, rest, _ := bytes.Cut(b, []byte("\r\n"))
	f := bytes.Fields(line)
	if len(f) < 2 || !bytes.HasPrefix(f[0], []byte("SIP/2.0")) {
		return 0, "", false
	}
	status, err := strconv.Atoi(string(f[1]))
	if err != nil {
		return 0, "", false
	}
	for h := range bytes.SplitSeq(rest, []byte("\r\n")) {
		name, v, found := bytes.Cut(h, []byte(":"))
		if !found {
			continue
		}
		if n := strings.ToLower(string(bytes.TrimSpace(name))); n == "call-id" || n == "i" {
			return status, string(bytes.TrimSpace(v)), true
		}
	}
	return 0, "", false
}

// procSample reads the process's thread count, open descriptors and
// resident memory in bytes; zeros for what it cannot read.
func procSample(pid int) (threads, fds int, rss int64) {
	p := "/proc/" + strconv.Itoa(pid)
	if ents, err := os.ReadDir(p + "/fd"); err == nil {
		fds = len(ents)
	}
	f, err := os.Open(p + "/status")
	if err != nil {
		return threads, fds, rss
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			rss = kb << 10
		}
		if v, ok := strings.CutPrefix(s.Text(), "Threads:"); ok {
			threads, _ = strconv.Atoi(strings.TrimSpace(v))
		}
	}
	return threads, fds, rss
}
