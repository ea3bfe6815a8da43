package http_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/confgw/confgw/conference"
	confhttp "github.com/confgw/confgw/http"
	"github.com/confgw/confgw/internal/apitest"
)

// stream is an events stream read over its own connection, as a client
// that may stop reading would: with a small receive window, so that the
// server's writes block soon after it stops.
type stream struct {
	conn net.Conn
	resp *http.Response
}

func openStream(t *testing.T, env *apitest.Env, token, lastID string) (*stream, error) {
	t.Helper()
	d := net.Dialer{Timeout: 10 * time.Second, Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	conn, err := d.Dial("tcp", env.Server.Listener.Addr().String())
	if err != nil {
		return nil, err
	}
	req, _ := http.NewRequest("GET", env.Server.URL+"/v1/conferences/c/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	if err := req.Write(conn); err != nil {
		conn.Close()
		return nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return &stream{conn: conn, resp: resp}, nil
}

func (s *stream) Close() { s.conn.Close() }

// each calls fn with each event's data until the stream ends or fn says
// stop.
func (s *stream) each(fn func(conference.Event) (more bool)) error {
	sc := bufio.NewScanner(s.resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data:")
		if !ok {
			continue
		}
		var e conference.Event
		if err := json.Unmarshal([]byte(data), &e); err != nil {
			return fmt.Errorf("bad data line %q: %w", data, err)
		}
		if !fn(e) {
			return nil
		}
	}
	return sc.Err()
}

// metric reads one sample of the server's metrics, 0 when absent.
func metric(t *testing.T, env *apitest.Env, sample string) float64 {
	t.Helper()
	r := env.Do("GET", "/metrics", "", nil)
	for line := range strings.SplitSeq(string(r.Body), "\n") {
		if v, ok := strings.CutPrefix(line, sample+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("metric %s: %v", line, err)
			}
			return f
		}
	}
	return 0
}

// waitMetric waits for a sample to reach want; the deadline is generous
// because -race on a loaded machine is slow, and only a hang exhausts it.
func waitMetric(t *testing.T, env *apitest.Env, sample string, want float64) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		got := metric(t, env, sample)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s is %v, want %v", sample, got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestStreamsOverTheCapsAreRefusedWithRetryAfterAndCounted(t *testing.T) {
	env := apitest.Start(t, func(o *confhttp.Options) { o.MaxStreamsPerToken = 2; o.MaxStreams = 3 })
	env.CreateConference("c")
	host := env.AddParticipant("c", "Host", conference.RoleHost, "4.14")
	pat := env.AddParticipant("c", "Pat", conference.RoleParticipant, "4.14")
	for range 2 {
		s, err := openStream(t, env, pat.Token, "")
		if err != nil || s.resp.StatusCode != 200 {
			t.Fatalf("pat's stream within the cap: %v %v", err, s)
		}
		defer s.Close()
	}
	r := env.Do("GET", "/v1/conferences/c/events", pat.Token, nil)
	if r.Status != http.StatusTooManyRequests || r.ErrorCode() != "too_many_streams" || r.Header.Get("Retry-After") != "5" {
		t.Fatalf("pat's third stream: %d %s Retry-After %q", r.Status, r.Body, r.Header.Get("Retry-After"))
	}
	hs, err := openStream(t, env, host.Token, "")
	if err != nil || hs.resp.StatusCode != 200 {
		t.Fatalf("the host's stream is not capped by pat's: %v", err)
	}
	r = env.Do("GET", "/v1/conferences/c/events", apitest.AdminKey, nil)
	if r.Status != http.StatusServiceUnavailable || r.ErrorCode() != "streams_full" || r.Header.Get("Retry-After") != "10" {
		t.Fatalf("a fourth stream overall: %d %s Retry-After %q", r.Status, r.Body, r.Header.Get("Retry-After"))
	}
	if got := metric(t, env, "confgw_event_streams"); got != 3 {
		t.Errorf("confgw_event_streams %v, want 3", got)
	}
	for reason, want := range map[string]float64{"too_many_streams": 1, "streams_full": 1} {
		if got := metric(t, env, `confgw_event_streams_refused_total{reason="`+reason+`"}`); got != want {
			t.Errorf("refusals for %s: %v, want %v", reason, got, want)
		}
	}
	// A stream closed frees its place.
	hs.Close()
	waitMetric(t, env, "confgw_event_streams", 2)
	again, err := openStream(t, env, host.Token, "")
	if err != nil || again.resp.StatusCode != 200 {
		t.Fatalf("a stream after one closed: %v", err)
	}
	again.Close()
}

