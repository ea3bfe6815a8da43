package http

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/http/wire"
)

func (s *Server) createConference(c *gin.Context) {
	var req wire.NewConference
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	conf, err := s.reg.Create(conference.Spec{
		ID: req.ID, Title: req.Title, DialIn: req.DialIn, PIN: req.PIN, BreakoutEnabled: req.BreakoutEnabled,
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/v1/conferences/"+conf.ID())
	c.JSON(http.StatusCreated, conf.Info())
}

func (s *Server) getConference(c *gin.Context) {
	c.JSON(http.StatusOK, confOf(c).Info())
}

func (s *Server) patchConference(c *gin.Context) {
	var req wire.ConferenceChange
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if req.BreakoutEnabled == nil {
		s.fail(c, invalid("nothing to change: send {\"breakout_enabled\": true|false}"))
		return
	}
	conf := confOf(c)
	if err := conf.SetBreakout(actorOf(c), *req.BreakoutEnabled); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, conf.Info())
}

func (s *Server) endConference(c *gin.Context) {
	if err := s.reg.End(actorOf(c), c.Param("cid")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) dialOut(c *gin.Context) {
	var req wire.DialOut
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	conf := confOf(c)
	if err := conf.Authorize(actorOf(c)); err != nil {
		s.fail(c, err)
		return
	}
	if req.To == "" {
		s.fail(c, invalid("to is required: the number or SIP user to call"))
		return
	}
	if s.dialer == nil {
		s.fail(c, conference.ErrNoOutboundTrunk)
		return
	}
	p, err := s.dialer.DialOut(c.Request.Context(), conf, req.To)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, wire.Dialed{Participant: p})
}
