package app_test

import (
	"net/http"
	"strings"
	"testing"

	"mlp/internal/apptest"
)

// TestSecurityHeaders: every response says nosniff, no framing and no
// referrer; API answers are not cached and carry a CSP that allows nothing;
// the GraphiQL page gets its own CSP; HSTS only when the client came over
// TLS (a trusted proxy's X-Forwarded-Proto here).
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	get := func(t *testing.T, path string, header map[string]string) http.Header {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.Header
	}
	for _, path := range []string{"/graphql?query=%7B__typename%7D", "/healthz", "/readyz", "/"} {
		h := get(t, path, nil)
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" ||
			h.Get("Referrer-Policy") != "no-referrer" || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
			h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: headers %v", path, h)
		}
		if api := path != "/"; api != (h.Get("Cache-Control") == "no-store") || api != strings.HasPrefix(h.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Errorf("%s: Cache-Control %q, CSP %q", path, h.Get("Cache-Control"), h.Get("Content-Security-Policy"))
		}
	}
	if h := get(t, "/healthz", map[string]string{"X-Forwarded-Proto": "https"}); !strings.HasPrefix(h.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("no HSTS behind a TLS proxy: %v", h)
	}
}
