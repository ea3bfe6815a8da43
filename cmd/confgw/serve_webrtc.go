package main

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/pflag"

	"github.com/confgw/confgw/appaudio"
	"github.com/confgw/confgw/webrtc"
)

// webrtcConfig is how app participants' browsers reach the gateway.
type webrtcConfig struct {
	UDP         string
	PublicIP    string
	MaxSessions int
}

func addWebRTCFlags(f *pflag.FlagSet, c *webrtcConfig) {
	f.StringVar(&c.UDP, "webrtc-udp", webrtc.DefaultUDPAddr, "the one UDP address all app audio (ICE, DTLS-SRTP) shares")
	f.StringVar(&c.PublicIP, "webrtc-public-ip", "", "public IP to put in ICE candidates, for a gateway behind 1:1 NAT")
	f.IntVar(&c.MaxSessions, "webrtc-max-sessions", webrtc.DefaultMaxSessions, "most app audio sessions open at once; offers beyond get 503")
}

// appAudio is the WebRTC side of serve.
type appAudio struct {
	srv    *webrtc.Server
	bridge *appaudio.Bridge
}

func startAppAudio(c webrtcConfig, rtpTimeout time.Duration, metrics prometheus.Registerer, log *slog.Logger) (*appAudio, error) {
	srv, err := webrtc.New(webrtc.Config{UDPAddr: c.UDP, PublicIP: c.PublicIP, RTPTimeout: rtpTimeout, MaxSessions: c.MaxSessions, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("--webrtc-udp: %w", err)
	}
	for _, col := range srv.Collectors() {
		if err := metrics.Register(col); err != nil {
			_ = srv.Close()
			return nil, fmt.Errorf("webrtc metrics: %w", err)
		}
	}
	return &appAudio{srv: srv, bridge: appaudio.New(srv, log)}, nil
}

func (a *appAudio) addr() string { return a.srv.Addr().String() }

// close ends every app audio session and frees the port.
func (a *appAudio) close() {
	_ = a.srv.Close()
	a.bridge.Close()
}
