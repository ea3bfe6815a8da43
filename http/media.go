package http

import (
	"context"
	"errors"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/confgw/confgw/appaudio"
	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/webrtc"
)

// AppAudio answers app participants' WebRTC offers: the session it makes
// becomes the acting participant's audio in the conference.
type AppAudio interface {
	Join(ctx context.Context, c *conference.Conference, a conference.Actor, offer string) (session, answer string, err error)
}

// Codes of the media routes, which WHIP (RFC 9725) shapes: an SDP offer
// in, an SDP answer out.
const (
	codeInvalidSDP           conference.Code = "invalid_sdp"
	codeUnsupportedMediaType conference.Code = "unsupported_media_type"
	codeNoSupportedCodec     conference.Code = "no_supported_codec"
	codeAudioUnavailable     conference.Code = "app_audio_unavailable"
	codeAudioFull            conference.Code = "app_audio_full"
	codeTooManyOffers        conference.Code = "too_many_offers"
)

const sdpType = "application/sdp"

// joinAudio is WHIP's POST: the offer's participant is the token's, so
// nobody can open audio in another's name.
func (s *Server) joinAudio(c *gin.Context) {
	if s.appAudio == nil {
		s.fail(c, &conference.Error{Code: codeAudioUnavailable, Msg: "this gateway serves no app audio"})
		return
	}
	if mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err != nil || mt != sdpType {
		s.fail(c, &conference.Error{Code: codeUnsupportedMediaType, Msg: "send the offer as Content-Type: " + sdpType})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, MaxBodyBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		s.fail(c, errTooLarge)
		return
	case err != nil:
		s.fail(c, invalid("reading the offer: %v", err))
		return
	}
	conf := confOf(c)
	session, answer, err := s.appAudio.Join(c.Request.Context(), conf, actorOf(c), string(body))
	switch {
	case errors.Is(err, webrtc.ErrInvalidSDP):
		s.fail(c, &conference.Error{Code: codeInvalidSDP, Msg: err.Error()})
		return
	case errors.Is(err, webrtc.ErrNoSupportedCodec):
		s.fail(c, &conference.Error{Code: codeNoSupportedCodec, Msg: err.Error() + "; the gateway decodes opus, PCMU and PCMA"})
		return
	case errors.Is(err, appaudio.ErrTooManyOffers):
		var re *appaudio.RetryError
		wait := time.Second
		if errors.As(err, &re) {
			wait = re.After
		}
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		s.fail(c, &conference.Error{Code: codeTooManyOffers, Msg: "offers come too fast from this participant; wait before the next"})
		return
	case errors.Is(err, webrtc.ErrFull):
		s.fail(c, &conference.Error{Code: codeAudioFull, Msg: "the gateway holds as many app audio sessions as it is set to; try again shortly"})
		return
	case errors.Is(err, webrtc.ErrClosed):
		s.fail(c, &conference.Error{Code: conference.CodeShuttingDown, Msg: "the gateway is shutting down"})
		return
	case err != nil:
		s.fail(c, err)
		return
	}
	c.Header("Location", "/v1/conferences/"+conf.ID()+"/media/"+session)
	c.Data(http.StatusCreated, sdpType, []byte(answer))
}

// leaveAudio is WHIP's DELETE, by the session's participant or a host.
func (s *Server) leaveAudio(c *gin.Context) {
	if err := confOf(c).StopAudio(actorOf(c), c.Param("session")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
