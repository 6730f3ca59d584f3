package httpx

import (
	"net/http"

	"github.com/klauspost/compress/gzhttp"
)

// Compress gzips responses of at least 1 kB (gzhttp's default minimum; a
// mobile client's case list is about 100 kB of JSON) for clients that send
// Accept-Encoding: gzip, with Vary: Accept-Encoding. Smaller answers, such
// as login's tokens, go uncompressed, which also keeps short secrets out of
// reach of compression side channels. Websocket upgrades pass untouched.
func Compress(next http.Handler) http.Handler {
	gz := gzhttp.GzipHandler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" {
			next.ServeHTTP(w, r)
			return
		}
		gz.ServeHTTP(w, r)
	})
}
