package webrtc

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"net"
	"sync"

	"github.com/confgw/confgw/audio"
	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	pion "github.com/pion/webrtc/v4"
)

// Server answers WebRTC audio offers on one shared UDP port.
type Server struct {
	cfg      Config
	conn     *net.UDPConn
	mux      *ice.UDPMuxDefault
	settings pion.SettingEngine

	// ctx ends every session's goroutines when the server closes.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	sessions map[string]*Session
	pending  int // offers being answered
	closed   bool

	metrics metrics
	totals  counters
	shared  sharedEncoders
}

// New binds cfg.UDPAddr and returns a server ready to answer offers.
func New(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	addr, err := net.ResolveUDPAddr("udp", cfg.UDPAddr)
	if err != nil {
		return nil, fmt.Errorf("webrtc: UDP address %q: %w", cfg.UDPAddr, err)
	}
	conn, err := net.ListenUDP("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("webrtc: %w", err)
	}
	// Best effort: the kernel caps it at net.core.rmem_max.
	_ = conn.SetReadBuffer(socketReadBuffer)
	s := &Server{cfg: cfg, conn: conn, sessions: make(map[string]*Session), metrics: newMetrics()}
	logs := pionLogs{log: cfg.Logger}
	s.settings.LoggerFactory = logs
	s.mux = ice.NewUDPMuxDefault(ice.UDPMuxParams{UDPConn: conn, Logger: logs.NewLogger("udpmux")})
	s.settings.SetICEUDPMux(s.mux)
	bound := conn.LocalAddr().(*net.UDPAddr)
	if bound.IP.To4() != nil {
		s.settings.SetNetworkTypes([]pion.NetworkType{pion.NetworkTypeUDP4})
	} else {
		s.settings.SetNetworkTypes([]pion.NetworkType{pion.NetworkTypeUDP6})
	}
	// A gateway bound to loopback (the default, and every test) must offer
	// its loopback address, which ICE leaves out unless asked.
	s.settings.SetIncludeLoopbackCandidate(bound.IP.IsLoopback())
	s.settings.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	if cfg.PublicIP != "" {
		if net.ParseIP(cfg.PublicIP) == nil {
			_ = conn.Close()
			return nil, fmt.Errorf("webrtc: public IP %q is not an IP address", cfg.PublicIP)
		}
		rule := pion.ICEAddressRewriteRule{
			External:        []string{cfg.PublicIP},
			AsCandidateType: pion.ICECandidateTypeHost,
			Mode:            pion.ICEAddressRewriteReplace,
		}
		if err := s.settings.SetICEAddressRewriteRules(rule); err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("webrtc: public IP %q: %w", cfg.PublicIP, err)
		}
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// Addr is the UDP address every session shares.
func (s *Server) Addr() *net.UDPAddr { return s.conn.LocalAddr().(*net.UDPAddr) }

// Serving tells whether the shared port still receives: pion's mux closes
// itself when a read on the port fails, after which no browser can connect
// though offers would still be answered.
func (s *Server) Serving() bool {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	return !closed && !s.mux.IsClosed()
}

// Answer negotiates a session for a complete SDP offer (its ICE candidates
// in it, as WHIP has it) and returns it with the SDP answer, which carries
// the gateway's candidates. The session is connecting until ICE and DTLS
// complete; it is not heard or fed until the caller puts it in a mixer.
func (s *Server) Answer(ctx context.Context, offer string) (*Session, string, error) {
	c, err := chooseCodec(offer)
	if err != nil {
		if errors.Is(err, ErrInvalidSDP) {
			s.metrics.refused.WithLabelValues(refusedInvalid).Inc()
		} else {
			s.metrics.refused.WithLabelValues(refusedCodec).Inc()
		}
		return nil, "", err
	}
	sup := supportFor(c)
	dec, err := sup.newCodec()
	if err != nil {
		return nil, "", err
	}
	enc, err := sup.newCodec()
	if err != nil {
		return nil, "", err
	}
	me := &pion.MediaEngine{}
	params := pion.RTPCodecParameters{RTPCodecCapability: sup.capability(), PayloadType: pion.PayloadType(c.PayloadType)}
	if err := me.RegisterCodec(params, pion.RTPCodecTypeAudio); err != nil {
		return nil, "", fmt.Errorf("webrtc: %w", err)
	}
	reg := &interceptor.Registry{}
	if err := pion.ConfigureRTCPReports(reg); err != nil {
		return nil, "", fmt.Errorf("webrtc: %w", err)
	}
	api := pion.NewAPI(pion.WithMediaEngine(me), pion.WithSettingEngine(s.settings), pion.WithInterceptorRegistry(reg))

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, "", ErrClosed
	}
	// Sessions being negotiated count too, or a burst of offers could
	// each pass the check before any is listed.
	if len(s.sessions)+s.pending >= s.cfg.MaxSessions {
		s.mu.Unlock()
		s.metrics.refused.WithLabelValues(refusedFull).Inc()
		return nil, "", fmt.Errorf("%w: %d sessions open", ErrFull, s.cfg.MaxSessions)
	}
	s.pending++
	s.wg.Add(1) // the session's life, released by its end
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.pending--
		s.mu.Unlock()
	}()

	pc, err := api.NewPeerConnection(pion.Configuration{})
	if err != nil {
		s.wg.Done()
		return nil, "", fmt.Errorf("webrtc: %w", err)
	}
	sess := newSession(s, newSessionID(), c, sup, pc, dec, enc)
	answer, err := sess.negotiate(ctx, offer, sup)
	if err != nil {
		sess.Close(ReasonFailed)
		return nil, "", err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		sess.Close(ReasonFailed)
		return nil, "", ErrClosed
	}
	// A session that failed while it was being answered has already been
	// forgotten; listing it now would hold a place under MaxSessions for
	// ever. end sets the state before it takes mu to forget, so checking
	// under mu cannot miss it.
	if sess.State() == StateEnded {
		s.mu.Unlock()
		return nil, "", fmt.Errorf("webrtc: the session ended while it was answered: %s", sess.Reason())
	}
	s.sessions[sess.id] = sess
	s.mu.Unlock()
	sess.start()
	return sess, answer, nil
}

