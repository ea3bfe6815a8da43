package http

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/http/wire"
)

func (s *Server) addParticipant(c *gin.Context) {
	var req wire.NewParticipant
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	conf := confOf(c)
	p, err := conf.AddApp(actorOf(c), conference.AppSpec{Name: req.Name, Role: req.Role, ClientVersion: req.ClientVersion})
	if err != nil {
		s.fail(c, err)
		return
	}
	tok, err := s.tokens.Issue(conf.ID(), p.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, wire.Joined{Participant: p, Token: tok})
}

func (s *Server) listParticipants(c *gin.Context) {
	c.JSON(http.StatusOK, wire.Participants{Participants: confOf(c).ParticipantsFor(actorOf(c))})
}

func (s *Server) getParticipant(c *gin.Context) {
	p, err := confOf(c).ParticipantFor(actorOf(c), c.Param("pid"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (s *Server) removeParticipant(c *gin.Context) {
	ban, err := banQuery(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if ban != nil {
		err = confOf(c).RemoveAndBan(actorOf(c), c.Param("pid"), *ban)
	} else {
		err = confOf(c).Remove(actorOf(c), c.Param("pid"))
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) moveParticipant(c *gin.Context) {
	var req wire.Move
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if req.Room == "" {
		s.fail(c, invalid("room is required: \"main\" or a breakout room number"))
		return
	}
	p, err := confOf(c).Move(actorOf(c), c.Param("pid"), req.Room)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

// banQuery reads ?ban= and ?reason= of a removal: nil when no ban is
// asked for. A reason without a ban is refused rather than dropped.
func banQuery(c *gin.Context) (*conference.BanSpec, error) {
	reason, hasReason := c.GetQuery(wire.BanReasonQuery)
	v, ok := c.GetQuery(wire.BanQuery)
	ban := false
	if ok {
		var err error
		if ban, err = strconv.ParseBool(v); err != nil {
			return nil, invalid("ban must be true or false, not %q", v)
		}
	}
	if !ban {
		if hasReason {
			return nil, invalid("reason goes with ban=true only")
		}
		return nil, nil
	}
	return &conference.BanSpec{Reason: reason}, nil
}

func (s *Server) hangUp(c *gin.Context) {
	var req wire.HangUp
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	var err error
	switch {
	case req.Ban:
		err = confOf(c).HangUpAndBan(actorOf(c), c.Param("pid"), conference.BanSpec{Reason: req.Reason})
	case req.Reason != "":
		err = invalid("reason goes with \"ban\": true only")
	default:
		err = confOf(c).HangUp(actorOf(c), c.Param("pid"))
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) setHost(host bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := decode(c, &struct{}{}); err != nil {
			s.fail(c, err)
			return
		}
		p, err := confOf(c).SetHost(actorOf(c), c.Param("pid"), host)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusOK, p)
	}
}

func (s *Server) mute(c *gin.Context) {
	var req wire.Mute
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	p, err := confOf(c).Mute(actorOf(c), c.Param("pid"), req.Lock)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (s *Server) unmute(c *gin.Context) {
	if err := decode(c, &struct{}{}); err != nil {
		s.fail(c, err)
		return
	}
	p, err := confOf(c).Unmute(actorOf(c), c.Param("pid"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

// flag answers the routes of a participant's hand and help mark, which
// take no body and return the participant.
func (s *Server) flag(set func(*conference.Conference, conference.Actor, string) (conference.Participant, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := decode(c, &struct{}{}); err != nil {
			s.fail(c, err)
			return
		}
		p, err := set(confOf(c), actorOf(c), c.Param("pid"))
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusOK, p)
	}
}

func (s *Server) listBans(c *gin.Context) {
	bans, err := confOf(c).Bans(actorOf(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, wire.Bans{Bans: bans})
}

func (s *Server) liftBan(c *gin.Context) {
	if err := confOf(c).Unban(actorOf(c), c.Param("number")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
