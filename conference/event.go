package conference

import "time"

// Event types published on a conference's stream.
const (
	EventParticipantJoined   = "participant.joined"
	EventParticipantLeft     = "participant.left"
	EventParticipantMoved    = "participant.moved"
	EventParticipantPromoted = "participant.promoted"
	EventParticipantUpdated  = "participant.updated"
	EventParticipantAudio    = "participant.audio"
	EventParticipantMuted    = "participant.muted"
	EventParticipantUnmuted  = "participant.unmuted"
	// EventParticipantHand is a hand raised or lowered (Reason HandRaised
	// or HandLowered); Participant says whose, and since when.
	EventParticipantHand = "participant.hand"
	// EventParticipantHelp is a participant asking for a host (Reason
	// HelpAsked) or its request cleared (HelpCleared).
	EventParticipantHelp = "participant.help"
	// EventParticipantSpeaking says a participant started or stopped
	// speaking (Participant.Speaking), with the Level it started at.
	EventParticipantSpeaking = "participant.speaking"
	EventRoomAdded           = "room.added"
	EventRoomDeleted         = "room.deleted"
	EventRecordingStarted    = "recording.started"
	EventRecordingStopped    = "recording.stopped"
	// EventParticipantQuality says a phone leg's call went poor (Reason
	// QualityPoor: its loss stayed past the threshold) or recovered
	// (QualityRecovered); Participant carries the figures.
	EventParticipantQuality = "participant.quality"
	// EventRecordingFailed is a recording its file's write or sync error
	// stopped; Reason says why. The room goes on, and a new recording can
	// be started.
	EventRecordingFailed   = "recording.failed"
	EventConferenceUpdated = "conference.updated"
	EventConferenceEnded   = "conference.ended"
	EventPhoneFailed       = "phone.failed"
	EventToast             = "toast"
	// EventStreamLagged is the last event of a stream that fell more than
	// its buffer behind; its Seq is the last event the stream was sent, to
	// resume after with Last-Event-ID.
	EventStreamLagged = "stream.lagged"
	// EventStreamReset opens a stream that resumed after events no longer
	// kept: the subscriber must re-read the conference. Its Seq is the
	// latest event, which the snapshot to re-read already includes.
	EventStreamReset = "stream.reset"
	// EventBanAdded and EventBanRemoved tell a ban made or lifted; Ban
	// carries it.
	EventBanAdded   = "ban.added"
	EventBanRemoved = "ban.removed"
)

// ToastTTL is how long a client shows a toast.
const ToastTTL = 10 * time.Second

// Reasons a participant leaves.
const (
	ReasonLeft            = "left"
	ReasonRemovedByHost   = "removed by host"
	ReasonCallerHungUp    = "caller hung up"
	ReasonHungUpByHost    = "hung up by host"
	ReasonRTPTimeout      = "RTP timeout"
	ReasonPINFailed       = "PIN failed"
	ReasonConferenceEnded = "conference ended"
	ReasonCallFailed      = "call failed"
	// ReasonBannedByHost is a participant removed with a ban.
	ReasonBannedByHost = "banned by host"
)

// Reasons of a participant.quality event.
const (
	QualityPoor      = "poor"
	QualityRecovered = "recovered"
)

// RoomRef names a room in an event.
type RoomRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Event is one change of a conference. Toasts carry an Addressee and are
// meant for that participant alone.
type Event struct {
	Seq         uint64       `json:"seq"`
	Type        string       `json:"type"`
	Conference  string       `json:"conference"`
	At          time.Time    `json:"at"`
	Participant *Participant `json:"participant,omitempty"`
	Room        *RoomRef     `json:"room,omitempty"`
	From        *RoomRef     `json:"from,omitempty"`
	Addressee   string       `json:"addressee,omitempty"`
	Message     string       `json:"message,omitempty"`
	TTLMillis   int64        `json:"ttl_ms,omitempty"`
	Reason      string       `json:"reason,omitempty"`
	// Session names the audio session a participant.audio event reports
	// the end of: the participant may already have a newer one.
	Session   string     `json:"session,omitempty"`
	Status    int        `json:"status,omitempty"`
	Recording *Recording `json:"recording,omitempty"`
	Breakout  *bool      `json:"breakout_enabled,omitempty"`
	// Keypad is the new keypad setting of a conference.updated event.
	Keypad *bool `json:"keypad,omitempty"`
	// Level is a participant.speaking's level in dBov when it started.
	Level *float64 `json:"level,omitempty"`
	Ban   *Ban     `json:"ban,omitempty"`
}

// eventView is one event as each subscriber may see it, judged under the
// conference's mutex as the event is delivered, as listings are judged
// when read. A toast is its addressee's alone. A ban carries who banned
// and the host's reason, which only hosts and the admin may list, so its
// events go to them alone; everyone else learns of a removal from
// participant.left. A caller's number is masked for all but hosts and the
// admin; the masked copy is made once for all the streams that need it.
type eventView struct {
	e      Event
	masked *Event
}

func (v *eventView) forLocked(c *Conference, s *Subscription) (Event, bool) {
	a := s.viewer
	switch {
	case a == nil:
		return v.e, true
	case v.e.Type == EventToast:
		return v.e, v.e.Addressee == a.ParticipantID
	}
	shows := c.showsNumbersLocked(*a)
	switch {
	case v.e.Type == EventBanAdded || v.e.Type == EventBanRemoved:
		return v.e, shows
	case shows || v.e.Participant == nil || v.e.Participant.Phone == nil:
		return v.e, true
	}
	if v.masked == nil {
		m, p := v.e, v.e.Participant.withNumberMasked()
		m.Participant = &p
		v.masked = &m
	}
	return *v.masked, true
}

// Subscription receives a conference's events in order. A subscriber that
// falls too far behind is dropped rather than stall the conference: it
// receives a stream.lagged and then its channel closes, so it can subscribe
// again after the last event it was sent.
type Subscription struct {
	C    <-chan Event
	ch   chan Event
	conf *Conference
	// last is the conference's to write, under its mutex.
	last uint64
	// viewer is whose stream this is; nil sees every event whole.
	viewer *Actor
}

// Close stops the subscription; safe to call more than once.
func (s *Subscription) Close() { s.conf.unsubscribe(s) }

func ref(r *room) *RoomRef { return &RoomRef{ID: r.id, Name: r.name()} }

// ring keeps the last events published, oldest first. It grows up to its
// size as events come, so that quiet conferences do not hold a full one.
type ring struct {
	buf   []Event
	size  int
	start int
}

func newRing(size int) ring { return ring{size: size} }

func (r *ring) add(e Event) {
	if len(r.buf) < r.size {
		r.buf = append(r.buf, e)
		return
	}
	r.buf[r.start] = e
	r.start = (r.start + 1) % len(r.buf)
}

// oldest is the seq of the oldest event kept, 0 when none is.
func (r *ring) oldest() uint64 {
	if len(r.buf) == 0 {
		return 0
	}
	return r.buf[r.start].Seq
}

// after copies the events kept whose seq is above seq.
func (r *ring) after(seq uint64) []Event {
	var out []Event
	for i := range len(r.buf) {
		if e := r.buf[(r.start+i)%len(r.buf)]; e.Seq > seq {
			out = append(out, e)
		}
	}
	return out
}
