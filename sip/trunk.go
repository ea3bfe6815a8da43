package sip

import (
	"crypto/x509"
	"fmt"
	"net"
	"strconv"
	"strings"

	sipmsg "github.com/emiago/sipgo/sip"
)

// Trunk is the SIP peer that carries our outbound calls to the phone network.
type Trunk struct {
	// Addr is the trunk's host:port.
	Addr string
	// Transport is "udp" (the default), "tcp" or "tls". Over TLS the
	// trunk's certificate must chain to RootCAs and name the host of Addr.
	Transport string
	// RootCAs are the authorities a TLS trunk's certificate must chain to;
	// nil means the system's.
	RootCAs *x509.CertPool
	// Username and Password answer the trunk's digest challenges.
	Username string
	Password string
	// FromUser is the user part of our From header; "confgw" by default.
	FromUser string
}

func (t *Trunk) normalize() error {
	host, port, err := net.SplitHostPort(t.Addr)
	if err != nil || host == "" {
		return fmt.Errorf("trunk address %q must be host:port: %w", t.Addr, ErrInvalidTarget)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("trunk port %q: %w", port, ErrInvalidTarget)
	}
	t.Transport = strings.ToLower(t.Transport)
	switch t.Transport {
	case "":
		t.Transport = "udp"
	case "udp", "tcp", "tls":
	default:
		return fmt.Errorf("trunk transport %q must be udp, tcp or tls: %w", t.Transport, ErrInvalidTarget)
	}
	if t.FromUser == "" {
		t.FromUser = "confgw"
	}
	if err := checkUser(t.FromUser); err != nil {
		return err
	}
	if strings.ContainsAny(t.Username+t.Password, "\r\n\x00") {
		return fmt.Errorf("trunk credentials hold control characters: %w", ErrInvalidTarget)
	}
	return nil
}

// target builds the Request-URI for calling to through the trunk.
func (t *Trunk) target(to string) (sipmsg.Uri, error) {
	if err := checkUser(to); err != nil {
		return sipmsg.Uri{}, err
	}
	host, port, _ := net.SplitHostPort(t.Addr)
	p, _ := strconv.Atoi(port)
	u := sipmsg.Uri{Scheme: "sip", User: to, Host: host, Port: p}
	switch t.Transport {
	case "tcp":
		u.UriParams = sipmsg.HeaderParams{{K: "transport", V: "tcp"}}
	case "tls":
		u.Scheme = "sips"
	}
	// Round-trip through the parser so that what goes on the wire is
	// exactly what a peer will read back.
	var back sipmsg.Uri
	if err := sipmsg.ParseUri(u.String(), &back); err != nil || back.User != to {
		return sipmsg.Uri{}, fmt.Errorf("dial target %q does not survive a SIP URI: %w", to, ErrInvalidTarget)
	}
	return u, nil
}
