package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// JoinAudio sends an app participant's WebRTC offer (complete, its ICE
// candidates in it) as WHIP does, with the participant's own token, and
// returns the gateway's SDP answer and the session's URL path, which
// LeaveAudio takes.
func (c *Client) JoinAudio(ctx context.Context, cid, offer string) (answer, location string, err error) {
	path := confPath(cid, "media")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.server+path, strings.NewReader(offer))
	if err != nil {
		return "", "", fmt.Errorf("build POST %s: %w", path, err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	req.Header.Set("Content-Type", "application/sdp")
	resp, err := c.hc.Do(req)
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return "", "", fmt.Errorf("read POST %s answer: %w", path, err)
	}
	if resp.StatusCode != http.StatusCreated {
		return "", "", apiError(resp.StatusCode, raw)
	}
	return string(raw), resp.Header.Get("Location"), nil
}

// LeaveAudio ends the audio session at location, as JoinAudio returned it.
func (c *Client) LeaveAudio(ctx context.Context, location string) error {
	_, err := c.do(ctx, http.MethodDelete, location, nil, nil)
	return err
}
