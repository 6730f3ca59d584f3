package httpx

import (
	"net/http"

	"mlp/internal/ratelimit"
)

// Content-Security-Policy values. The API answers JSON that no page may
// frame or run; the GraphiQL page (development only) runs its own scripts,
// embedded in the binary (package graphiql), and talks to this server only
// ('self' covers its websocket too).
const (
	apiCSP      = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
	graphiqlCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; " +
		"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)

// SecureHeaders sets the security headers of every response: no MIME
// sniffing, no framing, no referrer, no caching of API answers (they carry
// personal data), a strict Content-Security-Policy (the GraphiQL page at
// graphiqlPath gets one that lets it run), and HSTS when the client reached
// us over TLS, directly or as a trusted proxy says (X-Forwarded-Proto; see
// ratelimit.Proxies). It must run inside the proxies' middleware.
func SecureHeaders(graphiqlPath string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		if r.URL.Path == graphiqlPath {
			h.Set("Content-Security-Policy", graphiqlCSP)
		} else {
			h.Set("Content-Security-Policy", apiCSP)
			h.Set("Cache-Control", "no-store")
		}
		if ratelimit.ClientFrom(r.Context()).HTTPS {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}
