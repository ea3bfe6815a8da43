// Package sipphone is a test phone built on sipgo: it places calls to the
// gateway over loopback, answers the gateway's calls, plays a tone as PCMU
// RTP and records what it hears.
package sipphone

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"

	confsip "github.com/confgw/confgw/sip"
)

// Config describes a phone.
type Config struct {
	// Name is the display name in From; User its user part (the number).
	Name, User string
	// Tone is the frequency the phone plays into calls; 0 plays silence.
	Tone float64
	// Codecs the phone offers, "PCMU" by default.
	Codecs []string
	// SRTP, an RFC 4568 suite such as AES_CM_128_HMAC_SHA1_80, makes the
	// phone offer RTP/SAVP keyed for it and answer an RTP/SAVP offer
	// with it if offered (else with the offer's first line). Empty is
	// plain RTP; an RTP/SAVP offer is then refused.
	SRTP string
	// Answer is what the phone does with an incoming INVITE.
	Answer Answer
	// Logger defaults to discarding everything.
	Logger *slog.Logger
	// Host is the loopback address the phone's SIP socket binds, 127.0.0.1
	// by default: another one (127.0.0.2) makes the phone a caller from a
	// different address. Its RTP stays on 127.0.0.1.
	Host string
	// RTCPMux offers RTCP on the RTP port (RFC 5761 a=rtcp-mux).
	RTCPMux bool
}

// Answer is how the phone treats incoming calls.
type Answer struct {
	// Status is the final response: 200 (the default) answers; anything
	// else refuses the call with that status.
	Status int
	// Ring keeps the call ringing until the caller gives up.
	Ring bool
	// Delay rings this long before answering, as a person picking up.
	Delay time.Duration
	// Username and Password, when set, challenge each INVITE with a digest
	// 401 first.
	Username, Password string
}

// Phone is one test phone with its own user agent and SIP port.
type Phone struct {
	cfg  Config
	log  *slog.Logger
	ua   *sipgo.UserAgent
	srv  *sipgo.Server
	cli  *sipgo.Client
	conn *net.UDPConn

	uac *sipgo.DialogClientCache
	uas *sipgo.DialogServerCache

	invites   atomic.Int64
	cancels   atomic.Int64
	challenge digest.Challenge
	incoming  chan *Call

	mu    sync.Mutex
	calls []*Call

	wg sync.WaitGroup
	// handlers counts INVITE handlers still running; closing tells ringing
	// ones to give up. Close waits for them before closing the agent: a
	// response written after that would open a socket nothing closes.
	handlers sync.WaitGroup
	closing  chan struct{}
}

// New starts a phone listening on a free loopback UDP port.
func New(cfg Config) (*Phone, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if len(cfg.Codecs) == 0 {
		cfg.Codecs = []string{"PCMU"}
	}
	if cfg.User == "" {
		cfg.User = "phone"
	}
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	ip := net.ParseIP(cfg.Host)
	if ip == nil {
		return nil, fmt.Errorf("sipphone: host %q is not an IP address", cfg.Host)
	}
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip})
	if err != nil {
		return nil, err
	}
	lg := cfg.Logger
	ua, err := sipgo.NewUA(sipgo.WithUserAgent(cfg.User), sipgo.WithUserAgentHostname(cfg.Host),
		sipgo.WithUserAgentTransportLayerOptions(sipmsg.WithTransportLayerLogger(lg)),
		sipgo.WithUserAgentTransactionLayerOptions(sipmsg.WithTransactionLayerLogger(lg)))
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	port := conn.LocalAddr().(*net.UDPAddr).Port
	srv, _ := sipgo.NewServer(ua, sipgo.WithServerLogger(lg))
	cli, _ := sipgo.NewClient(ua, sipgo.WithClientLogger(lg), sipgo.WithClientHostname(cfg.Host), sipgo.WithClientPort(port))
	contact := sipmsg.ContactHeader{Address: sipmsg.Uri{Scheme: "sip", User: cfg.User, Host: cfg.Host, Port: port}}
	p := &Phone{
		cfg: cfg, log: lg, ua: ua, srv: srv, cli: cli, conn: conn,
		uac:      sipgo.NewDialogClientCache(cli, contact),
		uas:      sipgo.NewDialogServerCache(cli, contact),
		incoming: make(chan *Call, 8),
		closing:  make(chan struct{}),
		challenge: digest.Challenge{Realm: "sipphone", Nonce: strconv.FormatInt(time.Now().UnixNano(), 16),
			Algorithm: "MD5", QOP: []string{"auth"}},
	}
	srv.OnInvite(func(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
		p.handlers.Add(1)
		defer p.handlers.Done()
		select {
		case <-p.closing:
			return
		default:
		}
		p.onInvite(req, tx)
	})
	srv.OnAck(func(req *sipmsg.Request, tx sipmsg.ServerTransaction) { _ = p.uas.ReadAck(req, tx) })
	srv.OnBye(p.onBye)
	srv.OnCancel(func(req *sipmsg.Request, tx sipmsg.ServerTransaction) {})
	p.wg.Add(1)
	go func() { defer p.wg.Done(); _ = srv.ServeUDP(conn) }()
	confsip.AwaitUDPListener(ua, conn)
	return p, nil
}

