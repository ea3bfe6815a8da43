package gateway

import (
	"time"

	"github.com/confgw/confgw/gateway/prompts"
	"github.com/confgw/confgw/rtp/dtmf"
	confsip "github.com/confgw/confgw/sip"
)

// pinTries is how many wrong PINs a caller may key before we hang up.
const pinTries = 3

// enterPIN collects keypresses until '#' and checks them against the
// conference's PIN. Until it says yes the caller is in no mixer: it hears
// only our prompts, and nobody hears it. A false return means the call was
// hung up (by us after three wrong tries, or by anyone else).
func (l *leg) enterPIN(call *confsip.Call) bool {
	pr := newPrompt(l.sess)
	defer pr.stop()
	pr.play(prompts.EnterPIN)
	timeout := time.NewTimer(l.g.pinTimeout)
	defer timeout.Stop()
	pin := dtmf.NewPIN(16)
	wrong := 0
	for {
		select {
		case d := <-l.digits:
			// Barge-in: a caller who keys already knows what to do.
			pr.hush()
			entered, done, err := pin.Feed(byte(d))
			if !done {
				continue
			}
			if err == nil && l.conf.CheckPIN(entered) {
				// Said before the room's audio starts, so the caller knows
				// the voices that follow are the meeting.
				return l.sayLast(call, pr, prompts.Joined)
			}
			wrong++
			l.log.Info("wrong PIN", "tries", wrong)
			if wrong >= pinTries {
				l.log.Info("hanging up", "reason", "PIN failed")
				l.goodbye(call, pr)
				return false
			}
			pr.play(prompts.WrongPIN)
		case <-timeout.C:
			l.log.Info("hanging up", "reason", "no PIN entered")
			l.goodbye(call, pr)
			return false
		case <-l.timedOut:
			pr.stop()
			l.bye(call)
			return false
		case <-l.ctx.Done():
			pr.stop()
			l.bye(call)
			return false
		case <-l.conf.Done():
			// Not a member yet, so the conference cannot hang this leg up
			// itself; ending it must still end every call to it.
			l.log.Info("hanging up", "reason", "conference ended")
			pr.stop()
			l.bye(call)
			return false
		case <-call.Done():
			return false
		}
	}
}

// goodbye says so, then hangs up: a caller we drop should not be left
// wondering whether the line failed.
func (l *leg) goodbye(call *confsip.Call, pr *prompt) {
	if l.sayLast(call, pr, prompts.Goodbye) {
		pr.stop()
		l.bye(call)
	}
}

// sayLast plays what and waits until it has all been sent. It gives up at
// once, and reports false, if the call ends meanwhile: hung up by the
// caller, gone quiet, or ended by the conference or a shutdown (which get
// their BYE here, as they would without the prompt).
func (l *leg) sayLast(call *confsip.Call, pr *prompt, what *prompts.Prompt) bool {
	over := pr.play(what)
	select {
	case <-over:
		return true
	case <-call.Done():
		return false
	case <-l.timedOut:
	case <-l.ctx.Done():
	}
	pr.stop()
	l.bye(call)
	return false
}
