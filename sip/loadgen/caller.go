package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"

	confsip "github.com/confgw/confgw/sip"
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
	req.SetBody(offerSDP(c.localIP, rtpPort, id))

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

// offerSDP offers PCMU alone in 20 ms packets: the one codec the generator
// sends and decodes.
func offerSDP(ip string, port, id int) []byte {
	return []byte("v=0\r\n" +
		"o=loadtest " + strconv.Itoa(id) + " 1 IN IP4 " + ip + "\r\n" +
		"s=confgw loadtest\r\n" +
		"c=IN IP4 " + ip + "\r\n" +
		"t=0 0\r\n" +
		"m=audio " + strconv.Itoa(port) + " RTP/AVP 0\r\n" +
		"a=rtpmap:0 PCMU/8000\r\n" +
		"a=ptime:20\r\n" +
		"a=sendrecv\r\n")
}

// parseAnswer reads where to send RTP and checks PCMU was chosen.
func parseAnswer(body []byte) (*net.UDPAddr, error) {
	var ip net.IP
	port := -1
	pcmu := false
	for line := range strings.SplitSeq(string(body), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "c=IN IP4 "):
			ip = net.ParseIP(strings.TrimPrefix(line, "c=IN IP4 "))
		case strings.HasPrefix(line, "m=audio "):
			f := strings.Fields(line)
			if len(f) < 4 {
				return nil, fmt.Errorf("short m= line %q", line)
			}
			port, _ = strconv.Atoi(f[1])
			pcmu = f[3] == "0"
		}
	}
	switch {
	case ip == nil || ip.To4() == nil || port <= 0:
		return nil, fmt.Errorf("answer lacks an IPv4 address or port: %q", body)
	case !pcmu:
		return nil, fmt.Errorf("answer did not choose PCMU: %q", body)
	}
	return &net.UDPAddr{IP: ip.To4(), Port: port}, nil
}
