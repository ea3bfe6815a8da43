package rtpsession

import "errors"

var (
	// ErrNoPorts is returned by Ports.Listen when every port of the range is
	// taken or refused by the system; the call should be rejected (503)
	// rather than queued.
	ErrNoPorts = errors.New("rtpsession: no free RTP port")
	// ErrPortRange is returned by NewPorts for a range that holds no even
	// port or lies outside 1-65535.
	ErrPortRange = errors.New("rtpsession: invalid port range")
	// ErrNoConn is returned by New without a socket.
	ErrNoConn = errors.New("rtpsession: no UDP socket")
	// ErrCodec is returned for a codec the session cannot carry.
	ErrCodec = errors.New("rtpsession: unsupported codec")
	// ErrTimeout is returned by Run when the phone sent nothing for the
	// configured time: the call is presumed dead even without a BYE.
	ErrTimeout = errors.New("rtpsession: media timeout")
	// ErrRunning is returned by Run when the session's receive loop is
	// already running or has ended; a socket has one reader.
	ErrRunning = errors.New("rtpsession: receive loop already started")
	// ErrNoTelephoneEvent is returned by SendDigit when the phone did not
	// offer RFC 4733 events.
	ErrNoTelephoneEvent = errors.New("rtpsession: telephone-event not negotiated")
	// ErrDigitQueueFull is returned by SendDigit when digits are sent faster
	// than they can be played out.
	ErrDigitQueueFull = errors.New("rtpsession: digit queue full")
	// ErrClosed is returned by methods called after Close.
	ErrClosed = errors.New("rtpsession: session closed")
)
