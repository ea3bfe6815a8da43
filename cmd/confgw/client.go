package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/confgw/confgw/http/client"
)

// clientFlags are the settings every command that talks to a server
// shares. One value per root keeps tests that build many roots apart.
type clientFlags struct {
	server     string
	token      string
	conference string
	output     string
}

func addClientCommands(root *cobra.Command) {
	f := &clientFlags{}
	for _, cmd := range []*cobra.Command{
		newConferenceCmd(f), newParticipantsCmd(f), newRoomsCmd(f),
		newMoveCmd(f), newHangUpCmd(f), newMuteCmd(f), newUnmuteCmd(f), newBansCmd(f), newHostCmd(f), newHandCmd(f), newHelpRequestCmd(f), newDialCmd(f),
		newRecordCmd(f), newRecordingsCmd(f), newEventsCmd(f),
	} {
		// On each group rather than on root, so `serve` does not grow a
		// --token it would ignore.
		f.bind(cmd.PersistentFlags())
		cmd.GroupID = groupTalk
		root.AddCommand(cmd)
	}
}

func (f *clientFlags) bind(fs *pflag.FlagSet) {
	fs.StringVar(&f.server, "server", "http://127.0.0.1:8080", "address of the confgw API")
	fs.StringVar(&f.token, "token", "", "admin key or a participant token")
	fs.StringVar(&f.conference, "conference", "", "conference id (default: the conference a participant token names)")
	fs.StringVarP(&f.output, "output", "o", "table", "output format: table or json (the API's own JSON)")
}

// call is what a client command works with.
type call struct {
	ctx    context.Context
	cmd    *cobra.Command
	api    *client.Client
	conf   string // empty for commands outside any conference
	json   bool
	out    io.Writer
	errOut io.Writer
}

// run is the RunE of a command acting on a conference.
func (f *clientFlags) run(fn func(c *call, args []string) error) func(*cobra.Command, []string) error {
	return f.runE(true, fn)
}

// runOutside is the RunE of a command that names no conference yet.
func (f *clientFlags) runOutside(fn func(c *call, args []string) error) func(*cobra.Command, []string) error {
	return f.runE(false, fn)
}

func (f *clientFlags) runE(inConference bool, fn func(c *call, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		c := &call{
			ctx: cmd.Context(), cmd: cmd, api: client.New(f.server, f.token),
			out: cmd.OutOrStdout(), errOut: cmd.ErrOrStderr(),
		}
		var err error
		if c.json, err = f.wantsJSON(); err != nil {
			return err
		}
		if inConference {
			if c.conf, err = f.conferenceID(); err != nil {
				return err
			}
		}
		return fn(c, args)
	}
}

// runOn is the RunE of a command that may name its conference as its
// argument, as kubectl and gh name what they act on; without one the
// conference comes from --conference, CONFGW_CONFERENCE or the token.
func (f *clientFlags) runOn(fn func(c *call) error) func(*cobra.Command, []string) error {
	return f.runOutside(func(c *call, args []string) error {
		var err error
		if c.conf, err = f.conferenceArg(c.cmd, args); err != nil {
			return err
		}
		return fn(c)
	})
}

// conferenceArg lets the argument win over the defaults, but not over a
// different --conference typed in the same command: which one was meant
// cannot be told.
func (f *clientFlags) conferenceArg(cmd *cobra.Command, args []string) (string, error) {
	if len(args) == 0 {
		return f.conferenceID()
	}
	if typed(cmd.Flags(), "conference") && f.conference != args[0] {
		return "", fmt.Errorf("conference given twice, as %q and as --conference %q: give one", args[0], f.conference)
	}
	return args[0], nil
}

var errNoConference = errors.New("no conference: pass --conference (or set CONFGW_CONFERENCE), or a participant token, which names its conference")

func (f *clientFlags) conferenceID() (string, error) {
	if f.conference != "" {
		return f.conference, nil
	}
	if cid := conferenceOfToken(f.token); cid != "" {
		return cid, nil
	}
	return "", errNoConference
}
