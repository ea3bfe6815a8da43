package conference

import "fmt"

// Code names a refusal in a way clients can act on; the API maps each code to
// an HTTP status.
type Code string

// The codes a conference can refuse a change with.
const (
	CodeInvalid            Code = "invalid_request"
	CodeNotFound           Code = "not_found"
	CodeUnauthorized       Code = "unauthorized"
	CodeHostRequired       Code = "host_required"
	CodeAdminRequired      Code = "admin_required"
	CodeRoomLimit          Code = "room_limit_reached"
	CodeRenameNotSupported Code = "rename_not_supported"
	CodePhonePinned        Code = "phone_participant_pinned"
	CodeClientTooOld       Code = "client_too_old"
	CodeHostInsideRoom     Code = "host_inside_room"
	CodeMainRoomPermanent  Code = "main_room_permanent"
	CodeBreakoutDisabled   Code = "breakout_disabled"
	CodeRecordingMainOnly  Code = "recording_main_room_only"
	CodeNotPhone           Code = "not_a_phone_participant"
	CodePhoneCannotHost    Code = "phone_cannot_be_host"
	CodeNoOutboundTrunk    Code = "no_outbound_trunk"
	CodeAlreadyExists      Code = "already_exists"
	CodeEnded              Code = "conference_ended"
	CodeAppOnly            Code = "app_participant_only"
	CodeMuteLocked         Code = "mute_locked"
	// CodeSelfOnly is what only the participant itself may do, such as
	// raising its hand: not even a host may do it for someone else.
	CodeSelfOnly Code = "self_only"
	// CodeBanned is a number a host banned: a dial-in from it is refused,
	// and so is a dial-out to it, until the ban is lifted.
	CodeBanned Code = "banned"
	// CodeBanLimit is a ban over Config.MaxBans.
	CodeBanLimit Code = "ban_limit_reached"
	// CodeNoCallerNumber is a ban of a phone whose caller sent no number,
	// which nothing could match on its next call.
	CodeNoCallerNumber Code = "no_caller_number"
	// CodeShuttingDown is no rule of a conference: the process serving it
	// is going away. It lives here with the others so that the API maps it
	// like any refusal and clients test for it without importing the gateway.
	CodeShuttingDown Code = "shutting_down"
	// CodeStorageUnavailable is a change the journal could not record: it
	// was not made, and the same request may succeed once the disk is back.
	CodeStorageUnavailable Code = "storage_unavailable"
)

// Error is a refusal with a code and a message meant for the person who asked.
type Error struct {
	Code Code
	Msg  string
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Msg }

// Is makes errors.Is match on the code alone, so callers can test against
// the sentinels below whatever the message says.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

func errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Sentinels for errors.Is.
var (
	ErrInvalid            = &Error{Code: CodeInvalid, Msg: "invalid request"}
	ErrNotFound           = &Error{Code: CodeNotFound, Msg: "not found"}
	ErrUnauthorized       = &Error{Code: CodeUnauthorized, Msg: "unauthorized"}
	ErrHostRequired       = &Error{Code: CodeHostRequired, Msg: "only a host can do this"}
	ErrAdminRequired      = &Error{Code: CodeAdminRequired, Msg: "only the admin key can do this"}
	ErrRoomLimit          = &Error{Code: CodeRoomLimit, Msg: "a conference has at most 20 breakout rooms"}
	ErrRenameNotSupported = &Error{Code: CodeRenameNotSupported, Msg: "breakout rooms cannot be renamed"}
	ErrPhonePinned        = &Error{Code: CodePhonePinned, Msg: "phone participants stay in the main room"}
	ErrClientTooOld       = &Error{Code: CodeClientTooOld, Msg: "client too old to be moved"}
	ErrHostInsideRoom     = &Error{Code: CodeHostInsideRoom, Msg: "a host cannot delete the room it is in"}
	ErrMainRoomPermanent  = &Error{Code: CodeMainRoomPermanent, Msg: "the main room cannot be deleted"}
	ErrBreakoutDisabled   = &Error{Code: CodeBreakoutDisabled, Msg: "breakout rooms are switched off for this conference"}
	ErrRecordingMainOnly  = &Error{Code: CodeRecordingMainOnly, Msg: "recording works only in the main room"}
	ErrNotPhone           = &Error{Code: CodeNotPhone, Msg: "not a phone participant"}
	ErrPhoneCannotHost    = &Error{Code: CodePhoneCannotHost, Msg: "phone participants cannot be hosts"}
	ErrNoOutboundTrunk    = &Error{Code: CodeNoOutboundTrunk, Msg: "no outbound SIP trunk is configured"}
	ErrAlreadyExists      = &Error{Code: CodeAlreadyExists, Msg: "already exists"}
	ErrEnded              = &Error{Code: CodeEnded, Msg: "the conference has ended"}
	ErrAppOnly            = &Error{Code: CodeAppOnly, Msg: "only an app participant's own token can do this"}
	ErrMuteLocked         = &Error{Code: CodeMuteLocked, Msg: "a host muted this participant and locked it"}
	ErrSelfOnly           = &Error{Code: CodeSelfOnly, Msg: "only the participant itself can do this"}
	ErrBanned             = &Error{Code: CodeBanned, Msg: "the number is banned from this conference"}
	ErrBanLimit           = &Error{Code: CodeBanLimit, Msg: "the conference holds as many bans as it may"}
	ErrNoCallerNumber     = &Error{Code: CodeNoCallerNumber, Msg: "the caller sent no number to ban"}
	ErrStorageUnavailable = &Error{Code: CodeStorageUnavailable, Msg: "the change could not be saved, so it was not made"}
)
