// Command confgw runs the conferencing gateway (serve) and speaks to a
// running one (every other command).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRoot().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "confgw:", err)
		stop()
		os.Exit(1)
	}
}
