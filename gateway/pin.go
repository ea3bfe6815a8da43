package gateway

import (
	"time"

	confsip "github.com/confgw/confgw/sip"
	"github.com/confgw/confgw/sip/dtmf"
)

// pinTries is how many wrong PINs a caller may key before we hang up.
const pinTries = 3

// enterPIN collects keypresses until '#' and checks them against the
// conference's PIN. Until it says yes the caller is in no mixer: it hears
// only our prompts, and nobody hears it. A false return means the call was
// hung up (by us after three wrong tries, or by anyone else).
func (l *leg) enterPIN(call *confsip.Call) bool {
	pr := newPrompt(l.sess)
	pr.play(promptEnter)
	defer pr.stop()
	timeout := time.NewTimer(l.g.pinTimeout)
	defer timeout.Stop()
	pin := dtmf.NewPIN(16)
	wrong := 0
	for {
		select {
		case d := <-l.digits:
			entered, done, err := pin.Feed(byte(d))
			if !done {
				continue
			}
			if err == nil && l.conf.CheckPIN(entered) {
				return true
			}
			wrong++
			l.log.Info("wrong PIN", "tries", wrong)
			if wrong >= pinTries {
				l.log.Info("hanging up", "reason", "PIN failed")
				pr.stop()
				l.bye(call)
				return false
			}
			pr.play(promptWrong)
		case <-timeout.C:
			l.log.Info("hanging up", "reason", "no PIN entered")
			pr.stop()
			l.bye(call)
			return false
		case <-l.timedOut:
			pr.stop()
			l.bye(call)
			return false
		case <-l.ctx.Done():
			pr.stop()
			l.bye(call)
			return false
		case <-call.Done():
			return false
		}
	}
}