// TestNoStreamThatResumesWithinTheWindowMissesAnEvent is the measured case,
// smaller: many streams, some of them not reading for a while, and a burst
// of moves far over their buffers. Each stream cut for lagging reconnects
// with the seq its stream.lagged names and must see every event.
func TestNoStreamThatResumesWithinTheWindowMissesAnEvent(t *testing.T) {
	const (
		streams = 16
		moves   = 1500 // 3,000 events for alice: a move and its toast
		buffer  = 32
	)
	reg := conference.NewRegistry(conference.Config{BreakoutDefault: true, ReplayEvents: 8192})
	t.Cleanup(reg.EndAll)
	env := apitest.Start(t, func(o *confhttp.Options) {
		o.Registry = reg
		o.StreamBuffer = buffer
		o.MaxStreamsPerToken = streams
		// The test server checks a stream's every event against the API's
		// document once its handler returns, before the response ends;
		// under the race detector that can outlast the write deadline,
		// whose expiry would then cut the stream's end. This test is about
		// lagging, not write deadlines.
		o.StreamWriteTimeout = 2 * time.Minute
	})
	env.CreateConference("c")
	host := env.AddParticipant("c", "Host", conference.RoleHost, "4.14")
	alice := env.AddParticipant("c", "Alice", conference.RoleParticipant, "4.14")
	conf, _ := reg.Get("c")
	if _, err := conf.AddRoom(conference.As(host.Participant.ID)); err != nil {
		t.Fatal(err)
	}
	// The reference: every event, alice's toasts included.
	all := conf.Subscribe(4 * moves)
	defer all.Close()

	type seen struct {
		seqs           map[uint64]bool
		lagged, resets int
		err            error
	}
	results := make([]seen, streams)
	ready := make(chan int, streams)
	release := make(chan struct{})
	final := make(chan uint64, 1)
	var wg sync.WaitGroup
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	for i := range streams {
		wg.Go(func() {
			res := &results[i]
			res.seqs = map[uint64]bool{}
			lastID, last, stop := "", uint64(0), uint64(0)
			for first := true; ; first = false {
				if ctx.Err() != nil {
					res.err = fmt.Errorf("still following at the deadline, after seq %d", last)
					return
				}
				s, err := openStream(t, env, alice.Token, lastID)
				if err != nil {
					res.err = err
					return
				}
				if s.resp.StatusCode != 200 {
					s.Close()
					res.err = fmt.Errorf("reconnecting: %d", s.resp.StatusCode)
					return
				}
				if first {
					ready <- i
					// Half the streams stop reading during the burst.
					if i%2 == 0 {
						<-release
					}
				}
				done := false
				err = s.each(func(e conference.Event) bool {
					switch e.Type {
					case conference.EventStreamLagged:
						res.lagged++
					case conference.EventStreamReset:
						res.resets++
					default:
						res.seqs[e.Seq] = true
					}
					last = e.Seq
					if stop == 0 {
						select {
						case stop = <-final:
							final <- stop
						default:
						}
					}
					done = stop != 0 && last >= stop
					return !done
				})
				s.Close()
				if err != nil && !done {
					res.err = err
					return
				}
				if done {
					return
				}
				lastID = strconv.FormatUint(last, 10)
			}
		})
	}
	for range streams {
		<-ready
	}
	for i := range moves {
		if _, err := conf.Move(conference.As(host.Participant.ID), alice.Participant.ID, []string{"1", conference.MainRoomID}[i%2]); err != nil {
			t.Fatal(err)
		}
	}
	room, err := conf.AddRoom(conference.As(host.Participant.ID))
	if err != nil {
		t.Fatal(err)
	}
	var want []uint64
	var stop uint64
	for stop == 0 {
		e := <-all.C
		if e.Type != conference.EventToast || e.Addressee == alice.Participant.ID {
			want = append(want, e.Seq)
		}
		if e.Type == conference.EventRoomAdded && e.Room.ID == room.ID {
			stop = e.Seq
		}
	}
	final <- stop
	close(release)
	wg.Wait()
	// Every stream's handler ends with its client.
	waitMetric(t, env, "confgw_event_streams", 0)

	lagged := 0
	for i, res := range results {
		if res.err != nil {
			t.Errorf("stream %d: %v", i, res.err)
			continue
		}
		if res.resets != 0 {
			t.Errorf("stream %d was reset though it resumed within the window", i)
		}
		lagged += res.lagged
		missed := 0
		for _, seq := range want {
			if !res.seqs[seq] {
				missed++
			}
		}
		if missed != 0 {
			t.Errorf("stream %d missed %d of %d events (it lagged %d times)", i, missed, len(want), res.lagged)
		}
	}
	if lagged == 0 {
		t.Fatal("no stream lagged: the burst did not outrun the buffers, and the test proved nothing")
	}
	t.Logf("%d streams, %d events, %d cuts for lagging", streams, len(want), lagged)
}
