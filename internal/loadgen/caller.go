package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"

	confsip "github.com/confgw/confgw/sip"
	"github.com/confgw/confgw/sip/sdp"
)

// caller is the SIP side: one user agent places every call, from one UDP
// port (or TCP connection), and answers the gateway's BYEs.
type caller struct {
	ua        *sipgo.UserAgent
	cli       *sipgo.Client
	dialogs   *sipgo.DialogClientCache
	conn      *net.UDPConn
	laddr     sipmsg.Addr
	target    sipmsg.Uri
	transport string
	localIP   string
	served    sync.WaitGroup
}

func newCaller(cfg *Config, log *slog.Logger) (*caller, error) {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	host, port, err := net.SplitHostPort(cfg.Target)
	if err != nil {
		return nil, fmt.Errorf("target %q: %w", cfg.Target, err)
	}
	pn, err := strconv.Atoi(port)
	if err != nil {
		return nil, fmt.Errorf("target %q: port: %w", cfg.Target, err)
	}
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(cfg.Local)})
	if err != nil {
		return nil, fmt.Errorf("sip socket on %s: %w", cfg.Local, err)
	}
	raiseBuffers(conn, 1<<20)
	lport := conn.LocalAddr().(*net.UDPAddr).Port
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("confgw-loadtest"), sipgo.WithUserAgentHostname(cfg.Local),
		sipgo.WithUserAgentTransportLayerOptions(sipmsg.WithTransportLayerLogger(log)),
		sipgo.WithUserAgentTransactionLayerOptions(sipmsg.WithTransactionLayerLogger(log)))
	if err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("sip user agent: %w", err)
	}
	transport := strings.ToUpper(cfg.Transport)
	copts := []sipgo.ClientOption{sipgo.WithClientLogger(log), sipgo.WithClientHostname(cfg.Local)}
	if transport == "UDP" {
		copts = append(copts, sipgo.WithClientPort(lport))
	}
	srv, _ := sipgo.NewServer(ua, sipgo.WithServerLogger(log))
	cli, _ := sipgo.NewClient(ua, copts...)
	contact := sipmsg.ContactHeader{Address: sipmsg.Uri{Scheme: "sip", User: "loadtest", Host: cfg.Local, Port: lport}}
	if transport == "TCP" {
		contact.Address.Port = 0
		contact.Address.UriParams = sipmsg.NewParams()
		contact.Address.UriParams.Add("transport", "tcp")
	}
	c := &caller{
		ua: ua, cli: cli, conn: conn, transport: transport, localIP: cfg.Local,
		dialogs: sipgo.NewDialogClientCache(cli, contact),
		laddr:   sipmsg.Addr{IP: net.ParseIP(cfg.Local), Port: lport, Hostname: cfg.Local},
		target:  sipmsg.Uri{Scheme: "sip", User: cfg.To, Host: host, Port: pn},
	}
	srv.OnBye(func(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
		if err := c.dialogs.ReadBye(req, tx); err != nil {
			_ = tx.Respond(sipmsg.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
		}
	})
	srv.OnOptions(func(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
		_ = tx.Respond(sipmsg.NewResponseFromRequest(req, 200, "OK", nil))
	})
	c.served.Add(1)
	go func() { defer c.served.Done(); _ = srv.ServeUDP(conn) }()
	confsip.AwaitUDPListener(ua, conn)
	return c, nil
}

// close stops the listener first and the agent last, so nothing that
// arrives in between makes sipgo open a socket after clearing its pool.
func (c *caller) close() {
	_ = c.conn.Close()
	c.served.Wait()
	_ = c.ua.Close()
}

// call is an answered, acknowledged call.
type call struct {
	sess   *sipgo.DialogClientSession
	remote *net.UDPAddr
	setup  time.Duration
}

// SetupError is a call that was not established; Kind is the final
// status ("503"), "timeout", "sdp" for an unusable answer or "error".
type SetupError struct {
	Kind string
	Err  error
}

func (e *SetupError) Error() string { return "call setup " + e.Kind + ": " + e.Err.Error() }
func (e *SetupError) Unwrap() error { return e.Err }

