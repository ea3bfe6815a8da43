package rtpsession

import (
	"log/slog"
	"net"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/jitter"
)

// DefaultTimeout is how long a phone may send nothing before the leg is
// presumed dead. Phones keep sending RTP through silence, so 30 s without a
// packet means a crashed phone or a lost BYE, not a quiet caller.
const DefaultTimeout = 30 * time.Second

// Config describes one leg as SDP negotiated it.
type Config struct {
	// Conn is the leg's socket, usually from Ports.Listen. The session owns
	// it from New on and closes it on Close.
	Conn *net.UDPConn
	// Ports, if set, is where Conn came from; Close gives the port back.
	Ports *Ports
	// Codec is the negotiated G.711 law with the payload type from the SDP
	// answer (the static 0 or 8 unless the peer mapped another).
	Codec audio.Codec
	// TelephoneEventPT is the RFC 4733 payload type, 0 when not offered.
	TelephoneEventPT uint8
	// Remote is the address from the SDP; nil for a late offer. The phone's
	// actual source address replaces it as soon as a packet arrives.
	Remote *net.UDPAddr
	// SRTP, if set, protects the media both ways; nil is RTP in the
	// clear. SetSRTP changes it later.
	SRTP *SRTP
	// Timeout is how long the phone may stay silent on the wire before
	// OnTimeout; DefaultTimeout when zero. It is suspended while on hold,
	// when phones legitimately stop sending.
	Timeout time.Duration
	// OnTimeout is called once, from Run, when the timeout expires.
	OnTimeout func()
	// OnDigit is called for each key the caller presses, once per press,
	// from Run or from the mixer tick that reads the socket. It must return
	// quickly and must not close the session or call the mixer: packets
	// and the whole room wait while it runs.
	OnDigit func(rune)
	// Logger defaults to slog.Default.
	Logger *slog.Logger
	// Observer receives per-packet events for metrics; optional.
	Observer Observer
	// Jitter configures the jitter buffer; the defaults suit a 20 ms mixer.
	Jitter []jitter.Option
	// PortableSocket keeps Conn in Go's network poller, read by Run and
	// written through the net package, as on platforms other than 64-bit
	// Linux. There, by default, the mixer tick reads the socket itself and
	// no goroutine wakes per packet; the option exists so that tests on
	// Linux cover the portable path too.
	PortableSocket bool

	// RTCPConn is the leg's RTCP socket. When nil and Ports is set, it is
	// the one Ports bound with Conn; a socket given here without Ports is
	// the session's to close. Without either, reports go only over a
	// multiplexed port (SetRTCPMux).
	RTCPConn *net.UDPConn
	// RTCPInterval is how often the leg reports; DefaultRTCPInterval when
	// zero.
	RTCPInterval time.Duration
	// RTCPBurst is how many RTCP datagrams a leg reads per interval;
	// DefaultRTCPBurst when zero.
	RTCPBurst int
	// CNAME names the gateway in reports; "confgw" when empty.
	CNAME string
	// OnQuality is called from RunRTCP, or from the receive path for a
	// report on a multiplexed port, with the leg's figures after each
	// report sent or received. It must return quickly.
	OnQuality func(Quality)

	rtcpOwned bool // RTCPConn is the session's to close
}

func (c *Config) normalise() {
	c.rtcpOwned = c.RTCPConn != nil && c.Ports == nil
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Observer == nil {
		c.Observer = NopObserver{}
	}
	if c.OnTimeout == nil {
		c.OnTimeout = func() {}
	}
	if c.RTCPInterval <= 0 {
		c.RTCPInterval = DefaultRTCPInterval
	}
	if c.RTCPBurst <= 0 {
		c.RTCPBurst = DefaultRTCPBurst
	}
	if c.CNAME == "" {
		c.CNAME = defaultCNAME
	}
	if c.OnQuality == nil {
		c.OnQuality = func(Quality) {}
	}
	if c.RTCPConn == nil && c.Ports != nil {
		c.RTCPConn = c.Ports.RTCP(c.Conn)
		c.rtcpOwned = false
	}
	if c.OnDigit == nil {
		c.OnDigit = func(rune) {}
	}
}
