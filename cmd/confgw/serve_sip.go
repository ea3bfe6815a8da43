package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/spf13/pflag"

	"github.com/confgw/confgw/conference"
	confhttp "github.com/confgw/confgw/http"
)

// sipConfig is the SIP side of serve.
type sipConfig struct {
	Listen         string
	PublicAddr     string
	RTPPorts       string
	RTPTimeout     time.Duration
	RingTimeout    time.Duration
	Trunk          string
	TrunkTransport string
	TrunkUser      string
	TrunkPassword  string
}

func addSIPFlags(f *pflag.FlagSet, c *sipConfig) {
	f.StringVar(&c.Listen, "sip", "127.0.0.1:5060", "SIP listen address (UDP and TCP)")
	f.StringVar(&c.PublicAddr, "sip-public-addr", "", "address put in Contact and SDP (default: the listen address)")
	f.StringVar(&c.RTPPorts, "rtp-ports", "10000-20000", "UDP port range for RTP, one port per leg")
	f.DurationVar(&c.RTPTimeout, "rtp-timeout", 30*time.Second, "hang a leg up after this long without RTP")
	f.DurationVar(&c.RingTimeout, "ring-timeout", 45*time.Second, "give up a dial-out not answered by then")
	f.StringVar(&c.Trunk, "sip-trunk", "", "outbound trunk host:port for dial-out")
	f.StringVar(&c.TrunkTransport, "sip-trunk-transport", "udp", "transport to the trunk: udp or tcp")
	f.StringVar(&c.TrunkUser, "sip-trunk-user", "", "digest user for the trunk")
	f.StringVar(&c.TrunkPassword, "sip-trunk-password", "", "digest password for the trunk")
}

// sipSide is the running SIP gateway as serve sees it.
type sipSide struct {
	listen string
	dial   confhttp.Dialer
}

func startSIP(_ context.Context, c sipConfig, _ *conference.Registry, _ *media, _ *slog.Logger) (*sipSide, error) {
	return &sipSide{listen: c.Listen}, nil
}

func (s *sipSide) dialer() confhttp.Dialer  { return s.dial }
func (s *sipSide) addr() string             { return s.listen }
func (s *sipSide) shutdown(context.Context) {}