// dial places one call offering PCMU on rtpPort and returns once it is
// answered and acknowledged. Failing to get a final answer within timeout
// cancels the call.
func (c *caller) dial(ctx context.Context, id int, rtpPort int, timeout time.Duration) (*call, error) {
	start := time.Now()
	req := sipmsg.NewRequest(sipmsg.INVITE, c.target)
	req.SetTransport(c.transport)
	if c.transport == "UDP" {
		req.Laddr = c.laddr
	}
	user := "lt" + strconv.Itoa(id)
	from := &sipmsg.FromHeader{DisplayName: "Load " + strconv.Itoa(id),
		Address: sipmsg.Uri{Scheme: "sip", User: user, Host: c.localIP}}
	from.Params.Add("tag", sipmsg.GenerateTagN(12))
	req.AppendHeader(from)
	req.AppendHeader(&sipmsg.ToHeader{Address: sipmsg.Uri{Scheme: "sip", User: c.target.User, Host: c.target.Host}})
	req.AppendHeader(sipmsg.NewHeader("Content-Type", "application/sdp"))
	offer, err := offerSDP(c.localIP, rtpPort)
	if err != nil {
		return nil, &SetupError{Kind: "error", Err: err}
	}
	req.SetBody(offer)

	sess, err := c.dialogs.WriteInvite(ctx, req)
	if err != nil {
		return nil, &SetupError{Kind: "error", Err: fmt.Errorf("sending INVITE: %w", err)}
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := sess.WaitAnswer(wctx, sipgo.AnswerOptions{}); err != nil {
		_ = sess.Close()
		var dr *sipgo.ErrDialogResponse
		switch {
		case errors.As(err, &dr):
			return nil, &SetupError{Kind: strconv.Itoa(dr.Res.StatusCode), Err: err}
		case wctx.Err() != nil && ctx.Err() == nil:
			return nil, &SetupError{Kind: "timeout", Err: err}
		}
		return nil, &SetupError{Kind: "error", Err: err}
	}
	setup := time.Since(start)
	if err := sess.Ack(context.WithoutCancel(ctx)); err != nil {
		_ = sess.Close()
		return nil, &SetupError{Kind: "error", Err: fmt.Errorf("ACK: %w", err)}
	}
	cl := &call{sess: sess, setup: setup}
	remote, err := parseAnswer(sess.InviteResponse.Body())
	if err != nil {
		c.hangup(context.WithoutCancel(ctx), cl)
		return nil, &SetupError{Kind: "sdp", Err: err}
	}
	cl.remote = remote
	return cl, nil
}

// hangup sends BYE unless the gateway already ended the call.
func (c *caller) hangup(ctx context.Context, cl *call) {
	defer cl.sess.Close()
	if cl.sess.Context().Err() != nil {
		return
	}
	bye := sipmsg.NewRequest(sipmsg.BYE, cl.sess.InviteResponse.Contact().Address)
	if c.transport == "UDP" {
		bye.Laddr = c.laddr
	}
	_ = cl.sess.WriteBye(ctx, bye)
}

// offerSDP is the gateway's own offer (PCMU first, then PCMA and
// telephone-event), so the generator speaks SDP exactly as the gateway's
// dial-out does.
func offerSDP(ip string, port int) ([]byte, error) {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return nil, fmt.Errorf("local address %q: %w", ip, err)
	}
	return sdp.NewSession("loadtest").BuildOffer(sdp.Local{Addr: addr, Port: uint16(port)}, sdp.SendRecv)
}

// parseAnswer reads where to send RTP. The generator sends and decodes PCMU
// only, so an answer choosing anything else fails the call.
func parseAnswer(body []byte) (*net.UDPAddr, error) {
	p, err := sdp.ParseAnswer(body)
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(p.Codec.Name, "PCMU") {
		return nil, fmt.Errorf("answer chose %s, not PCMU", p.Codec.Name)
	}
	if !p.Remote.Addr().Unmap().Is4() || p.Remote.Port() == 0 {
		return nil, fmt.Errorf("answer lacks an IPv4 address and port: %v", p.Remote)
	}
	return net.UDPAddrFromAddrPort(netip.AddrPortFrom(p.Remote.Addr().Unmap(), p.Remote.Port())), nil
}
