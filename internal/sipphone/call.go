package sipphone

import (
	"context"
	"fmt"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"
)

// Call is one of the phone's calls, placed or answered.
type Call struct {
	phone *Phone
	uac   *sipgo.DialogClientSession
	uas   *sipgo.DialogServerSession
	// Media plays the phone's tone and records what it hears.
	Media *Media
}

func newCall(p *Phone, uac *sipgo.DialogClientSession, uas *sipgo.DialogServerSession, m *Media) *Call {
	return &Call{phone: p, uac: uac, uas: uas, Media: m}
}

func (c *Call) dialog() *sipgo.Dialog {
	if c.uac != nil {
		return &c.uac.Dialog
	}
	return &c.uas.Dialog
}

// Done is closed when the call ends, on a BYE from either side.
func (c *Call) Done() <-chan struct{} { return c.dialog().Context().Done() }

// HangUp sends BYE.
func (c *Call) HangUp(ctx context.Context) error {
	defer c.Media.SetMuted(true)
	if c.uac != nil {
		bye := sipmsg.NewRequest(sipmsg.BYE, c.uac.InviteResponse.Contact().Address)
		bye.Laddr = c.phone.laddr()
		return c.uac.WriteBye(ctx, bye)
	}
	return c.uas.Bye(ctx)
}

// Hold re-INVITEs with direction ("sendonly" or "inactive" to hold,
// "sendrecv" to resume) and returns the direction the gateway answered. The
// phone keeps playing its tone, as phones playing music on hold do, so a
// test can tell that the gateway itself stops the audio.
func (c *Call) Hold(ctx context.Context, direction string) (string, error) {
	if c.uac == nil {
		return "", fmt.Errorf("sipphone: only calls the phone placed can re-INVITE")
	}
	req := sipmsg.NewRequest(sipmsg.INVITE, c.uac.InviteResponse.Contact().Address)
	req.Laddr = c.phone.laddr()
	req.AppendHeader(sipmsg.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(offerSDP("127.0.0.1", c.Media.Port(), c.phone.cfg.Codecs, direction, c.Media.offerCrypto()))
	res, err := c.uac.Do(ctx, req)
	if err != nil {
		return "", err
	}
	if res.StatusCode != 200 {
		return "", &StatusError{Status: res.StatusCode}
	}
	ack := sipmsg.NewRequest(sipmsg.ACK, c.uac.InviteResponse.Contact().Address)
	ack.Laddr = c.phone.laddr()
	if err := c.uac.WriteRequest(ack); err != nil {
		return "", err
	}
	rm, err := parseSDP(res.Body())
	if err != nil {
		return "", err
	}
	return rm.direction, nil
}

// Info sends an INFO in a call the phone placed, with body of contentType
// ("" sends no body) and any extra header fields, and returns the status
// the gateway answered.
func (c *Call) Info(ctx context.Context, contentType, body string, extra ...sipmsg.Header) (int, error) {
	if c.uac == nil {
		return 0, fmt.Errorf("sipphone: only calls the phone placed send INFO")
	}
	req := sipmsg.NewRequest(sipmsg.INFO, c.uac.InviteResponse.Contact().Address)
	req.Laddr = c.phone.laddr()
	for _, h := range extra {
		req.AppendHeader(h)
	}
	if body != "" {
		req.AppendHeader(sipmsg.NewHeader("Content-Type", contentType))
		req.SetBody([]byte(body))
	}
	res, err := c.uac.Do(ctx, req)
	if err != nil {
		return 0, err
	}
	return res.StatusCode, nil
}

// KeyInfo sends key d as PBXs do in SIP INFO, in application/dtmf-relay.
func (c *Call) KeyInfo(ctx context.Context, d byte) error {
	status, err := c.Info(ctx, "application/dtmf-relay", "Signal="+string(rune(d))+"\r\nDuration=160\r\n")
	if err == nil && status != 200 {
		err = &StatusError{Status: status}
	}
	return err
}
