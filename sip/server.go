// Package sip is the gateway's signalling: a SIP user agent on sipgo that
// answers and places calls, and knows nothing of conferences.
package sip

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"
)

const allowedMethods = "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO"

// Server is a SIP user agent listening on UDP and TCP on one port.
type Server struct {
	cfg     config
	log     *slog.Logger
	ua      *sipgo.UserAgent
	srv     *sipgo.Server
	cli     *sipgo.Client
	dialogs sipgo.DialogUA
	udp     *net.UDPConn
	tcp     *net.TCPListener
	tcpIn   *tcpGuard
	tlsL    net.Listener // nil without WithTLS
	tlsIn   *tcpGuard
	tlsPort int // the TLS port we advertise
	pubHost string
	pubPort int
	calls   *callSet

	runCtx    context.Context
	runCancel context.CancelFunc
	ready     chan struct{}

	mu       sync.Mutex
	handler  Handler
	running  bool
	closed   bool
	draining bool
	handlers sync.WaitGroup
}

// NewServer binds the UDP and TCP sockets at once, so a port clash shows at
// start-up and Addr is known before Run.
func NewServer(opts ...Option) (*Server, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	udp, tcp, err := bind(cfg.listenAddr)
	if err != nil {
		return nil, err
	}
	// Peers choose much of what the server and sipgo log; see netLogHandler.
	s := &Server{cfg: cfg, log: guardLogger(cfg.logger), udp: udp, tcp: tcp, calls: newCallSet(), ready: make(chan struct{})}
	s.runCtx, s.runCancel = context.WithCancel(context.Background())
	s.tcpIn = newTCPGuard(tcp, cfg, s.log, s.callOn("tcp"))
	if cfg.tlsConfig != nil {
		if s.tlsL, err = net.Listen("tcp", cfg.tlsAddr); err != nil {
			s.closeSockets()
			return nil, fmt.Errorf("listening on tls %s: %w", cfg.tlsAddr, err)
		}
		s.tlsPort = s.tlsL.Addr().(*net.TCPAddr).Port
		// The guard reads what TLS decrypted, so that its framing, size
		// limit and deadlines see SIP, and the handshake itself falls
		// under the message deadline.
		s.tlsIn = newTCPGuard(tls.NewListener(s.tlsL, cfg.tlsConfig), cfg, s.log, s.callOn("tls"))
	}
	if err := s.setPublic(); err != nil {
		s.closeSockets()
		return nil, err
	}
	if err := s.build(); err != nil {
		s.closeSockets()
		return nil, err
	}
	return s, nil
}

// bind listens on addr with UDP and TCP on the same port; port 0 tries free
// UDP ports until TCP can have the same one.
func bind(addr string) (*net.UDPConn, *net.TCPListener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, fmt.Errorf("listen address %q: %w", addr, err)
	}
	for range 50 {
		ua, err := net.ResolveUDPAddr("udp", net.JoinHostPort(host, port))
		if err != nil {
			return nil, nil, fmt.Errorf("listen address %q: %w", addr, err)
		}
		udp, err := net.ListenUDP("udp", ua)
		if err != nil {
			return nil, nil, fmt.Errorf("listening on udp %s: %w", addr, err)
		}
		bound := udp.LocalAddr().(*net.UDPAddr)
		tcp, err := net.ListenTCP("tcp", &net.TCPAddr{IP: bound.IP, Port: bound.Port, Zone: bound.Zone})
		if err == nil {
			return udp, tcp, nil
		}
		_ = udp.Close()
		if port != "0" {
			return nil, nil, fmt.Errorf("listening on tcp %s: %w", addr, err)
		}
	}
	return nil, nil, fmt.Errorf("no port free for both udp and tcp on %s", host)
}

func (s *Server) setPublic() error {
	bound := s.udp.LocalAddr().(*net.UDPAddr)
	s.pubHost, s.pubPort = bound.IP.String(), bound.Port
	if bound.IP.IsUnspecified() {
		s.pubHost = "127.0.0.1"
		if s.cfg.publicAddr == "" {
			s.log.Warn("listening on all interfaces without a public address: Contact says 127.0.0.1")
		}
	}
	if s.cfg.publicAddr != "" {
		host, port, err := net.SplitHostPort(s.cfg.publicAddr)
		if err != nil || host == "" {
			return fmt.Errorf("public address %q must be host:port", s.cfg.publicAddr)
		}
		s.pubHost = host
		if n, err := strconv.Atoi(port); err == nil && n > 0 && n < 65536 {
			s.pubPort = n
		}
	}
	if s.cfg.hostname == "" {
		s.cfg.hostname = s.pubHost
	}
	return nil
}

