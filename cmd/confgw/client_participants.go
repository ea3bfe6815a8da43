package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/http/wire"
)

func newParticipantsCmd(f *clientFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "participants",
		Short: "List, add and remove participants",
		Args:  cobra.NoArgs,
		RunE: f.run(func(c *call, _ []string) error {
			ps, raw, err := c.api.Participants(c.ctx, c.conf)
			return show(c, ps, raw, err, writeParticipants)
		}),
	}
	cmd.AddCommand(newParticipantsAddCmd(f), newParticipantsRemoveCmd(f))
	return cmd
}

func newParticipantsAddCmd(f *clientFlags) *cobra.Command {
	var spec wire.NewParticipant
	var role string
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Add an app participant and print its token",
		Args:  cobra.NoArgs,
		RunE: f.run(func(c *call, _ []string) error {
			spec.Role = conference.Role(role)
			j, raw, err := c.api.AddParticipant(c.ctx, c.conf, spec)
			return show(c, j, raw, err, writeJoined)
		}),
	}
	fs := cmd.Flags()
	fs.StringVar(&spec.Name, "name", "", "name shown to the others")
	fs.StringVar(&role, "role", string(conference.RoleParticipant), "host or participant")
	fs.StringVar(&spec.ClientVersion, "client-version", "", "the participant's app version; 4.14 or later can be moved between rooms")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

func newParticipantsRemoveCmd(f *clientFlags) *cobra.Command {
	var ban banFlags
	cmd := &cobra.Command{
		Use:   "remove PID",
		Short: "Remove a participant (a phone participant is hung up); --ban keeps it out",
		Args:  cobra.ExactArgs(1),
		RunE: f.run(func(c *call, args []string) error {
			if err := ban.check(); err != nil {
				return err
			}
			if ban.ban {
				return c.done(c.api.RemoveAndBan(c.ctx, c.conf, args[0], ban.reason), "removed and banned %s", args[0])
			}
			return c.done(c.api.RemoveParticipant(c.ctx, c.conf, args[0]), "removed %s", args[0])
		}),
	}
	ban.bind(cmd, "a phone's number is refused until `confgw bans remove`; an app participant's token at once")
	return cmd
}

// banFlags are --ban and --reason of hangup and participants remove.
type banFlags struct {
	ban    bool
	reason string
}

func (b *banFlags) bind(cmd *cobra.Command, what string) {
	cmd.Flags().BoolVar(&b.ban, "ban", false, "ban as well: "+what)
	cmd.Flags().StringVar(&b.reason, "reason", "", "why, shown to hosts listing the bans (with --ban)")
}

// check refuses --reason without --ban here rather than leave it to the
// server, whose message would name a JSON field the user never typed.
func (b *banFlags) check() error {
	if b.reason != "" && !b.ban {
		return errors.New("--reason goes with --ban")
	}
	return nil
}

func newMoveCmd(f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "move PID ROOM",
		Short: `Move a participant to a room: "main" or a breakout room number`,
		Args:  cobra.ExactArgs(2),
		RunE: f.run(func(c *call, args []string) error {
			p, raw, err := c.api.Move(c.ctx, c.conf, args[0], args[1])
			return show(c, p, raw, err, writeParticipant)
		}),
	}
}

func newHangUpCmd(f *clientFlags) *cobra.Command {
	var ban banFlags
	cmd := &cobra.Command{
		Use:   "hangup PID",
		Short: "Hang up a phone participant; --ban refuses its number from then on",
		Args:  cobra.ExactArgs(1),
		RunE: f.run(func(c *call, args []string) error {
			if err := ban.check(); err != nil {
				return err
			}
			if ban.ban {
				return c.done(c.api.HangUpAndBan(c.ctx, c.conf, args[0], ban.reason), "hung up and banned %s", args[0])
			}
			return c.done(c.api.HangUp(c.ctx, c.conf, args[0]), "hung up %s", args[0])
		}),
	}
	ban.bind(cmd, "its number's calls are refused until `confgw bans remove NUMBER`")
	return cmd
}

func newBansCmd(f *clientFlags) *cobra.Command {
	list := func(c *call, _ []string) error {
		bans, raw, err := c.api.Bans(c.ctx, c.conf)
		return show(c, bans, raw, err, writeBans)
	}
	cmd := &cobra.Command{
		Use:   "bans",
		Short: "List and lift the conference's bans (hosts only)",
		Args:  cobra.NoArgs,
		RunE:  f.run(list),
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List the bans, oldest first",
		Args:  cobra.NoArgs,
		RunE:  f.run(list),
	}, &cobra.Command{
		Use:   "remove NUMBER",
		Short: "Lift a ban: the number (or an app participant's id) it was made on",
		Args:  cobra.ExactArgs(1),
		RunE: f.run(func(c *call, args []string) error {
			return c.done(c.api.LiftBan(c.ctx, c.conf, args[0]), "lifted the ban of %s", args[0])
		}),
	})
	return cmd
}

