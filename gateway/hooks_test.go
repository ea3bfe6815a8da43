package gateway_test

import (
	"context"

	"github.com/confgw/confgw/gateway"
)

func gatewaySetBeforeAnswer(h *harness, f func(ctx context.Context)) {
	gateway.SetBeforeAnswer(h.gw, f)
}