func (s *Server) build() error {
	lg := s.log.With("component", "sipgo")
	parser := sipmsg.NewParser()
	parser.MaxMessageLength = s.cfg.maxMessage
	// What sipgo dials over TLS, to a TLS trunk, is verified against the
	// trunk's authorities and host.
	var clientTLS *tls.Config
	if t := s.cfg.trunk; t != nil && t.Transport == "tls" {
		clientTLS = &tls.Config{RootCAs: t.RootCAs, MinVersion: tls.VersionTLS12}
	}
	ua, err := sipgo.NewUA(
		sipgo.WithUserAgenTLSConfig(clientTLS),
		sipgo.WithUserAgent(s.cfg.userAgent),
		sipgo.WithUserAgentHostname(s.cfg.hostname),
		sipgo.WithUserAgentParser(parser),
		sipgo.WithUserAgentTransactionLayerOptions(
			sipmsg.WithTransactionLayerLogger(lg),
			sipmsg.WithTransactionLayerUnhandledResponseHandler(s.onStrayResponse),
		),
		sipgo.WithUserAgentTransportLayerOptions(sipmsg.WithTransportLayerLogger(lg)),
	)
	if err != nil {
		return fmt.Errorf("creating SIP user agent: %w", err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(lg))
	if err != nil {
		_ = ua.Close()
		return fmt.Errorf("creating SIP server: %w", err)
	}
	cli, err := sipgo.NewClient(ua, sipgo.WithClientLogger(lg),
		sipgo.WithClientHostname(s.pubHost), sipgo.WithClientPort(s.pubPort))
	if err != nil {
		_ = ua.Close()
		return fmt.Errorf("creating SIP client: %w", err)
	}
	s.ua, s.srv, s.cli = ua, srv, cli
	// In-dialog requests go where the peer's messages come from, not to its
	// Contact: a desk phone behind NAT often puts its private address there,
	// and a TCP peer must get them on its own connection.
	s.dialogs = sipgo.DialogUA{Client: cli, ContactHDR: *s.contact("UDP"), RewriteContact: true}
	srv.OnInvite(s.guard(s.onInvite))
	srv.OnAck(s.guard(s.onAck))
	srv.OnBye(s.guard(s.onBye))
	srv.OnCancel(s.guard(s.onCancel))
	srv.OnOptions(s.guard(s.onOptions))
	srv.OnInfo(s.guard(s.onInfo))
	srv.OnNoRoute(s.guard(s.onNoRoute))
	return nil
}

// Handle sets who receives new calls; call it before Run.
func (s *Server) Handle(h Handler) {
	s.mu.Lock()
	s.handler = h
	s.mu.Unlock()
}

// HasTrunk tells whether outbound calls are configured.
func (s *Server) HasTrunk() bool { return s.cfg.trunk != nil }

// ObserveResponses sets the WithResponseObserver hook; call it before Run.
func (s *Server) ObserveResponses(f func(sent bool, status int)) {
	s.mu.Lock()
	s.cfg.observe = f
	s.mu.Unlock()
}

// Addr is the address both listeners are bound to.
func (s *Server) Addr() string { return s.udp.LocalAddr().String() }

// PublicAddr is the host:port we advertise in Contact and Via.
func (s *Server) PublicAddr() string {
	return net.JoinHostPort(s.pubHost, strconv.Itoa(s.pubPort))
}

// PublicHost is the host peers reach us at, for SDP connection lines.
func (s *Server) PublicHost() string { return s.pubHost }

// Ready is closed once Run serves both transports.
func (s *Server) Ready() <-chan struct{} { return s.ready }

// ActiveCalls counts established and answering dialogs.
func (s *Server) ActiveCalls() int { return s.calls.len() }

// TCPStats reports the SIP-TCP connections open now and those refused or
// cut by the limits of WithTCPLimits and WithMaxMessageSize, SIP over TLS
// included.
func (s *Server) TCPStats() TCPStats {
	st := s.tcpIn.stats()
	if s.tlsIn != nil {
		t := s.tlsIn.stats()
		st.Open += t.Open
		for k, v := range t.Refused {
			st.Refused[k] += v
		}
		for k, v := range t.Closed {
			st.Closed[k] += v
		}
	}
	return st
}

// TLSAddr is the address SIP over TLS listens on, "" without WithTLS.
func (s *Server) TLSAddr() string {
	if s.tlsL == nil {
		return ""
	}
	return s.tlsL.Addr().String()
}

// callOn returns whether a call came in over the connection of transport
// (tcp or tls) from raddr, which must then be kept however long it stays
// silent.
func (s *Server) callOn(transport string) func(raddr string) bool {
	return func(raddr string) bool {
		for _, c := range s.calls.all() {
			if c.source == raddr && strings.EqualFold(c.transport, transport) {
				return true
			}
		}
		return false
	}
}

// Run serves until ctx ends, then drains: new INVITEs get 503, every call
// gets a BYE, handlers are waited for, and the user agent is closed. A
// sipgo.ListenReadyCtxKey value in ctx is told when each listener is up, as
// sipgo's own ListenAndServe does.
func (s *Server) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errors.New("sip: Run after Close")
	}
	if s.running {
		s.mu.Unlock()
		return errors.New("sip: Run called twice")
	}
	s.running = true
	s.mu.Unlock()

	errc := make(chan error, 3)
	var serving sync.WaitGroup
	serving.Add(2)
	go func() { defer serving.Done(); errc <- s.srv.ServeUDP(s.udp) }()
	go func() { defer serving.Done(); errc <- s.srv.ServeTCP(s.tcpIn) }()
	if s.tlsIn != nil {
		serving.Add(1)
		go func() { defer serving.Done(); errc <- s.srv.ServeTLS(s.tlsIn) }()
	}
	s.awaitListener()
	close(s.ready)
	notifyReady(ctx, "udp", s.udp.LocalAddr().String())
	notifyReady(ctx, "tcp", s.tcp.Addr().String())
	if s.tlsL != nil {
		notifyReady(ctx, "tls", s.TLSAddr())
	}
	s.log.Info("SIP listening", "addr", s.Addr(), "public", s.PublicAddr(), "tls", s.TLSAddr())

	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
		err = fmt.Errorf("serving SIP: %w", err)
	}
	s.drain()
	s.closeSockets()
	serving.Wait()
	if cerr := s.ua.Close(); cerr != nil {
		s.log.Debug("closing SIP user agent", "error", cerr)
	}
	return err
}