// Addr is the phone's SIP address (host:port, UDP).
func (p *Phone) Addr() string { return p.conn.LocalAddr().String() }

// Invites counts INVITEs received, retries after a challenge included.
func (p *Phone) Invites() int { return int(p.invites.Load()) }

// Cancels counts incoming calls the caller cancelled.
func (p *Phone) Cancels() int { return int(p.cancels.Load()) }

// Incoming delivers the calls the phone answered.
func (p *Phone) Incoming() <-chan *Call { return p.incoming }

// Close hangs nothing up: it stops the media of every call and the agent.
// The listening socket goes first and the agent last, so that nothing
// arriving meanwhile makes sipgo open a socket after its pool is cleared.
func (p *Phone) Close() {
	p.mu.Lock()
	calls := p.calls
	p.mu.Unlock()
	for _, c := range calls {
		c.Media.stop()
	}
	close(p.closing)
	_ = p.conn.Close()
	p.wg.Wait()
	p.handlers.Wait()
	_ = p.ua.Close()
}

func (p *Phone) track(c *Call) {
	p.mu.Lock()
	p.calls = append(p.calls, c)
	p.mu.Unlock()
}

func (p *Phone) laddr() sipmsg.Addr {
	a := p.conn.LocalAddr().(*net.UDPAddr)
	return sipmsg.Addr{IP: a.IP, Port: a.Port, Hostname: a.IP.String()}
}

// StatusError is a call the other side refused, or that we cancelled;
// Reason is the response's reason phrase, when it came with one.
type StatusError struct {
	Status int
	Reason string
}

func (e *StatusError) Error() string { return "sipphone: call ended with " + strconv.Itoa(e.Status) }

// CallOptions shape an outgoing call.
type CallOptions struct {
	// SDP replaces the phone's offer; NoSDP sends none (a late offer).
	SDP   []byte
	NoSDP bool
	// OnResponse sees every response to the INVITE.
	OnResponse func(status int)
}

// Dial calls target (a SIP URI) and returns once the call is answered and
// acknowledged. Cancelling ctx before the answer sends CANCEL; the error is
// then a *StatusError with the final status (487).
func (p *Phone) Dial(ctx context.Context, target string, opts CallOptions) (*Call, error) {
	var uri sipmsg.Uri
	if err := sipmsg.ParseUri(target, &uri); err != nil {
		return nil, err
	}
	m, err := newMedia(p.cfg.Tone, p.cfg.SRTP)
	if err != nil {
		return nil, err
	}
	req := sipmsg.NewRequest(sipmsg.INVITE, uri)
	req.SetTransport("UDP")
	req.Laddr = p.laddr()
	from := &sipmsg.FromHeader{DisplayName: p.cfg.Name, Address: sipmsg.Uri{Scheme: "sip", User: p.cfg.User, Host: p.cfg.Host}}
	from.Params.Add("tag", sipmsg.GenerateTagN(12))
	req.AppendHeader(from)
	req.AppendHeader(&sipmsg.ToHeader{Address: sipmsg.Uri{Scheme: "sip", User: uri.User, Host: uri.Host}})
	offer := opts.SDP
	if offer == nil && !opts.NoSDP {
		offer = offerSDP("127.0.0.1", m.Port(), p.cfg.Codecs, "sendrecv", m.offerCrypto())
		if p.cfg.RTCPMux {
			offer = append(offer, "a=rtcp-mux\r\n"...)
		}
	}
	if offer != nil {
		req.AppendHeader(sipmsg.NewHeader("Content-Type", "application/sdp"))
		req.SetBody(offer)
	}
	sess, err := p.uac.WriteInvite(context.WithoutCancel(ctx), req)
	if err != nil {
		m.stop()
		return nil, err
	}
	err = sess.WaitAnswer(ctx, sipgo.AnswerOptions{OnResponse: func(res *sipmsg.Response) error {
		if opts.OnResponse != nil {
			opts.OnResponse(res.StatusCode)
		}
		return nil
	}})
	if err != nil {
		m.stop()
		_ = sess.Close()
		if res := sess.InviteResponse; res != nil && !res.IsSuccess() && !res.IsProvisional() {
			return nil, fmt.Errorf("%w (%w)", &StatusError{Status: res.StatusCode, Reason: res.Reason}, err)
		}
		return nil, err
	}
	answer := sess.InviteResponse.Body()
	var ackBody []byte
	if opts.NoSDP {
		// Late offer: the 200 carried the gateway's offer; answer in the ACK.
		rm, perr := parseSDP(answer)
		if perr != nil {
			m.stop()
			return nil, perr
		}
		sdes, serr := m.answerCrypto(rm)
		if serr != nil {
			m.stop()
			return nil, serr
		}
		ackBody = answerSDP("127.0.0.1", m.Port(), rm, sdes)
	}
	if err := p.ack(sess, ackBody); err != nil {
		m.stop()
		return nil, err
	}
	rm, err := parseSDP(answer)
	if err != nil {
		m.stop()
		return nil, err
	}
	if !opts.NoSDP {
		if err := m.checkAnswer(rm); err != nil {
			m.stop()
			return nil, err
		}
	}
	c := newCall(p, sess, nil, m)
	m.start(rm)
	p.track(c)
	return c, nil
}

