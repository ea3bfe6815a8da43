// Package http serves the confgw API with Gin: conferences, rooms,
// participants, the events stream, health and metrics.
package http

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/http/console"
)

// Dialer places dial-out calls into a conference's main room. It returns at
// once with the ringing participant; the call goes on in the background.
type Dialer interface {
	DialOut(ctx context.Context, c *conference.Conference, to string) (conference.Participant, error)
}

// Options configure a Server.
type Options struct {
	Registry *conference.Registry
	AdminKey string
	Tokens   *Tokens
	// Dialer is nil until an outbound trunk is configured.
	Dialer Dialer
	// Recordings serves recorded files; nil lists none.
	Recordings Recordings
	// AppAudio answers app participants' WebRTC offers; nil refuses them.
	AppAudio AppAudio
	Logger   *slog.Logger
	// Metrics is where the API registers its collectors; nil makes a new one.
	Metrics *prometheus.Registry
	// Health names the gateway's parts other than the API (sip, webrtc)
	// with whether each still serves, for /healthz; nil reports the API
	// alone.
	Health func() map[string]bool
	// Shedding tells why the gateway turns new calls away now (a reason
	// such as tick_late or setup_queue), or "" when it takes them, for
	// /readyz; nil always takes them.
	Shedding func() string
	// AuthLimit slows down sources that fail authentication.
	AuthLimit AuthLimit
	// StreamWriteTimeout bounds each write to an events stream (10 s when
	// zero): a client that stops reading is cut off.
	StreamWriteTimeout time.Duration
	// StreamBuffer is how many events a stream may lag before it is cut
	// with a stream.lagged (DefaultStreamBuffer when zero or less).
	StreamBuffer int
	// MaxStreamsPerToken caps the open streams of one token in one
	// conference (DefaultMaxStreamsPerToken when zero or less).
	MaxStreamsPerToken int
	// MaxStreams caps the open streams of the server (DefaultMaxStreams
	// when zero or less).
	MaxStreams int
}

// Defaults of the events stream's options.
const (
	// DefaultStreamBuffer lets a stream fall a second behind a burst of a
	// few hundred moves without being cut, at about 100 KB a stream.
	DefaultStreamBuffer = 512
	// DefaultMaxStreamsPerToken is a console open in a few tabs with room
	// to spare; a client leaking streams hits it long before the server
	// feels it.
	DefaultMaxStreamsPerToken = 8
	// DefaultMaxStreams keeps the streams' buffers under about 200 MB.
	DefaultMaxStreams = 2000
)

// Server is the API.
type Server struct {
	reg         *conference.Registry
	adminKey    string
	tokens      *Tokens
	dialer      Dialer
	recordings  Recordings
	appAudio    AppAudio
	health      func() map[string]bool
	shedding    func() string
	log         *slog.Logger
	metrics     *metrics
	failures    *failures
	engine      *gin.Engine
	streamWrite time.Duration
	streams     *streamCaps

	// draining ends the event streams, which would otherwise hold a
	// graceful shutdown open for ever.
	draining  chan struct{}
	drainOnce sync.Once
}

// New builds the API.
func New(o Options) *Server {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Tokens == nil {
		o.Tokens = NewTokens(TokenOptions{})
	}
	if o.Metrics == nil {
		o.Metrics = prometheus.NewRegistry()
	}
	if o.StreamWriteTimeout <= 0 {
		o.StreamWriteTimeout = 10 * time.Second
	}
	if o.StreamBuffer <= 0 {
		o.StreamBuffer = DefaultStreamBuffer
	}
	if o.MaxStreamsPerToken <= 0 {
		o.MaxStreamsPerToken = DefaultMaxStreamsPerToken
	}
	if o.MaxStreams <= 0 {
		o.MaxStreams = DefaultMaxStreams
	}
	s := &Server{
		reg: o.Registry, adminKey: o.AdminKey, tokens: o.Tokens, dialer: o.Dialer,
		recordings: o.Recordings, appAudio: o.AppAudio, health: o.Health, shedding: o.Shedding, log: o.Logger, draining: make(chan struct{}),
		streamWrite: o.StreamWriteTimeout,
	}
	s.metrics = newMetrics(o.Metrics, o.Registry)
	s.streams = newStreamCaps(o.StreamBuffer, o.MaxStreamsPerToken, o.MaxStreams, s.metrics)
	s.failures = newFailures(o.AuthLimit, o.Logger)
	s.engine = s.routes()
	return s
}

