package client

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/confgw/confgw/http/wire"
	"github.com/confgw/confgw/recording"
)

// Recordings lists the conference's recorded files, oldest first.
func (c *Client) Recordings(ctx context.Context, cid string) ([]recording.Info, []byte, error) {
	b, raw, err := call[wire.Recordings](ctx, c, http.MethodGet, confPath(cid, "recordings"), nil)
	return b.Recordings, raw, err
}

// DownloadRecording copies a finished recording's WAV file to w and
// returns how many bytes it wrote. The file is streamed, not buffered: a
// long meeting's recording is far larger than any API answer.
func (c *Client) DownloadRecording(ctx context.Context, cid, rid string, w io.Writer) (int64, error) {
	body, err := c.stream(ctx, confPath(cid, "recordings", rid), nil)
	if err != nil {
		return 0, err
	}
	defer body.Close()
	n, err := io.Copy(w, body)
	if err != nil {
		return n, fmt.Errorf("download recording %s: %w", rid, err)
	}
	return n, nil
}
