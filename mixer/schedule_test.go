package mixer

import (
	"testing"
	"time"
)

func TestTicksDue(t *testing.T) {
	due := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ms := time.Millisecond
	tests := []struct {
		name     string
		now      time.Duration // after due
		wantN    int
		wantNext time.Duration // after due
	}{
		{"woken early", -ms, 0, 0},
		{"on time", 0, 1, 20 * ms},
		{"a little late", 7 * ms, 1, 20 * ms},
		{"one tick missed", 20 * ms, 2, 40 * ms},
		{"catch up to the bound", 5*20*ms + 19*ms, 6, 120 * ms},
		{"past the bound drops the backlog", 6*20*ms + 3*ms, 1, 140 * ms},
		{"long stall keeps phase", 10*time.Second + 5*ms, 1, 10*time.Second + 20*ms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, next := ticksDue(due, due.Add(tt.now))
			if n != tt.wantN || !next.Equal(due.Add(tt.wantNext)) {
				t.Errorf("ticksDue = %d, due+%v; want %d, due+%v", n, next.Sub(due), tt.wantN, tt.wantNext)
			}
		})
	}
}
