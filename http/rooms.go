package http

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/http/wire"
)

func (s *Server) listRooms(c *gin.Context) {
	c.JSON(http.StatusOK, wire.Rooms{Rooms: confOf(c).RoomsFor(actorOf(c))})
}

func (s *Server) getRoom(c *gin.Context) {
	id, err := conference.ParseRoomID(c.Param("room"))
	if err != nil {
		s.fail(c, err)
		return
	}
	for _, r := range confOf(c).RoomsFor(actorOf(c)) {
		if r.ID == id {
			c.JSON(http.StatusOK, r)
			return
		}
	}
	s.fail(c, &conference.Error{Code: conference.CodeNotFound, Msg: "no room " + id})
}

func (s *Server) addRoom(c *gin.Context) {
	if err := decode(c, &struct{}{}); err != nil {
		s.fail(c, err)
		return
	}
	r, err := confOf(c).AddRoom(actorOf(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, r)
}

func (s *Server) renameRoom(c *gin.Context) {
	if err := confOf(c).Rename(actorOf(c), c.Param("room")); err != nil {
		s.fail(c, err)
	}
}

func (s *Server) deleteRoom(c *gin.Context) {
	if err := confOf(c).DeleteRoom(actorOf(c), c.Param("room")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) joinRoom(c *gin.Context) {
	if err := decode(c, &struct{}{}); err != nil {
		s.fail(c, err)
		return
	}
	p, err := confOf(c).Join(actorOf(c), c.Param("room"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (s *Server) startRecording(c *gin.Context) {
	if err := decode(c, &struct{}{}); err != nil {
		s.fail(c, err)
		return
	}
	rec, err := confOf(c).StartRecording(actorOf(c), c.Param("room"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, wire.RecordingStarted{Recording: rec})
}

func (s *Server) stopRecording(c *gin.Context) {
	if err := confOf(c).StopRecording(actorOf(c), c.Param("room")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) muteRoom(c *gin.Context) {
	var req wire.Mute
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	ps, err := confOf(c).MuteRoom(actorOf(c), c.Param("room"), req.Lock)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, wire.Participants{Participants: ps})
}