func (p *Phone) ack(sess *sipgo.DialogClientSession, body []byte) error {
	if body == nil {
		return sess.Ack(context.Background())
	}
	ack := sipmsg.NewRequest(sipmsg.ACK, sess.InviteResponse.Contact().Address)
	ack.Laddr = p.laddr()
	ack.AppendHeader(sipmsg.NewHeader("Content-Type", "application/sdp"))
	ack.SetBody(body)
	return sess.WriteAck(context.Background(), ack)
}

func (p *Phone) onInvite(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	p.invites.Add(1)
	if to := req.To(); to != nil && to.Params.Has("tag") {
		_ = tx.Respond(sipmsg.NewResponseFromRequest(req, 488, "Not Acceptable Here", nil))
		return
	}
	a := p.cfg.Answer
	if a.Password != "" && !p.authorized(req) {
		res := sipmsg.NewResponseFromRequest(req, 401, "Unauthorized", nil)
		res.AppendHeader(sipmsg.NewHeader("WWW-Authenticate", p.challenge.String()))
		_ = tx.Respond(res)
		return
	}
	dlg, err := p.uas.ReadInvite(req, tx)
	if err != nil {
		_ = tx.Respond(sipmsg.NewResponseFromRequest(req, 400, "Bad Request", nil))
		return
	}
	_ = dlg.Respond(180, "Ringing", nil)
	if a.Ring {
		select {
		case <-dlg.Context().Done():
			p.cancels.Add(1)
		case <-p.closing:
		}
		return
	}
	if a.Delay > 0 {
		select {
		case <-time.After(a.Delay):
		case <-dlg.Context().Done():
			p.cancels.Add(1)
			return
		case <-p.closing:
			return
		}
	}
	if a.Status != 0 && a.Status != 200 {
		_ = dlg.Respond(a.Status, "Refused", nil)
		return
	}
	rm, err := parseSDP(req.Body())
	if err != nil {
		_ = dlg.Respond(488, "Not Acceptable Here", nil)
		return
	}
	m, err := newMedia(p.cfg.Tone, p.cfg.SRTP)
	if err != nil {
		_ = dlg.Respond(500, "Server Internal Error", nil)
		return
	}
	sdes, err := m.answerCrypto(rm)
	if err != nil {
		m.stop()
		_ = dlg.Respond(488, "Not Acceptable Here", nil)
		return
	}
	c := newCall(p, nil, dlg, m)
	p.track(c)
	m.start(rm)
	if err := dlg.RespondSDP(answerSDP("127.0.0.1", m.Port(), rm, sdes)); err != nil {
		p.log.Info("answer failed", "error", err)
		return
	}
	select {
	case p.incoming <- c:
	default:
	}
}

func (p *Phone) authorized(req *sipmsg.Request) bool {
	h := req.GetHeader("Authorization")
	if h == nil {
		return false
	}
	creds, err := digest.ParseCredentials(h.Value())
	if err != nil || creds.Username != p.cfg.Answer.Username {
		return false
	}
	want, err := digest.Digest(&p.challenge, digest.Options{
		Method: "INVITE", URI: creds.URI, Username: p.cfg.Answer.Username, Password: p.cfg.Answer.Password,
		Cnonce: creds.Cnonce, Count: creds.Nc,
	})
	return err == nil && want.Response == creds.Response
}

func (p *Phone) onBye(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	err := p.uas.ReadBye(req, tx)
	if errors.Is(err, sipgo.ErrDialogDoesNotExists) || errors.Is(err, sipgo.ErrDialogOutsideDialog) {
		err = p.uac.ReadBye(req, tx)
	}
	if err != nil {
		_ = tx.Respond(sipmsg.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
	}
}