func newMuteCmd(f *clientFlags) *cobra.Command {
	var lock bool
	var room string
	cmd := &cobra.Command{
		Use:   "mute [PID]",
		Short: "Mute a participant (yourself, or anyone as a host), or with --room everyone in a room but its hosts",
		Args:  cobra.MaximumNArgs(1),
		RunE: f.run(func(c *call, args []string) error {
			switch {
			case room != "" && len(args) == 0:
				ps, raw, err := c.api.MuteRoom(c.ctx, c.conf, room, lock)
				return show(c, ps.Participants, raw, err, writeParticipants)
			case room == "" && len(args) == 1:
				p, raw, err := c.api.Mute(c.ctx, c.conf, args[0], lock)
				return show(c, p, raw, err, writeParticipant)
			}
			return errors.New("give a participant id or --room, not both")
		}),
	}
	cmd.Flags().BoolVar(&lock, "lock", false, "a host's mute the participant cannot undo itself")
	cmd.Flags().StringVar(&room, "room", "", `mute a whole room ("main" or a breakout room number) but its hosts`)
	return cmd
}

func newUnmuteCmd(f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "unmute PID",
		Short: "Unmute a participant (yourself, unless a host locked your mute, or anyone as a host)",
		Args:  cobra.ExactArgs(1),
		RunE: f.run(func(c *call, args []string) error {
			p, raw, err := c.api.Unmute(c.ctx, c.conf, args[0])
			return show(c, p, raw, err, writeParticipant)
		}),
	}
}

func newHostCmd(f *clientFlags) *cobra.Command {
	var remove bool
	cmd := &cobra.Command{
		Use:   "host PID",
		Short: "Make a participant a host (--remove makes it a participant again)",
		Args:  cobra.ExactArgs(1),
		RunE: f.run(func(c *call, args []string) error {
			p, raw, err := c.api.SetHost(c.ctx, c.conf, args[0], !remove)
			return show(c, p, raw, err, writeParticipant)
		}),
	}
	cmd.Flags().BoolVar(&remove, "remove", false, "take the host role away")
	return cmd
}

func newDialCmd(f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "dial TO",
		Short: "Call a number or SIP user into the main room",
		Args:  cobra.ExactArgs(1),
		RunE: f.run(func(c *call, args []string) error {
			p, raw, err := c.api.DialOut(c.ctx, c.conf, args[0])
			return show(c, p, raw, err, writeParticipant)
		}),
	}
}

// errNoParticipant is a hand or help command with neither a PID nor a
// participant token to take one from.
var errNoParticipant = errors.New("no participant: pass its PID, or act with the participant's own token")

// selfOr is the participant a command names, or the token's own.
func (f *clientFlags) selfOr(args []string) (string, error) {
	if len(args) > 0 {
		return args[0], nil
	}
	if pid := participantOfToken(f.token); pid != "" {
		return pid, nil
	}
	return "", errNoParticipant
}

func newHandCmd(f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "hand raise|lower [PID]",
		Short: "Raise or lower a hand: your own (the token's), or as a host lower anyone's",
		Args:  cobra.RangeArgs(1, 2),
		RunE: f.run(func(c *call, args []string) error {
			if args[0] != "raise" && args[0] != "lower" {
				return fmt.Errorf("hand %q: want raise or lower", args[0])
			}
			pid, err := f.selfOr(args[1:])
			if err != nil {
				return err
			}
			p, raw, err := c.api.SetHand(c.ctx, c.conf, pid, args[0] == "raise")
			return show(c, p, raw, err, writeParticipant)
		}),
	}
}

func newHelpRequestCmd(f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "help-request ask|clear [PID]",
		Short: "Ask for a host (your own token), or clear a request: your own, or as a host anyone's",
		Args:  cobra.RangeArgs(1, 2),
		RunE: f.run(func(c *call, args []string) error {
			if args[0] != "ask" && args[0] != "clear" {
				return fmt.Errorf("help-request %q: want ask or clear", args[0])
			}
			pid, err := f.selfOr(args[1:])
			if err != nil {
				return err
			}
			p, raw, err := c.api.SetHelp(c.ctx, c.conf, pid, args[0] == "ask")
			return show(c, p, raw, err, writeParticipant)
		}),
	}
}
