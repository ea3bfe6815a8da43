package sip

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/netip"
	"time"
)

// Option configures a Server.
type Option func(*config) error

type config struct {
	listenAddr      string
	publicAddr      string
	hostname        string
	userAgent       string
	logger          *slog.Logger
	trunk           *Trunk
	ringTimeout     time.Duration
	shutdownTimeout time.Duration
	ackTimeout      time.Duration
	observe         func(sent bool, status int)
	tcpLimits       TCPLimits
	sourceOf        func(netip.Addr) netip.Prefix
	maxMessage      int
	maxInfoBody     int
	tlsAddr         string
	tlsConfig       *tls.Config
}

func defaultConfig() config {
	return config{
		listenAddr:      "127.0.0.1:5060",
		userAgent:       "confgw",
		logger:          slog.Default(),
		ringTimeout:     45 * time.Second,
		shutdownTimeout: 5 * time.Second,
		ackTimeout:      DefaultAckTimeout,
		tcpLimits:       DefaultTCPLimits,
		maxMessage:      DefaultMaxMessageSize,
		maxInfoBody:     DefaultMaxInfoBody,
	}
}

// WithListenAddr sets the host:port both UDP and TCP listen on; port 0 picks
// a free port shared by both.
func WithListenAddr(addr string) Option {
	return func(c *config) error { c.listenAddr = addr; return nil }
}

// WithPublicAddr sets the host:port peers must reach us at, put in Contact
// and Via; by default the listening address.
func WithPublicAddr(addr string) Option {
	return func(c *config) error { c.publicAddr = addr; return nil }
}

// WithHostname sets the host of our From URIs; by default the public host.
func WithHostname(name string) Option {
	return func(c *config) error { c.hostname = name; return nil }
}

// WithUserAgent sets the User-Agent name and the user part of our Contact.
func WithUserAgent(name string) Option {
	return func(c *config) error { c.userAgent = name; return nil }
}

// WithLogger sets the logger, also handed to sipgo.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l != nil {
			c.logger = l
		}
		return nil
	}
}

// WithTrunk enables outbound calls through t.
func WithTrunk(t Trunk) Option {
	return func(c *config) error {
		if err := t.normalize(); err != nil {
			return err
		}
		c.trunk = &t
		return nil
	}
}

// WithRingTimeout bounds how long an outbound call may ring (45 s by default).
func WithRingTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d > 0 {
			c.ringTimeout = d
		}
		return nil
	}
}

// WithShutdownTimeout bounds how long Run waits for the BYEs it sends on the
// way out (5 s by default).
func WithShutdownTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d > 0 {
			c.shutdownTimeout = d
		}
		return nil
	}
}

// DefaultAckTimeout is how long an answered call waits for its ACK. RFC
// 3261 allows 64*T1 (32 s), but a real phone's ACK follows its 200 within a
// round trip or a few retransmissions, and every answered call holds an RTP
// port until then: 32 s lets a caller who never ACKs hold ports far faster
// than they come back.
const DefaultAckTimeout = 5 * time.Second

// WithAckTimeout bounds how long an answered call waits for the caller's
// ACK before it is hung up with a BYE (DefaultAckTimeout by default).
func WithAckTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d > 0 {
			c.ackTimeout = d
		}
		return nil
	}
}

// WithResponseObserver is told every final response the server sends
// (sent=true) or receives to its own INVITEs (sent=false), for metrics.
func WithResponseObserver(f func(sent bool, status int)) Option {
	return func(c *config) error { c.observe = f; return nil }
}

// WithSources says which source a SIP-TCP connection counts against for
// TCPLimits.MaxConnsPerSource: the gateway groups an IPv6 /64 as one
// host. Without it each address is a source of its own, which a host
// holding a whole IPv6 /64 can walk through: a server facing the internet
// wants the grouping.
func WithSources(of func(netip.Addr) netip.Prefix) Option {
	return func(c *config) error { c.sourceOf = of; return nil }
}

// WithTCPLimits sets the caps and deadlines of SIP-TCP connections
// (DefaultTCPLimits by default); a zero field lifts that limit.
func WithTCPLimits(l TCPLimits) Option {
	return func(c *config) error {
		if l.MaxConns < 0 || l.MaxConnsPerSource < 0 || l.IdleTimeout < 0 || l.MessageTimeout < 0 {
			return fmt.Errorf("%w: negative SIP-TCP limit %+v", ErrInvalidLimit, l)
		}
		c.tcpLimits = l
		return nil
	}
}

// DefaultMaxMessageSize is sipgo's own limit on a SIP message, the largest
// a UDP datagram can carry; a real INVITE with its SDP is a few KB.
const DefaultMaxMessageSize = 65535

// WithMaxMessageSize bounds a SIP message, headers and body, on every
// transport (DefaultMaxMessageSize by default). Over TCP a larger one is
// answered 513 Message Too Large and its connection closed before its body
// is read; over UDP it is dropped.
func WithMaxMessageSize(n int) Option {
	return func(c *config) error {
		if n < 1024 {
			return fmt.Errorf("%w: maximum message size %d under 1024 bytes", ErrInvalidLimit, n)
		}
		c.maxMessage = n
		return nil
	}
}

// WithTLS also listens for SIP over TLS on addr (port 0 picks a free one),
// presenting cfg's certificate; requests over it may use sips: URIs and
// are answered with a sips: Contact. The limits of WithTCPLimits apply to
// TLS connections too, counted apart from plain TCP ones.
func WithTLS(addr string, cfg *tls.Config) Option {
	return func(c *config) error {
		if cfg == nil || (len(cfg.Certificates) == 0 && cfg.GetCertificate == nil) {
			return fmt.Errorf("TLS on %s needs a certificate: %w", addr, ErrInvalidTarget)
		}
		c.tlsAddr = addr
		c.tlsConfig = cfg.Clone()
		if c.tlsConfig.MinVersion < tls.VersionTLS12 {
			c.tlsConfig.MinVersion = tls.VersionTLS12
		}
		return nil
	}
}
