package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/http/wire"
	"github.com/confgw/confgw/internal/apitest"
)

// cli runs client commands in-process against a test server.
type cli struct {
	t   *testing.T
	env *apitest.Env
}

func newCLI(t *testing.T, opts ...apitest.Option) *cli {
	return &cli{t: t, env: apitest.Start(t, opts...)}
}

// exec runs confgw with args as they would be typed, returning stdout.
func execute(ctx context.Context, args ...string) (string, error) {
	out, _, err := executeBoth(ctx, args...)
	return out, err
}

// executeBoth is execute for commands that also speak on stderr.
func executeBoth(ctx context.Context, args ...string) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	root := newRoot()
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	err = root.ExecuteContext(ctx)
	return out.String(), errOut.String(), err
}

// as runs a command with a token against the test server.
func (c *cli) as(token string, args ...string) (string, error) {
	c.t.Helper()
	return execute(c.t.Context(), append(args, "--server", c.env.Server.URL, "--token", token)...)
}

// must is as for commands that have to succeed.
func (c *cli) must(token string, args ...string) string {
	c.t.Helper()
	out, err := c.as(token, args...)
	if err != nil {
		c.t.Fatalf("confgw %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// clinic creates conference "c" with a host, Alice (4.14) and Carl (4.9),
// through the CLI itself.
type clinic struct {
	*cli
	host, alice, carl wire.Joined
}

func newClinic(t *testing.T, opts ...apitest.Option) *clinic {
	c := newCLI(t, opts...)
	c.must(apitest.AdminKey, "conference", "create", "--id", "c", "--title", "Clinic")
	return &clinic{
		cli:   c,
		host:  c.join("Hanna", "host", "4.14"),
		alice: c.join("Alice", "participant", "4.14"),
		carl:  c.join("Carl", "participant", "4.9"),
	}
}

// dialIn brings a caller from number into conference "c", as the gateway
// does for a phone that dialled in.
func (c *clinic) dialIn(number string) conference.Participant {
	c.t.Helper()
	conf, err := c.env.Registry.Get("c")
	if err != nil {
		c.t.Fatal(err)
	}
	p, err := conf.AddPhone(conference.PhoneSpec{Number: number, Direction: conference.DialIn})
	if err != nil {
		c.t.Fatal(err)
	}
	return p
}

func (c *cli) join(name, role, version string) wire.Joined {
	c.t.Helper()
	out := c.must(apitest.AdminKey, "participants", "add", "--conference", "c",
		"--name", name, "--role", role, "--client-version", version, "-o", "json")
	var j wire.Joined
	if err := json.Unmarshal([]byte(out), &j); err != nil || j.Token == "" {
		c.t.Fatalf("add %s: %q: %v", name, out, err)
	}
	return j
}

// trimmed drops the padding tabwriter leaves after a row's last cell.
func trimmed(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

func TestOutputMustBeTableOrJSON(t *testing.T) {
	c := newClinic(t)
	if _, err := c.as(c.host.Token, "rooms", "-o", "yaml"); err == nil || !strings.Contains(err.Error(), `--output "yaml"`) {
		t.Fatalf("err %v", err)
	}
}

func TestConferenceDefaultsToTheTokens(t *testing.T) {
	c := newClinic(t)
	out := c.must(c.alice.Token, "participants")
	if !strings.Contains(out, "Alice") || !strings.Contains(out, "Carl") {
		t.Fatalf("participants via alice's token:\n%s", out)
	}
	_, err := c.as(apitest.AdminKey, "participants")
	if err != errNoConference {
		t.Fatalf("admin key without --conference: %v", err)
	}
	// An explicit --conference wins, and the server judges the token.
	_, err = c.as(c.alice.Token, "participants", "--conference", "other")
	if err == nil || !strings.Contains(err.Error(), "unauthorized: the token is for another conference") {
		t.Fatalf("token for another conference: %v", err)
	}
}

func TestSettingsFromEnvironment(t *testing.T) {
	c := newClinic(t)
	t.Setenv("CONFGW_SERVER", c.env.Server.URL)
	t.Setenv("CONFGW_TOKEN", apitest.AdminKey)
	t.Setenv("CONFGW_CONFERENCE", "c")
	out, err := execute(t.Context(), "rooms")
	if err != nil || !strings.Contains(out, "Hanna, Alice, Carl") {
		t.Fatalf("rooms from env: %v\n%s", err, out)
	}
	t.Setenv("CONFGW_OUTPUT", "json")
	out, err = execute(t.Context(), "rooms")
	if err != nil || !json.Valid([]byte(out)) {
		t.Fatalf("json from env: %v\n%s", err, out)
	}
	// A flag beats its variable.
	if _, err := execute(t.Context(), "rooms", "--token", "forged"); err == nil || !strings.HasPrefix(err.Error(), "unauthorized:") {
		t.Fatalf("--token over CONFGW_TOKEN: %v", err)
	}
}

func TestUnreachableServer(t *testing.T) {
	c := newCLI(t)
	url := c.env.Server.URL
	c.env.Server.Close()
	_, err := execute(t.Context(), "rooms", "--server", url, "--conference", "c")
	if err == nil || !strings.Contains(err.Error(), "connect") {
		t.Fatalf("err %v", err)
	}
}
