package http

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/confgw/confgw/conference"
)

const (
	ctxActor      = "confgw.actor"
	ctxConference = "confgw.conference"
)

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

// requireAdmin guards routes only the admin key may call.
func (s *Server) requireAdmin(c *gin.Context) {
	tok := bearer(c, false)
	switch {
	case tok == "":
		s.fail(c, unauthorized("send Authorization: Bearer <admin key or participant token>"))
	case s.isAdminKey(tok):
		c.Set(ctxActor, conference.Admin)
	default:
		if _, _, err := s.tokens.Parse(tok); err != nil {
			s.fail(c, tokenRefused(err))
			return
		}
		s.fail(c, conference.ErrAdminRequired)
	}
}

// requireMember resolves the conference in the path and the caller: the
// admin key, or a token of a participant who is still in that conference.
// What the caller may then do is left to the conference, on live roles.
func (s *Server) requireMember(allowQuery bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		tok := bearer(c, allowQuery)
		if tok == "" {
			s.fail(c, unauthorized("send Authorization: Bearer <admin key or participant token>"))
			return
		}
		conf, err := s.reg.Get(c.Param("cid"))
		actor := conference.Admin
		if !s.isAdminKey(tok) {
			cid, pid, perr := s.tokens.Parse(tok)
			if perr != nil {
				s.fail(c, tokenRefused(perr))
				return
			}
			if cid != c.Param("cid") {
				s.fail(c, unauthorized("the token is for another conference"))
				return
			}
			// The token names this conference, so it existed: it has
			// been ended, and with it every token it gave out. That is
			// the credential failing, not a wrong address.
			if errors.Is(err, conference.ErrNotFound) {
				s.fail(c, unauthorized(fmt.Sprintf("conference %q, which the token is for, has ended", cid)))
				return
			}
			actor = conference.As(pid)
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
