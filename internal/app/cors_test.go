package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"mlp/internal/app"
	"mlp/internal/apptest"
)

const consoleOrigin = "https://console.example.org"

func withOrigins(origins ...string) apptest.Option {
	return func(o *app.Options) { o.AllowedOrigins = origins }
}

func preflight(t *testing.T, s *apptest.Server, origin string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodOptions, s.URL+"/graphql", nil)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func dialStatus(t *testing.T, s *apptest.Server, origin string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	conn, resp, err := websocket.Dial(ctx, strings.Replace(s.URL, "http", "ws", 1)+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: h})
	if err == nil {
		_ = conn.Close(websocket.StatusNormalClosure, "")
	}
	if resp == nil {
		t.Fatalf("dial: %v", err)
	}
	return resp.StatusCode
}

func TestCORS(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, withOrigins(consoleOrigin))

	t.Run("PreflightFromAllowedOrigin", func(t *testing.T) {
		resp := preflight(t, s, consoleOrigin)
		if resp.StatusCode/100 != 2 || resp.Header.Get("Access-Control-Allow-Origin") != consoleOrigin {
			t.Fatalf("status %d, allow-origin %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
		}
		if got := strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers")); !strings.Contains(got, "authorization") || !strings.Contains(got, "content-type") {
			t.Fatalf("allow-headers %q", got)
		}
		if resp.Header.Get("Access-Control-Allow-Credentials") != "" {
			t.Fatal("credentials allowed: tokens travel in headers, never cookies")
		}
	})
	t.Run("PreflightFromOtherOriginHasNoAllowOrigin", func(t *testing.T) {
		resp := preflight(t, s, "https://evil.example.com")
		if v := resp.Header.Get("Access-Control-Allow-Origin"); v != "" {
			t.Fatalf("allow-origin %q for an origin not in the list", v)
		}
	})
	t.Run("PostFromAllowedOriginIsReadable", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", strings.NewReader(`{"query":"{ legalPartners { name } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", consoleOrigin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != consoleOrigin ||
			!strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "X-Request-Id") {
			t.Fatalf("status %d, headers %v", resp.StatusCode, resp.Header)
		}
	})
	t.Run("NoOriginsConfiguredAllowsNone", func(t *testing.T) {
		none := apptest.New(t)
		if v := preflight(t, none, consoleOrigin).Header.Get("Access-Control-Allow-Origin"); v != "" {
			t.Fatalf("allow-origin %q with no origins configured", v)
		}
		if got := dialStatus(t, none, consoleOrigin); got != http.StatusForbidden {
			t.Fatalf("websocket from a foreign origin with none configured: %d", got)
		}
	})
	t.Run("WebsocketFromAllowedOrigin", func(t *testing.T) {
		if got := dialStatus(t, s, consoleOrigin); got != http.StatusSwitchingProtocols {
			t.Fatalf("status %d", got)
		}
	})
	t.Run("WebsocketWithoutOriginNativeApp", func(t *testing.T) {
		if got := dialStatus(t, s, ""); got != http.StatusSwitchingProtocols {
			t.Fatalf("status %d", got)
		}
	})
	t.Run("WebsocketFromOtherOriginRefused", func(t *testing.T) {
		for _, o := range []string{"https://evil.example.com", "http://console.example.org", "https://console.example.org.evil.com"} {
			if got := dialStatus(t, s, o); got != http.StatusForbidden {
				t.Fatalf("%s: status %d", o, got)
			}
		}
	})
}
