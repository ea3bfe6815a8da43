package main

import (
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// envPrefix names the environment variable of every flag: --sip-trunk is
// CONFGW_SIP_TRUNK.
const envPrefix = "CONFGW_"

// The groups of the root's help: running a gateway and talking to one take
// different flags and are done by different people, so they are listed
// apart.
const (
	groupRun  = "run"
	groupTalk = "talk"
)

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "confgw",
		Short:         "SIP/PSTN-aware conferencing gateway with breakout rooms",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return applyEnv(cmd.Flags(), envFlags(cmd))
		},
	}
	root.AddGroup(
		&cobra.Group{ID: groupRun, Title: "Run or load-test a gateway:"},
		&cobra.Group{ID: groupTalk, Title: "Talk to a running gateway (--server, --token):"},
	)
	for _, cmd := range []*cobra.Command{newServe(), newLoadTest()} {
		cmd.GroupID = groupRun
		root.AddCommand(cmd)
	}
	addClientCommands(root)
	return root
}

// clientEnvFlags are the only flags of client commands read from the
// environment: a stray CONFGW_NAME must not rename what a script adds.
var clientEnvFlags = map[string]bool{"server": true, "token": true, "conference": true, "output": true}

// envFlags says which of cmd's flags come from CONFGW_* variables: every
// setting of serve, and the connection flags of client commands.
func envFlags(cmd *cobra.Command) func(string) bool {
	if cmd.Name() == "serve" {
		return func(string) bool { return true }
	}
	return func(name string) bool { return clientEnvFlags[name] }
}

// fromEnvAnnotation marks a flag applyEnv set: pflag then counts it as
// changed, yet a command that weighs a flag against its arguments must
// let what was typed win over what was exported.
const fromEnvAnnotation = "confgw_from_env"

// typed says whether flag name was given on the command line itself.
func typed(fs *pflag.FlagSet, name string) bool {
	f := fs.Lookup(name)
	return f != nil && f.Changed && f.Annotations[fromEnvAnnotation] == nil
}

// applyEnv fills each chosen flag not given on the command line from its
// CONFGW_* variable, so containers and systemd units need no arguments.
func applyEnv(fs *pflag.FlagSet, chosen func(string) bool) error {
	var err error
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Changed || err != nil || !chosen(f.Name) {
			return
		}
		name := envPrefix + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(name); ok {
			if serr := fs.Set(f.Name, v); serr != nil {
				err = serr
				return
			}
			err = fs.SetAnnotation(f.Name, fromEnvAnnotation, []string{name})
		}
	})
	return err
}
