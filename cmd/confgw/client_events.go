package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/http/client"
)

func newEventsCmd(f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "events",
		Short: "Follow a conference's events until Ctrl-C or the stream ends",
		Long: "Follow a conference's events, one line each (-o json: one JSON object each).\n" +
			"With a participant token you also see the toasts addressed to that participant.",
		Args: cobra.NoArgs,
		RunE: f.run(func(c *call, _ []string) error {
			s, err := c.api.OpenEvents(c.ctx, c.conf)
			if err != nil {
				return err
			}
			defer func() { s.Close() }()
			// On stderr, so that -o json's stdout stays one object a line.
			fmt.Fprintf(c.errOut, "following conference %s; Ctrl-C stops\n", c.conf)
			for {
				e, err := s.Next()
				switch {
				case errors.Is(err, io.EOF):
					return nil
				case err != nil && c.ctx.Err() != nil:
					return nil // Ctrl-C is how one stops following
				case err != nil:
					return err
				}
				if err := c.printEvent(e); err != nil {
					return err
				}
				switch e.Type {
				case conference.EventStreamLagged:
					// The server cut a stream that fell behind, and said
					// where it was: carry on from there.
					fmt.Fprintf(c.errOut, "fell behind the conference; resuming after event %d\n", e.Seq)
					s.Close()
					if s, err = c.api.OpenEventsAfter(c.ctx, c.conf, e.Seq); err != nil {
						return err
					}
				case conference.EventStreamReset:
					fmt.Fprintln(c.errOut, "some events were no longer kept and are missed; re-read the conference for its state")
				}
			}
		}),
	}
}

func (c *call) printEvent(e client.Event) error {
	if c.json {
		return c.printRaw(e.Raw)
	}
	if _, err := fmt.Fprintln(c.out, eventLine(e.Event)); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

// eventLine is "<time> <type> <summary>": the summary is built from
// whichever fields the event carries, so new event types read sensibly
// without a case of their own.
func eventLine(e conference.Event) string {
	parts := []string{e.At.Local().Format(time.TimeOnly), e.Type}
	if p := e.Participant; p != nil {
		parts = append(parts, p.Name+" ("+p.ID+")")
	}
	switch {
	case e.From != nil && e.Room != nil:
		parts = append(parts, e.From.Name+" -> "+e.Room.Name)
	case e.Room != nil:
		parts = append(parts, e.Room.Name)
	}
	if e.Recording != nil {
		parts = append(parts, "recording "+e.Recording.ID)
	}
	if e.Breakout != nil {
		parts = append(parts, "breakout rooms "+onOff(*e.Breakout))
	}
	if e.Status != 0 {
		parts = append(parts, "SIP "+strconv.Itoa(e.Status))
	}
	if e.Reason != "" {
		parts = append(parts, "("+e.Reason+")")
	}
	line := strings.Join(parts, " ")
	if e.Message != "" {
		line += ": " + e.Message
	}
	return line
}