// Handler is the API's http.Handler.
func (s *Server) Handler() http.Handler { return s.engine }

// Tokens is how the server signs participant tokens.
func (s *Server) Tokens() *Tokens { return s.tokens }

// Drain ends every open event stream; call it before http.Server.Shutdown.
func (s *Server) Drain() { s.drainOnce.Do(func() { close(s.draining) }) }

func (s *Server) routes() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	// observe runs outside recover, so that a panic answered 500 is counted.
	e.Use(s.observe, s.recover)
	e.NoRoute(func(c *gin.Context) {
		s.fail(c, &conference.Error{Code: conference.CodeNotFound, Msg: "no such route: " + c.Request.Method + " " + c.Request.URL.Path})
	})
	e.NoMethod(func(c *gin.Context) {
		s.fail(c, &conference.Error{Code: codeMethodNotAllowed, Msg: c.Request.Method + " is not served on " + c.Request.URL.Path})
	})

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", gin.WrapH(s.metrics.handler()))
	e.GET("/v1/openapi.json", serveOpenAPI)
	console.New().Register(e)

	e.POST("/v1/conferences", s.requireAdmin, s.createConference)
	e.GET("/v1/conferences", s.requireAdmin, s.listConferences)
	conf := e.Group("/v1/conferences/:cid")
	member := s.requireMember(false)
	conf.GET("", member, s.getConference)
	conf.PATCH("", member, s.patchConference)
	conf.DELETE("", s.requireAdmin, s.endConference)

	conf.POST("/participants", member, s.addParticipant)
	conf.GET("/participants", member, s.listParticipants)
	conf.GET("/participants/:pid", member, s.getParticipant)
	conf.DELETE("/participants/:pid", member, s.removeParticipant)
	conf.POST("/participants/:pid/move", member, s.moveParticipant)
	conf.POST("/participants/:pid/hangup", member, s.hangUp)
	conf.POST("/participants/:pid/mute", member, s.mute)
	conf.POST("/participants/:pid/unmute", member, s.unmute)
	conf.POST("/participants/:pid/host", member, s.setHost(true))
	conf.DELETE("/participants/:pid/host", member, s.setHost(false))
	conf.POST("/participants/:pid/hand", member, s.flag((*conference.Conference).RaiseHand))
	conf.DELETE("/participants/:pid/hand", member, s.flag((*conference.Conference).LowerHand))
	conf.POST("/participants/:pid/help", member, s.flag((*conference.Conference).AskHelp))
	conf.DELETE("/participants/:pid/help", member, s.flag((*conference.Conference).ClearHelp))
	conf.GET("/bans", member, s.listBans)
	conf.DELETE("/bans/:number", member, s.liftBan)

	conf.GET("/rooms", member, s.listRooms)
	conf.POST("/rooms", member, s.addRoom)
	conf.GET("/rooms/:room", member, s.getRoom)
	conf.PATCH("/rooms/:room", member, s.renameRoom)
	conf.DELETE("/rooms/:room", member, s.deleteRoom)
	conf.POST("/rooms/:room/join", member, s.joinRoom)
	conf.POST("/rooms/:room/mute", member, s.muteRoom)
	conf.POST("/rooms/:room/recording", member, s.startRecording)
	conf.DELETE("/rooms/:room/recording", member, s.stopRecording)
	conf.GET("/recordings", member, s.listRecordings)
	conf.GET("/recordings/:rid", member, s.downloadRecording)

	conf.POST("/dial-out", member, s.dialOut)
	conf.POST("/media", member, s.joinAudio)
	conf.DELETE("/media/:session", member, s.leaveAudio)
	conf.GET("/events", s.requireMember(true), s.events)
	return e
}

// recover turns a handler's panic into a 500 without losing the process.
func (s *Server) recover(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			s.log.Error("handler panicked", append(logAttrs(c), "panic", r)...)
			s.fail(c, &conference.Error{Code: codeInternal, Msg: "internal error"})
		}
	}()
	c.Next()
}
