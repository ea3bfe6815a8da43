package webrtc

import (
	"log/slog"
	"time"
)

// Config sets how a Server listens and when it gives up on a session.
type Config struct {
	// UDPAddr is the one address every session's ICE, DTLS and SRTP use.
	UDPAddr string
	// PublicIP, if set, replaces the host address in the candidates the
	// answers carry, for a server behind a 1:1 NAT.
	PublicIP string
	// HandshakeTimeout ends a session whose ICE and DTLS have not both
	// completed this long after its answer.
	HandshakeTimeout time.Duration
	// RTPTimeout ends a connected session from which no RTP has come for
	// this long: a closed laptop sends no BYE.
	RTPTimeout time.Duration
	// MaxSessions bounds the sessions open at once, each of which holds
	// a DTLS state, an SRTP context and three goroutines.
	MaxSessions int
	// Logger receives one line per session end; nil discards.
	Logger *slog.Logger
}

// Defaults for a Config's zero fields.
const (
	DefaultUDPAddr          = "127.0.0.1:7882"
	DefaultHandshakeTimeout = 15 * time.Second
	DefaultRTPTimeout       = 30 * time.Second
	DefaultMaxSessions      = 1000
)

func (c Config) withDefaults() Config {
	if c.UDPAddr == "" {
		c.UDPAddr = DefaultUDPAddr
	}
	if c.HandshakeTimeout <= 0 {
		c.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if c.RTPTimeout <= 0 {
		c.RTPTimeout = DefaultRTPTimeout
	}
	if c.MaxSessions <= 0 {
		c.MaxSessions = DefaultMaxSessions
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}
