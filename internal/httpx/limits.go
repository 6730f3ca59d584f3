package httpx

import (
	"context"
	"net/http"
	"time"

	"mlp/internal/caller"
)

// DefaultRequestTimeout is the deadline of a request (REQUEST_TIMEOUT).
const DefaultRequestTimeout = 10 * time.Second

// Deadline runs every request but websocket upgrades (which live as long as
// their token) under a deadline of d: the statements it runs carry the
// context, so PostgreSQL is told to stop at the deadline too, and the answer
// is UNAVAILABLE rather than a wait without end.
//
// The deadline is the only end of a request's work: a client that hangs up
// (a phone losing its network) does not cancel it. A mutation under way then
// commits or fails whole, and its retry with the same idempotency key finds
// it; and no connection is lost, where a statement cancelled mid-flight costs
// its pooled connection and PostgreSQL a new backend (cmd/soak, with 10% of
// its requests dropped, spent a good part of its latency so). Waits that
// have started nothing give up when the client leaves (caller.Gone), and the
// request log still says it went away (Observe).
func Deadline(d time.Duration, next http.Handler) http.Handler {
	if d <= 0 {
		d = DefaultRequestTimeout
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" {
			next.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithTimeout(caller.WithClient(context.WithoutCancel(r.Context()), r.Context()), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
