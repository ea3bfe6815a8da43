package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/confgw/confgw/http/wire"
)

func newConferenceCmd(f *clientFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "conference",
		Short: "List, create, show and end conferences; switch breakout rooms and the phone keypad on or off",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newConferenceListCmd(f), newConferenceCreateCmd(f), newConferenceShowCmd(f), newConferenceEndCmd(f), newBreakoutCmd(f), newKeypadCmd(f))
	return cmd
}

func newConferenceListCmd(f *clientFlags) *cobra.Command {
	var after string
	var limit int
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List conferences in id order, a page at a time (admin key)",
		Args:  cobra.NoArgs,
		RunE: f.runOutside(func(c *call, _ []string) error {
			// The client reads 0 as "the server's default"; typed out, it is a mistake.
			if c.cmd.Flags().Changed("limit") && limit == 0 {
				return fmt.Errorf("--limit 0: want 1 to %d", wire.ConferencePageMax)
			}
			page, raw, err := c.api.Conferences(c.ctx, after, limit)
			if err := show(c, page.Conferences, raw, err, writeConferences); err != nil || c.json {
				return err
			}
			// On stderr, so that the table alone can be piped.
			if page.Next != "" {
				fmt.Fprintf(c.errOut, "more: confgw conference list --after %s\n", page.Next)
			}
			return nil
		}),
	}
	fs := cmd.Flags()
	fs.StringVar(&after, "after", "", "start after this conference id (the \"more:\" hint of the page before)")
	fs.IntVar(&limit, "limit", 0, fmt.Sprintf("conferences a page, 1 to %d (default: the server's, %d)", wire.ConferencePageMax, wire.ConferencePageDefault))
	return cmd
}

func newConferenceCreateCmd(f *clientFlags) *cobra.Command {
	var spec wire.NewConference
	var breakout, keypad bool
	cmd := &cobra.Command{
		Use:   "create [ID]",
		Short: "Create a conference (admin key); without an ID the server makes one up",
		Args:  cobra.MaximumNArgs(1),
		RunE: f.runOutside(func(c *call, args []string) error {
			if len(args) == 1 {
				if c.cmd.Flags().Changed("id") && spec.ID != args[0] {
					return fmt.Errorf("conference id given twice, as %q and as --id %q: give one", args[0], spec.ID)
				}
				spec.ID = args[0]
			}
			// Unset means the server's default, which only it knows.
			if c.cmd.Flags().Changed("breakout") {
				spec.BreakoutEnabled = &breakout
			}
			if c.cmd.Flags().Changed("keypad") {
				spec.Keypad = &keypad
			}
			info, raw, err := c.api.CreateConference(c.ctx, spec)
			return show(c, info, raw, err, writeConference)
		}),
	}
	fs := cmd.Flags()
	fs.StringVar(&spec.Title, "title", "", "title shown to participants")
	fs.StringVar(&spec.ID, "id", "", "conference id, as the ID argument gives it (default: generated)")
	fs.StringVar(&spec.DialIn, "dial-in", "", "SIP user phones call to join (default: the id)")
	fs.StringVar(&spec.PIN, "pin", "", "PIN phones must key in to join")
	// Its default is never sent, so it shows none: left out, the server's applies.
	fs.BoolVar(&breakout, "breakout", false, "allow breakout rooms, or forbid them with --breakout=false (default: the server's setting)")
	fs.BoolVar(&keypad, "keypad", true, "take phone callers' keys as commands (*6 mute, *1 hand, *0 help), or ignore them with --keypad=false")
	_ = cmd.MarkFlagRequired("title")
	return cmd
}

func newConferenceShowCmd(f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "show [ID]",
		Short: "Show a conference with its rooms and participants",
		Args:  cobra.MaximumNArgs(1),
		RunE: f.runOn(func(c *call) error {
			info, raw, err := c.api.Conference(c.ctx, c.conf)
			return show(c, info, raw, err, writeConferenceDetail)
		}),
	}
}

func newConferenceEndCmd(f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "end [ID]",
		Short: "End a conference and hang up everyone (admin key)",
		Args:  cobra.MaximumNArgs(1),
		RunE: f.runOn(func(c *call) error {
			return c.done(c.api.EndConference(c.ctx, c.conf), "ended conference %s", c.conf)
		}),
	}
}

func newBreakoutCmd(f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:       "breakout on|off",
		Short:     "Switch breakout rooms on or off; off sends everyone back to the main room",
		ValidArgs: []string{"on", "off"},
		Args:      cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs),
		RunE: f.run(func(c *call, args []string) error {
			info, raw, err := c.api.SetBreakout(c.ctx, c.conf, args[0] == "on")
			return show(c, info, raw, err, writeConference)
		}),
	}
}

func newKeypadCmd(f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:       "keypad on|off",
		Short:     "Switch phone callers' keypad commands on or off (*6 mute, *1 hand, *0 help)",
		ValidArgs: []string{"on", "off"},
		Args:      cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs),
		RunE: f.run(func(c *call, args []string) error {
			info, raw, err := c.api.SetKeypad(c.ctx, c.conf, args[0] == "on")
			return show(c, info, raw, err, writeConference)
		}),
	}
}
