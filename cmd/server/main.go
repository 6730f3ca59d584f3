// Command server runs the medical-legal partnership API.
//
//	server            migrate, seed (development) and serve
//	server migrate    up | down | status
//	server audit      verify: check the audit trail's hash chain
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// gcPercent is the server's GOGC unless the environment sets one. A GraphQL
// answer allocates a few megabytes that die with the request while the live
// heap stays small (tens of megabytes), so at Go's default of 100 the
// collector runs very often and took a third of the CPU under load; at 400
// it runs a quarter as often for a few more megabytes of heap (see README,
// Performance).
const gcPercent = 400

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}
