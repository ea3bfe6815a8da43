package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-contrib/sse"
	"github.com/gin-gonic/gin"

	"github.com/confgw/confgw/conference"
)

// eventBuffer is how far a stream may lag before the conference drops it;
// the client then reconnects and re-reads the state.
const eventBuffer = 256

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
	sub := conf.SubscribeAfter(after, eventBuffer)
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
			if !visibleTo(e, actor) {
				continue
			}
			if !deadline() {
				return
			}
			c.Render(-1, sse.Event{Id: strconv.FormatUint(e.Seq, 10), Event: e.Type, Data: e})
			c.Writer.Flush()
			if e.Type == conference.EventParticipantLeft && e.Participant != nil && e.Participant.ID == actor.ParticipantID {
				return
			}
		}
	}
}

// visibleTo keeps a toast for its addressee alone.
func visibleTo(e conference.Event, a conference.Actor) bool {
	return e.Type != conference.EventToast || e.Addressee == a.ParticipantID
}
