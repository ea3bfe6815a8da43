// Command siptcphold measures what hostile SIP-TCP connections hold in a
// running confgw serve: it opens -n connections from -sources loopback
// addresses (127.0.0.1, 127.0.0.2, ...), has each send the headers of an
// INVITE declaring a 60 KB body and 59 KB of that body, then stops sending.
// It reports how many connections the gateway keeps and its resident memory
// (from /proc/PID/status) over -hold. Linux only, for the 127/8 sources.
//
//	go build -o /tmp/confgw ./cmd/confgw
//	/tmp/confgw serve --sip 127.0.0.1:5070 --http 127.0.0.1:8070 --webrtc-udp 127.0.0.1:0 --data-dir /tmp/hold &
//	(cd bench && go run ./siptcphold -addr 127.0.0.1:5070 -pid $!)
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:5060", "the gateway's SIP address")
	pid := flag.Int("pid", 0, "the gateway's process id, for its RSS")
	n := flag.Int("n", 2000, "connections to open")
	sources := flag.Int("sources", 64, "loopback source addresses to spread them over")
	hold := flag.Duration("hold", 15*time.Second, "how long to hold them")
	flag.Parse()
	if *pid == 0 {
		fmt.Fprintln(os.Stderr, "siptcphold: -pid is required")
		os.Exit(2)
	}
	before := rss(*pid)
	const declared, sent = 60 << 10, 59 << 10
	body := strings.Repeat("a", sent)
	conns := make([]net.Conn, *n)
	var refused atomic.Int64
	var wg sync.WaitGroup
	var open atomic.Int64
	for i := range *n {
		k := i % *sources
		src := net.IPv4(127, 0, byte(k/250), byte(1+k%250))
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: src}, Timeout: 5 * time.Second}
		c, err := d.Dial("tcp", *addr)
		if err != nil {
			refused.Add(1)
			continue
		}
		conns[i] = c
		wg.Go(func() {
			head := fmt.Sprintf("INVITE sip:demo@%s SIP/2.0\r\nVia: SIP/2.0/TCP %s;branch=z9hG4bKhold%d\r\n"+
				"From: <sip:x@%s>;tag=%d\r\nTo: <sip:demo@%s>\r\nCall-ID: hold%d\r\nCSeq: 1 INVITE\r\n"+
				"Contact: <sip:x@%s;transport=tcp>\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n",
				*addr, c.LocalAddr(), i, src, i, *addr, i, c.LocalAddr(), declared)
			_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
			if _, err := c.Write([]byte(head + body)); err != nil {
				refused.Add(1)
				return
			}
			// The connection counts as held until the gateway ends it.
			open.Add(1)
			defer open.Add(-1)
			_, _ = io.Copy(io.Discard, c)
		})
	}
	// Writes end within their deadline, so the count of refusals settles
	// well before the first sample.
	time.Sleep(time.Second)
	fmt.Printf("sent %d, refused or reset while sending %d; gateway RSS before %d MB\n", *n, refused.Load(), before>>20)
	start := time.Now()
	peak := int64(0)
	for t := time.Duration(0); t <= *hold; t += time.Second {
		time.Sleep(time.Until(start.Add(t)))
		r := rss(*pid)
		peak = max(peak, r)
		fmt.Printf("t=%2.0fs held %4d  RSS %4d MB\n", t.Seconds(), open.Load(), r>>20)
	}
	fmt.Printf("peak RSS %d MB\n", peak>>20)
	for _, c := range conns {
		if c != nil {
			_ = c.Close()
		}
	}
	wg.Wait()
}

// rss is the resident memory of process pid in bytes, 0 if unknown.
func rss(pid int) int64 {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
