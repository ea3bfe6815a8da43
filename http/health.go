package http

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// healthz answers 200 only while every part serves: a gateway whose SIP or
// WebRTC side has died still answers HTTP, and a load balancer or
// supervisor asking here must see it as down.
func (s *Server) healthz(c *gin.Context) {
	parts := map[string]string{"http": "ok"}
	status, code := "ok", http.StatusOK
	if s.health != nil {
		for name, up := range s.health() {
			parts[name] = "ok"
			if !up {
				parts[name] = "down"
				status, code = "down", http.StatusServiceUnavailable
			}
		}
	}
	c.JSON(code, gin.H{"status": status, "parts": parts})
}

// readyz answers 503 while the gateway sheds new calls, with the reason,
// and 200 while it takes them: a load balancer asking here sends new calls
// elsewhere, while /healthz keeps saying the gateway itself is fine, so no
// supervisor restarts it and drops the calls it still carries.
func (s *Server) readyz(c *gin.Context) {
	if s.shedding != nil {
		if reason := s.shedding(); reason != "" {
			c.JSON(http.StatusServiceUnavailable, gin.H{"status": "shedding", "reason": reason})
			return
		}
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}
