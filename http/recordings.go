package http

import (
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/http/wire"
	"github.com/confgw/confgw/recording"
)

// Recordings is where recorded files are kept (a *recording.Store).
type Recordings interface {
	List(conferenceID string) ([]recording.Info, error)
	Open(conferenceID, recordingID string) (io.ReadSeekCloser, recording.Info, error)
}

const codeRecordingInProgress conference.Code = "recording_in_progress"

// Recordings hold what was said in a meeting: hosts and the admin only.
func (s *Server) listRecordings(c *gin.Context) {
	conf := confOf(c)
	if err := conf.Authorize(actorOf(c)); err != nil {
		s.fail(c, err)
		return
	}
	files := []recording.Info{}
	if s.recordings != nil {
		list, err := s.recordings.List(conf.ID())
		if err != nil {
			s.fail(c, err)
			return
		}
		files = append(files, list...)
	}
	c.JSON(http.StatusOK, wire.Recordings{Recordings: files})
}

func (s *Server) downloadRecording(c *gin.Context) {
	conf := confOf(c)
	if err := conf.Authorize(actorOf(c)); err != nil {
		s.fail(c, err)
		return
	}
	if s.recordings == nil {
		s.fail(c, &conference.Error{Code: conference.CodeNotFound, Msg: "no recording " + c.Param("rid")})
		return
	}
	f, info, err := s.recordings.Open(conf.ID(), c.Param("rid"))
	switch {
	case errors.Is(err, recording.ErrNotFound):
		s.fail(c, &conference.Error{Code: conference.CodeNotFound, Msg: "no recording " + c.Param("rid")})
		return
	case errors.Is(err, recording.ErrInProgress):
		s.fail(c, &conference.Error{Code: codeRecordingInProgress, Msg: "recording " + c.Param("rid") + " is still running: stop it first"})
		return
	case err != nil:
		s.fail(c, err)
		return
	}
	defer f.Close()
	c.Header("Content-Type", "audio/wav")
	c.Header("Content-Disposition", `attachment; filename="`+info.ID+`.wav"`)
	http.ServeContent(c.Writer, c.Request, info.ID+".wav", info.Started, f)
}