// Close frees the ports and the user agent of a server that will not Run:
// NewServer binds them at once, so a caller that fails before Run must give
// them back. Once Run has started it owns them and frees them when it
// returns, so Close then does nothing; Run after Close fails.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed || s.running {
		s.closed = true
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.runCancel()
	s.closeSockets()
	if err := s.ua.Close(); err != nil {
		return fmt.Errorf("closing SIP user agent: %w", err)
	}
	return nil
}

// awaitListener waits until sipgo holds our UDP socket, so requests we send
// from it (symmetric signalling) find it.
func (s *Server) awaitListener() { AwaitUDPListener(s.ua, s.udp) }

// AwaitUDPListener waits, up to a second, until ua's transport layer holds
// conn, which a sipgo server started serving on it: requests sent before
// then would leave from a new socket of sipgo's, and the peer's responses
// and later requests would miss the listening one.
func AwaitUDPListener(ua *sipgo.UserAgent, conn net.PacketConn) {
	for range 1000 {
		if c, _ := ua.TransportLayer().GetConnection("udp", conn.LocalAddr().String()); c != nil {
			_, _ = c.TryClose()
			return
		}
		time.Sleep(time.Millisecond)
	}
}

func notifyReady(ctx context.Context, network, addr string) {
	switch v := ctx.Value(sipgo.ListenReadyCtxKey).(type) {
	case sipgo.ListenReadyCtxValue:
		select {
		case v <- struct{}{}:
		case <-ctx.Done():
		}
	case sipgo.ListenReadyFuncCtxValue:
		v(network, addr)
	}
}

func (s *Server) drain() {
	s.mu.Lock()
	s.draining = true
	s.mu.Unlock()
	s.runCancel()
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.shutdownTimeout)
	defer cancel()
	var wg sync.WaitGroup
	for _, c := range s.calls.all() {
		if !c.established.Load() {
			continue // its handler sees the run context end and rejects it
		}
		wg.Go(func() {
			if err := c.HangUp(ctx); err != nil {
				s.log.Info("BYE on shutdown", "call_id", c.callID, "error", err)
			}
			c.end(ErrLocalHangUp)
		})
	}
	wg.Wait()
	s.handlers.Wait()
}

func (s *Server) closeSockets() {
	_ = s.udp.Close()
	_ = s.tcp.Close()
	if s.tlsL != nil {
		_ = s.tlsL.Close()
	}
}

// contact is our Contact for a dialog on transport. Over TLS it is a
// sips: URI at the TLS port: a dialog that began secure must stay so
// (RFC 3261 section 12.1.1), and a peer reaches us there.
func (s *Server) contact(transport string) *sipmsg.ContactHeader {
	u := sipmsg.Uri{Scheme: "sip", User: s.cfg.userAgent, Host: s.pubHost, Port: s.pubPort}
	switch {
	case strings.EqualFold(transport, "tcp"):
		u.UriParams = sipmsg.HeaderParams{{K: "transport", V: "tcp"}}
	case strings.EqualFold(transport, "tls"):
		u.Scheme, u.Port = "sips", s.tlsPort
	}
	return &sipmsg.ContactHeader{Address: u}
}

// bindLocal sends a UDP request from our listening socket, so peers that
// answer to the source address (and NATs) see the port we advertise.
func (s *Server) bindLocal(req *sipmsg.Request) {
	if !strings.EqualFold(req.Transport(), "udp") {
		return
	}
	a := s.udp.LocalAddr().(*net.UDPAddr)
	req.Laddr = sipmsg.Addr{IP: a.IP, Port: a.Port, Hostname: a.IP.String()}
}

func (s *Server) observe(sent bool, status int) {
	s.mu.Lock()
	f := s.cfg.observe
	s.mu.Unlock()
	if f != nil {
		f(sent, status)
	}
}

// enter counts a handler in so that Run waits for it; false once draining.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.draining {
		return false
	}
	s.handlers.Add(1)
	return true
}
