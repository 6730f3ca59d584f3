package httpx

import (
	"net/http"
	"strings"
	"time"

	"github.com/rs/cors"
)

// CORS lets browser pages on the allowed origins (exact scheme://host[:port],
// see config.CORSAllowedOrigins) call the API: preflights are answered and
// responses carry Access-Control-Allow-Origin for those origins only; with no
// origins, no cross-origin page may read an answer. The apps send their
// token in the Authorization header, never in a cookie, so credentials are
// not allowed (and never with "*", which the configuration refuses anyway).
// Websocket upgrades are checked against the same list where they are
// accepted (graph.ServerOptions.AllowedOrigins); a request without an Origin
// header (a native app) is not a browser's and passes.
func CORS(origins []string, next http.Handler) http.Handler {
	allowed := make(map[string]bool, len(origins))
	for _, o := range origins {
		allowed[o] = true
	}
	c := cors.New(cors.Options{
		// A function, not AllowedOrigins: rs/cors reads an empty list as "*".
		AllowOriginFunc: func(origin string) bool { return allowed[strings.ToLower(origin)] },
		AllowedMethods:  []string{http.MethodGet, http.MethodPost},
		AllowedHeaders: []string{
			"Authorization", "Content-Type", "Accept", "Accept-Language", "X-Request-ID",
			// Apollo Client's optional headers (CSRF preventer, client awareness).
			"Apollo-Require-Preflight", "Apollographql-Client-Name", "Apollographql-Client-Version",
		},
		ExposedHeaders:   []string{"X-Request-ID", "Retry-After"},
		AllowCredentials: false,
		MaxAge:           int((10 * time.Minute).Seconds()),
	})
	return c.Handler(next)
}
