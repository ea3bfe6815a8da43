package http

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-contrib/sse"
	"github.com/gin-gonic/gin"

	"github.com/confgw/confgw/conference"
)

// keepAlive stops proxies and load balancers from closing a quiet stream.
const keepAlive = 15 * time.Second

func (s *Server) events(c *gin.Context) {
	conf, actor := confOf(c), actorOf(c)
	// Browsers' EventSource resends the last id it saw when it reconnects;
	// scripts can pass it as a query parameter.
	lastID := c.GetHeader("Last-Event-ID")
	if lastID == "" {
		lastID = c.Query("last_event_id")
	}
	var after uint64
	if lastID != "" {
		n, err := strconv.ParseUint(lastID, 10, 64)
		if err != nil {
			s.fail(c, invalid("Last-Event-ID %q is not an event id", lastID))
			return
		}
		after = n
	}
	release, err := s.streams.acquire(conf.ID() + "\x00" + actorKey(actor))
	if err != nil {
		s.fail(c, err)
		return
	}
	defer release()
	sub := conf.SubscribeAs(actor, after, s.streams.buffer)
	defer sub.Close()

	// A client that stops reading must not hold its handler, nor a graceful
	// shutdown, for ever: every write gets a deadline.
	rc := http.NewResponseController(c.Writer)
	deadline := func() bool { return rc.SetWriteDeadline(time.Now().Add(s.streamWrite)) == nil }
	c.Header("Content-Type", "text/event-stream")
	c.Header("Cache-Control", "no-cache")
	c.Header("X-Accel-Buffering", "no")
	c.Status(http.StatusOK)
	if !deadline() {
		return
	}
	c.Writer.Flush()

	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		select {
		case <-c.Request.Context().Done():
			return
		case <-s.draining:
			return
		case <-tick.C:
			if !deadline() {
				return
			}
			if _, err := c.Writer.WriteString(": keep-alive\n\n"); err != nil {
				return
			}
			c.Writer.Flush()
		case e, ok := <-sub.C:
			if !ok {
				return
			}
			if !deadline() {
				return
			}
			c.Render(-1, sse.Event{Id: strconv.FormatUint(e.Seq, 10), Event: e.Type, Data: e})
			c.Writer.Flush()
			switch e.Type {
			case conference.EventStreamLagged:
				s.metrics.streamNotices.WithLabelValues(e.Type).Inc()
				return
			case conference.EventStreamReset:
				s.metrics.streamNotices.WithLabelValues(e.Type).Inc()
			}
			if e.Type == conference.EventParticipantLeft && e.Participant != nil && e.Participant.ID == actor.ParticipantID {
				return
			}
		}
	}
}

// actorKey tells the caller's streams apart from others' in a conference.
// The admin key counts apart in each conference, so that a dashboard
// following several meetings is not capped as one client.
func actorKey(a conference.Actor) string {
	if a.Admin {
		return "admin"
	}
	return "p:" + a.ParticipantID
}

// streamCaps counts the open streams, per token and overall: each holds a
// goroutine, a connection and a buffer of events, and a client that leaks
// them must not exhaust the server for everyone.
type streamCaps struct {
	buffer, perToken, total int
	metrics                 *metrics

	mu      sync.Mutex
	open    int
	byToken map[string]int
}

func newStreamCaps(buffer, perToken, total int, m *metrics) *streamCaps {
	return &streamCaps{buffer: buffer, perToken: perToken, total: total, metrics: m, byToken: map[string]int{}}
}

// acquire counts a stream of key in, or refuses it over a cap; release
// counts it out, once.
func (sc *streamCaps) acquire(key string) (release func(), err error) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	switch {
	case sc.byToken[key] >= sc.perToken:
		sc.metrics.streamsRefused.WithLabelValues(string(codeTooManyStreams)).Inc()
		return nil, &conference.Error{Code: codeTooManyStreams, Msg: fmt.Sprintf("this token already has %d events streams open in this conference", sc.perToken)}
	case sc.open >= sc.total:
		sc.metrics.streamsRefused.WithLabelValues(string(codeStreamsFull)).Inc()
		return nil, &conference.Error{Code: codeStreamsFull, Msg: fmt.Sprintf("the server holds as many events streams as it is set to (%d)", sc.total)}
	}
	sc.byToken[key]++
	sc.open++
	sc.metrics.streams.Inc()
	var once sync.Once
	return func() {
		once.Do(func() {
			sc.mu.Lock()
			defer sc.mu.Unlock()
			sc.open--
			if sc.byToken[key]--; sc.byToken[key] == 0 {
				delete(sc.byToken, key)
			}
			sc.metrics.streams.Dec()
		})
	}, nil
}