// forget drops an ended session from the server's list.
func (s *Server) forget(sess *Session) {
	s.mu.Lock()
	delete(s.sessions, sess.id)
	s.mu.Unlock()
}

// Close ends every session with ReasonShutdown, waits until their
// connections are closed, and frees the port.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	open := make([]*Session, 0, len(s.sessions))
	for _, sess := range s.sessions {
		open = append(open, sess)
	}
	s.mu.Unlock()
	for _, sess := range open {
		sess.Close(ReasonShutdown)
	}
	s.cancel()
	s.wg.Wait()
	err := s.mux.Close()
	if cerr := s.conn.Close(); cerr != nil && !errors.Is(cerr, net.ErrClosed) && err == nil {
		err = cerr
	}
	return err
}

var sessionIDs = base32.StdEncoding.WithPadding(base32.NoPadding)

// newSessionID names a session with 80 random bits: the media URL carries
// it, and knowing one must not help guess another.
func newSessionID() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return "ws" + sessionIDs.EncodeToString(b[:])
}

// socketReadBuffer is what the shared port asks the kernel to hold of
// packets not yet read. Every session's packets queue on this one socket,
// so the default (about 208 KiB, some 200 packets: 40 ms of 100 sessions)
// overflows whenever the reader is held up a moment on a busy machine, and
// the kernel drops what does not fit. 8 MiB is about 150 ms of 1000
// sessions; the kernel grants at most net.core.rmem_max, which should be
// raised to match on a gateway with many app participants.
const socketReadBuffer = 8 << 20

// rtpBufferSize holds any RTP packet a browser sends over a path with a
// usual MTU; a larger one is cut and fails to decode.
const rtpBufferSize = 1500

// maxPayload bounds an encoded frame: 20 ms of Opus at the highest bitrate
// a session uses, or of G.711, fits with room to spare.
const maxPayload = 4 * audio.NarrowbandFrameSamples
