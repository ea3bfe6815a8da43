package rtpsession

import (
	"testing"
	"time"
)

func TestConfigDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   time.Duration
		want time.Duration
	}{
		{"unset", 0, DefaultTimeout},
		{"negative", -time.Second, DefaultTimeout},
		{"set", 5 * time.Second, 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Config{Timeout: tt.in}
			c.normalise()
			if c.Timeout != tt.want {
				t.Errorf("Timeout %v, want %v", c.Timeout, tt.want)
			}
			if c.Logger == nil || c.Observer == nil || c.OnTimeout == nil || c.OnDigit == nil {
				t.Error("normalise left a hook nil that the session calls unconditionally")
			}
		})
	}
}
