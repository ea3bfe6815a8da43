package http

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/sourceaddr"
)

const (
	ctxActor      = "confgw.actor"
	ctxConference = "confgw.conference"
)

// codeTooManyAttempts refuses a source that failed authentication too
// often, whatever it sends, until its Retry-After.
const codeTooManyAttempts conference.Code = "too_many_attempts"

// Reasons of confgw_auth_failures_total.
const (
	reasonMissing         = "missing"          // no bearer at all
	reasonBadKey          = "bad_key"          // neither the admin key nor shaped like a token
	reasonBadToken        = "bad_token"        // shaped like a token, not signed by this gateway
	reasonExpiredToken    = "expired_token"    // ours, past its expiry
	reasonOtherConference = "other_conference" // ours, for another conference
	reasonEndedConference = "ended_conference" // ours, for a conference that has ended
	reasonThrottled       = "throttled"        // not even looked at: the source must wait
)

var authFailureReasons = []string{
	reasonMissing, reasonBadKey, reasonBadToken, reasonExpiredToken,
	reasonOtherConference, reasonEndedConference, reasonThrottled,
}

func bearer(c *gin.Context, allowQuery bool) string {
	if h := c.GetHeader("Authorization"); h != "" {
		if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(tok)
		}
		return ""
	}
	if allowQuery {
		return c.Query("token")
	}
	return ""
}

func (s *Server) isAdminKey(tok string) bool {
	return subtle.ConstantTimeCompare([]byte(tok), []byte(s.adminKey)) == 1
}

// caller is who a bearer turned out to be: the admin, or the participant
// pid of conference cid.
type caller struct {
	admin    bool
	cid, pid string
}

// authenticate says who the request's bearer is, or answers the request
// itself and returns false. A source that failed too often is refused 429
// without its bearer being compared with the admin key: were the right key
// let through, throttling would only slow the wrong ones and the guesser
// would still learn the right one at once. A participant token this
// gateway signed cannot be a guess, so it is let through all the same:
// people behind the guesser's address keep their meeting.
func (s *Server) authenticate(c *gin.Context, tok string) (caller, bool) {
	if tok == "" {
		s.authFailed(c, reasonMissing, unauthorized("send Authorization: Bearer <admin key or participant token>"))
		return caller{}, false
	}
	cid, pid, err := s.tokens.Parse(tok)
	switch {
	case err == nil:
		return caller{cid: cid, pid: pid}, true
	case errors.Is(err, ErrTokenExpired):
		s.authFailed(c, reasonExpiredToken, tokenRefused(err))
		return caller{}, false
	}
	src := sourceaddr.Of(remoteAddr(c))
	if wait := s.failures.wait(src); wait > 0 {
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		s.authFailed(c, reasonThrottled, &conference.Error{Code: codeTooManyAttempts,
			Msg: fmt.Sprintf("too many failed attempts from this address; wait %s", wait.Round(time.Second))})
		return caller{}, false
	}
	if s.isAdminKey(tok) {
		return caller{admin: true}, true
	}
	s.failures.fail(src)
	reason := reasonBadKey
	if strings.Count(tok, ".") == 2 {
		reason = reasonBadToken
	}
	s.authFailed(c, reason, tokenRefused(err))
	return caller{}, false
}

// authFailed counts a failed authentication and answers it with err.
func (s *Server) authFailed(c *gin.Context, reason string, err error) {
	s.metrics.authFailures.WithLabelValues(reason).Inc()
	s.fail(c, err)
}

// remoteAddr is the peer's address, never a forwarded-for header: anyone
// can write one, and a guesser would write a new one each try.
func remoteAddr(c *gin.Context) netip.Addr {
	ap, err := netip.ParseAddrPort(c.Request.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr()
}

// requireAdmin guards routes only the admin key may call.
func (s *Server) requireAdmin(c *gin.Context) {
	who, ok := s.authenticate(c, bearer(c, false))
	switch {
	case !ok:
	case who.admin:
		c.Set(ctxActor, conference.Admin)
	default:
		s.fail(c, conference.ErrAdminRequired)
	}
}

// requireMember resolves the conference in the path and the caller: the
// admin key, or a token of a participant who is still in that conference.
// What the caller may then do is left to the conference, on live roles.
func (s *Server) requireMember(allowQuery bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		who, ok := s.authenticate(c, bearer(c, allowQuery))
		if !ok {
			return
		}
		conf, err := s.reg.Get(c.Param("cid"))
		actor := conference.Admin
		if !who.admin {
			if who.cid != c.Param("cid") {
				s.authFailed(c, reasonOtherConference, unauthorized("the token is for another conference"))
				return
			}
			// The token names this conference, so it existed: it has
			// been ended, and with it every token it gave out. That is
			// the credential failing, not a wrong address.
			if errors.Is(err, conference.ErrNotFound) {
				s.authFailed(c, reasonEndedConference, unauthorized(fmt.Sprintf("conference %q, which the token is for, has ended", who.cid)))
				return
			}
			actor = conference.As(who.pid)
		}
		if err != nil {
			s.fail(c, err)
			return
		}
		if err := conf.Member(actor); err != nil {
			s.fail(c, err)
			return
		}
		c.Set(ctxActor, actor)
		c.Set(ctxConference, conf)
	}
}

func actorOf(c *gin.Context) conference.Actor {
	return c.MustGet(ctxActor).(conference.Actor)
}

func confOf(c *gin.Context) *conference.Conference {
	return c.MustGet(ctxConference).(*conference.Conference)
}

// tokenRefused is the refusal of a bearer that is not the admin key and
// did not parse as a participant token. An expired token says so, so that
// its holder asks for a new one instead of doubting the server or the key.
func tokenRefused(err error) error {
	if errors.Is(err, ErrTokenExpired) {
		return unauthorized(err.Error() + "; ask for a new one")
	}
	return unauthorized("the token is neither the admin key nor a valid participant token")
}

func unauthorized(msg string) error {
	return &conference.Error{Code: conference.CodeUnauthorized, Msg: msg}
}
