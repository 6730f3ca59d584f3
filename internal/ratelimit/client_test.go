package ratelimit_test

import (
	"crypto/tls"
	"net/http/httptest"
	"testing"

	"mlp/internal/ratelimit"
)

func TestClient(t *testing.T) {
	t.Parallel()
	proxies, err := ratelimit.ParseProxies("10.0.0.0/8, 192.168.1.7,::1")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, remote, xff, proto string
		tls                      bool
		ip                       string
		https                    bool
	}{
		{"DirectClient", "198.51.100.4:5555", "", "", false, "198.51.100.4", false},
		{"UntrustedPeerCannotForge", "198.51.100.4:5555", "1.2.3.4", "https", false, "198.51.100.4", false},
		{"BehindOneProxy", "10.1.2.3:80", "198.51.100.9", "https", false, "198.51.100.9", true},
		{"RightmostUntrustedWins", "10.1.2.3:80", "6.6.6.6, 198.51.100.9, 10.9.9.9", "", false, "198.51.100.9", false},
		{"MalformedHopStopsTheWalk", "10.1.2.3:80", "6.6.6.6, bogus, 10.9.9.9", "", false, "10.9.9.9", false},
		{"OnlyProxies", "192.168.1.7:80", "10.0.0.1", "", false, "10.0.0.1", false},
		{"IPv6Proxy", "[::1]:80", "2001:db8::5", "", false, "2001:db8::5", false},
		{"MappedIPv4", "[::ffff:198.51.100.4]:1", "", "", false, "198.51.100.4", false},
		{"TLSConnection", "198.51.100.4:5555", "", "", true, "198.51.100.4", true},
		{"LastProtoCounts", "10.1.2.3:80", "198.51.100.9", "https, http", false, "198.51.100.9", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/graphql", nil)
			r.RemoteAddr = tt.remote
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			if tt.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tt.proto)
			}
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			c := proxies.Client(r)
			if c.IP.String() != tt.ip || c.HTTPS != tt.https {
				t.Fatalf("client = %v https=%v, want %s https=%v", c.IP, c.HTTPS, tt.ip, tt.https)
			}
		})
	}
}

func TestClientKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"198.51.100.4:1":          "198.51.100.4",
		"[2001:db8:1:2:3::9]:1":   "2001:db8:1:2::/64",
		"[::ffff:198.51.100.4]:1": "198.51.100.4",
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = in
		if got := ratelimit.Proxies(nil).Client(r).Key(); got != want {
			t.Errorf("Key(%s) = %q, want %q", in, got, want)
		}
	}
	if k := (ratelimit.Client{}).Key(); k != "" {
		t.Errorf("unknown client key = %q", k)
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	if _, err := ratelimit.ParseProxies("10.0.0.0/8,nonsense"); err == nil {
		t.Error("ParseProxies accepted nonsense")
	}
	r, err := ratelimit.ParseRule("x", "10/15m")
	if err != nil || r.Limit != 10 || r.Window.Minutes() != 15 || r.Name != "x" {
		t.Errorf("ParseRule = %+v, %v", r, err)
	}
	if r, err := ratelimit.ParseRule("x", "off"); err != nil || !r.Off() {
		t.Errorf("ParseRule(off) = %+v, %v", r, err)
	}
	for _, bad := range []string{"10", "ten/1h", "10/forever", "10/-1h", "-1/1h"} {
		if _, err := ratelimit.ParseRule("x", bad); err == nil {
			t.Errorf("ParseRule(%q) accepted", bad)
		}
	}
}
