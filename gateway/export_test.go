package gateway

import "context"

// SetBeforeAnswer holds dial-in calls in f just before they are answered.
func SetBeforeAnswer(g *Gateway, f func(ctx context.Context)) { g.beforeAnswer.Store(&f) }
