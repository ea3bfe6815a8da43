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
	return &cobra.Command{
		Use:   "remove PID",
		Short: "Remove a participant (a phone participant is hung up)",
		Args:  cobra.ExactArgs(1),
		RunE: f.run(func(c *call, args []string) error {
			return c.done(c.api.RemoveParticipant(c.ctx, c.conf, args[0]), "removed %s", args[0])
		}),
	}
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
	return &cobra.Command{
		Use:   "hangup PID",
		Short: "Hang up a phone participant",
		Args:  cobra.ExactArgs(1),
		RunE: f.run(func(c *call, args []string) error {
			return c.done(c.api.HangUp(c.ctx, c.conf, args[0]), "hung up %s", args[0])
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
