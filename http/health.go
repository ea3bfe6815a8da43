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
