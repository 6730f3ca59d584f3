package app_test

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"mlp/internal/apptest"
)

func TestCompression(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	// The development schema's introspection: tens of kB of JSON.
	const big = `{"query":"{ __schema { types { name description fields { name description } } } }"}`
	send := func(t *testing.T, body, encoding string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if encoding != "" {
			req.Header.Set("Accept-Encoding", encoding) // set by hand: the transport then does not decompress
		}
		resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	t.Run("GzipWhenAccepted", func(t *testing.T) {
		resp, b := send(t, big, "gzip, deflate, br")
		if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Accept-Encoding") {
			t.Fatalf("headers %v", resp.Header)
		}
		zr, err := gzip.NewReader(strings.NewReader(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		var out apptest.Response
		if err := json.Unmarshal(plain, &out); err != nil || len(out.Errors) != 0 || len(plain) < 3*len(b) {
			t.Fatalf("err %v, errors %v, %d bytes plain from %d compressed", err, out.Errors, len(plain), len(b))
		}
	})
	t.Run("PlainWhenNotAccepted", func(t *testing.T) {
		resp, b := send(t, big, "")
		if resp.Header.Get("Content-Encoding") != "" || !json.Valid(b) {
			t.Fatalf("content-encoding %q", resp.Header.Get("Content-Encoding"))
		}
	})
	t.Run("SmallAnswersPlain", func(t *testing.T) {
		resp, b := send(t, `{"query":"{ __typename }"}`, "gzip")
		if resp.Header.Get("Content-Encoding") != "" || !json.Valid(b) {
			t.Fatalf("content-encoding %q for %d bytes", resp.Header.Get("Content-Encoding"), len(b))
		}
	})
	t.Run("WebsocketsStillUpgrade", func(t *testing.T) {
		if got := dialStatus(t, s, ""); got != http.StatusSwitchingProtocols {
			t.Fatalf("status %d", got)
		}
	})
}
