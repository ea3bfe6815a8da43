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
	OfferRate   float64
}

func addWebRTCFlags(f *pflag.FlagSet, c *webrtcConfig) {
	f.StringVar(&c.UDP, "webrtc-udp", webrtc.DefaultUDPAddr, "the one UDP address all app audio (ICE, DTLS-SRTP) shares")
	f.StringVar(&c.PublicIP, "webrtc-public-ip", "", "public IP to put in ICE candidates, for a gateway behind 1:1 NAT")
	f.IntVar(&c.MaxSessions, "webrtc-max-sessions", webrtc.DefaultMaxSessions, "most app audio sessions open at once; offers beyond get 503")
	f.Float64Var(&c.OfferRate, "webrtc-offer-rate", appaudio.DefaultOfferRate, "media offers per second a participant may make in the long run (a burst of 5 is allowed); beyond get 429")
}

// startAppAudio starts the WebRTC side of serve and registers its metrics.
func startAppAudio(c webrtcConfig, rtpTimeout time.Duration, metrics prometheus.Registerer, log *slog.Logger) (*appaudio.Bridge, error) {
	b, err := appaudio.Listen(webrtc.Config{UDPAddr: c.UDP, PublicIP: c.PublicIP, RTPTimeout: rtpTimeout, MaxSessions: c.MaxSessions, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("--webrtc-udp: %w", err)
	}
	b.SetOfferRate(c.OfferRate)
	for _, col := range b.Server().Collectors() {
		if err := metrics.Register(col); err != nil {
			b.Close()
			return nil, fmt.Errorf("webrtc metrics: %w", err)
		}
	}
	return b, nil
}
