package gateway

import (
	"errors"
	"time"

	"golang.org/x/time/rate"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/gateway/prompts"
)

// keypadWindow is how long after '*' the command's digit may come: long
// enough for a caller reading the keys off a card, short enough that a
// stray '*' does not turn a digit keyed much later into a command.
const keypadWindow = 2 * time.Second

// Defaults of a caller's keypad commands allowance: a person keys a
// command every few seconds at most, so a burst of five and one a second
// after it takes nothing from anyone, while a PBX or a script sending INFO
// as fast as it can cannot flood every host's events stream with hands
// going up and down.
const (
	DefaultKeypadRate  = 1.0
	DefaultKeypadBurst = 5
)

// command is what a caller's keys ask for once it is in the conference.
type command string

// The keypad's commands, as confgw_keypad_commands_total labels them.
const (
	cmdNone command = ""
	cmdMute command = "mute" // *6: mute or unmute oneself
	cmdHand command = "hand" // *1: raise or lower one's hand
	cmdHelp command = "help" // *0: ask for a host
)

// keypad reads commands from a caller's keys: '*' then one digit within
// keypadWindow. Anything else resets it, so that no key sequence can leave
// it stuck; a second '*' starts the command again.
type keypad struct {
	star  time.Time
	armed bool
	// commands is the caller's allowance of commands, burst at once and
	// perSecond after that; made at its first command, as most callers
	// never key one.
	commands *rate.Limiter
}

// allow takes one command from the caller's allowance, or reports that
// it is spent. The allowance is made full at the first call, with that
// call's perSecond and burst.
func (k *keypad) allow(now time.Time, perSecond float64, burst int) bool {
	if k.commands == nil {
		k.commands = rate.NewLimiter(rate.Limit(perSecond), burst)
	}
	return k.commands.AllowN(now, 1)
}

// feed takes one key pressed at now and returns the command it completes,
// or cmdNone.
func (k *keypad) feed(d rune, now time.Time) command {
	if d == '*' {
		k.armed, k.star = true, now
		return cmdNone
	}
	armed := k.armed && now.Sub(k.star) <= keypadWindow && !now.Before(k.star)
	k.armed = false
	if !armed {
		return cmdNone
	}
	switch d {
	case '6':
		return cmdMute
	case '1':
		return cmdHand
	case '0':
		return cmdHelp
	}
	return cmdNone
}

// key handles a key the caller pressed after joining: a command when the
// conference has its keypad on, nothing otherwise.
func (l *leg) key(d rune) {
	now := time.Now()
	cmd := l.pad.feed(d, now)
	if cmd == cmdNone {
		return
	}
	if !l.conf.Keypad() {
		l.g.metrics.keypad.WithLabelValues(string(cmd), "keypad_off").Inc()
		return
	}
	if !l.pad.allow(now, l.g.keypadRate, l.g.keypadBurst) {
		l.g.metrics.keypad.WithLabelValues(string(cmd), "rate_limited").Inc()
		return
	}
	l.mu.Lock()
	pid := l.pid
	l.mu.Unlock()
	err := l.run(cmd, pid)
	result := "ok"
	switch {
	case errors.Is(err, conference.ErrMuteLocked):
		result = "mute_locked"
		// The conference says nothing of a refusal; the caller must hear
		// why its unmute did nothing.
		l.Prompt(conference.PromptMuteLocked)
	case err != nil:
		result = "failed"
		l.log.Info("keypad command failed", "command", string(cmd), "participant", pid, "error", err)
	}
	l.g.metrics.keypad.WithLabelValues(string(cmd), result).Inc()
}

// run carries a command out as the caller itself; the conference tells
// the caller what changed (see Prompt).
func (l *leg) run(cmd command, pid string) error {
	self := conference.As(pid)
	p, err := l.conf.Participant(pid)
	if err != nil {
		return err
	}
	switch cmd {
	case cmdMute:
		if p.Muted {
			_, err = l.conf.Unmute(self, pid)
		} else {
			_, err = l.conf.Mute(self, pid, false)
		}
	case cmdHand:
		if p.Hand {
			_, err = l.conf.LowerHand(self, pid)
		} else {
			_, err = l.conf.RaiseHand(self, pid)
		}
	case cmdHelp:
		_, err = l.conf.AskHelp(self, pid)
	}
	return err
}

// spoken is what each prompt of the conference's says.
var spoken = map[conference.Prompt]*prompts.Prompt{
	conference.PromptMuted:         prompts.Muted,
	conference.PromptUnmuted:       prompts.Unmuted,
	conference.PromptMuteLocked:    prompts.MuteLocked,
	conference.PromptHandRaised:    prompts.HandRaised,
	conference.PromptHandLowered:   prompts.HandLowered,
	conference.PromptHelpRequested: prompts.HelpRequested,
}
