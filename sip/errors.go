package sip

import (
	"errors"
	"fmt"
)

// Why a call ended or could not be placed. Callers match them with errors.Is.
var (
	// ErrCanceled ends an incoming call whose caller sent CANCEL before the
	// answer.
	ErrCanceled = errors.New("sip: caller cancelled the call")
	// ErrRemoteHangUp ends a call whose peer sent BYE.
	ErrRemoteHangUp = errors.New("sip: remote party hung up")
	// ErrLocalHangUp ends a call we hung up ourselves.
	ErrLocalHangUp = errors.New("sip: call hung up locally")
	// ErrNoAck ends an answered call whose peer never acknowledged the 200.
	ErrNoAck = errors.New("sip: no ACK for the 200 OK")
	// ErrShuttingDown refuses work once the server has begun to drain.
	ErrShuttingDown = errors.New("sip: server is shutting down")
	// ErrNotRunning refuses outbound calls before Run has started.
	ErrNotRunning = errors.New("sip: server is not running")
	// ErrNoTrunk refuses outbound calls when no trunk is configured.
	ErrNoTrunk = errors.New("sip: no outbound trunk configured")
	// ErrInvalidTarget refuses a dial target that cannot go into a SIP URI
	// as it is (it may come from an HTTP client).
	ErrInvalidTarget = errors.New("sip: invalid dial target")
	// ErrAnswered refuses a second answer or rejection of the same INVITE.
	ErrAnswered = errors.New("sip: call already answered or rejected")
	// ErrInvalidLimit refuses an option setting a limit out of its range.
	ErrInvalidLimit = errors.New("sip: invalid limit")

	errNotEstablished = errors.New("call is not established")
)

// DialError is a dial-out that ended without an answer: a final non-2xx
// response, or 408 when nobody answered before the ring timeout.
type DialError struct {
	Status int
	Reason string
}

func (e *DialError) Error() string {
	return fmt.Sprintf("sip: call failed: %d %s", e.Status, e.Reason)
}
