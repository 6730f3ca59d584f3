package httpx

import (
	"context"
	"net/http"
	"time"
)

// DefaultRequestTimeout is the deadline of a request (REQUEST_TIMEOUT).
const DefaultRequestTimeout = 10 * time.Second

// Deadline runs every request but websocket upgrades (which live as long as
// their token) under a deadline of d: the statements it runs carry the
// context, so PostgreSQL is told to stop at the deadline too, and the answer
// is UNAVAILABLE rather than a wait without end.
func Deadline(d time.Duration, next http.Handler) http.Handler {
	if d <= 0 {
		d = DefaultRequestTimeout
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" {
			next.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
