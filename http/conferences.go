package http

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

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
		Keypad: req.Keypad,
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/v1/conferences/"+conf.ID())
	c.JSON(http.StatusCreated, conf.Info())
}

// listConferences pages by id rather than by offset, so that conferences
// created or ended between two pages neither repeat nor go missing from
// the ones that stay.
func (s *Server) listConferences(c *gin.Context) {
	limit := wire.ConferencePageDefault
	if v, ok := c.GetQuery("limit"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > wire.ConferencePageMax {
			s.fail(c, invalid("limit %q must be a whole number from 1 to %d", v, wire.ConferencePageMax))
			return
		}
		limit = n
	}
	after := c.Query("after")
	all := s.reg.List()
	start, _ := slices.BinarySearchFunc(all, after, func(conf *conference.Conference, id string) int {
		return strings.Compare(conf.ID(), id)
	})
	if start < len(all) && all[start].ID() == after {
		start++
	}
	page := wire.ConferencePage{Conferences: []conference.Info{}}
	for _, conf := range all[start:min(start+limit, len(all))] {
		page.Conferences = append(page.Conferences, conf.Info())
	}
	if start+limit < len(all) {
		page.Next = all[start+limit-1].ID()
	}
	c.JSON(http.StatusOK, page)
}

func (s *Server) getConference(c *gin.Context) {
	c.JSON(http.StatusOK, confOf(c).InfoFor(actorOf(c)))
}

func (s *Server) patchConference(c *gin.Context) {
	var req wire.ConferenceChange
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if req.BreakoutEnabled == nil && req.Keypad == nil {
		s.fail(c, invalid("nothing to change: send {\"breakout_enabled\": true|false} or {\"keypad\": true|false}"))
		return
	}
	conf := confOf(c)
	if err := conf.Configure(actorOf(c), conference.Settings{Breakout: req.BreakoutEnabled, Keypad: req.Keypad}); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, conf.InfoFor(actorOf(c)))
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
	// Before the trunk is asked for anything: a banned number is not rung.
	if conf.Banned(req.To) {
		s.fail(c, &conference.Error{Code: conference.CodeBanned, Msg: fmt.Sprintf("%s is banned from this conference: lift the ban first", req.To)})
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
