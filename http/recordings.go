package http

import (
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/confgw/confgw/conference"
)

// RecordingFile describes one recorded WAV file.
type RecordingFile struct {
	ID         string     `json:"id"`
	StartedAt  time.Time  `json:"started_at"`
	StoppedAt  *time.Time `json:"stopped_at,omitempty"`
	Bytes      int64      `json:"bytes"`
	DurationMS int64      `json:"duration_ms"`
}

// Recordings is where recorded files are kept.
type Recordings interface {
	List(conferenceID string) ([]RecordingFile, error)
	Open(conferenceID, recordingID string) (io.ReadSeekCloser, RecordingFile, error)
}

// Recordings hold what was said in a meeting: hosts and the admin only.
func (s *Server) listRecordings(c *gin.Context) {
	conf := confOf(c)
	if err := conf.Authorize(actorOf(c)); err != nil {
		s.fail(c, err)
		return
	}
	files := []RecordingFile{}
	if s.recordings != nil {
		var err error
		if files, err = s.recordings.List(conf.ID()); err != nil {
			s.fail(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, gin.H{"recordings": files})
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
	if err != nil {
		s.fail(c, err)
		return
	}
	defer f.Close()
	c.Header("Content-Type", "audio/wav")
	c.Header("Content-Disposition", `attachment; filename="`+info.ID+`.wav"`)
	http.ServeContent(c.Writer, c.Request, info.ID+".wav", info.StartedAt, f)
}
