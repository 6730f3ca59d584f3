package ratelimit

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Client is who sent a request, as far as the server can tell: the address
// of the connection, or behind a trusted proxy the address the proxy saw.
type Client struct {
	// IP is the client's address; invalid when unknown (a service called
	// outside HTTP).
	IP netip.Addr
	// HTTPS reports whether the client reached us over TLS: the connection
	// itself, or a trusted proxy saying so in X-Forwarded-Proto.
	HTTPS bool
}

// Key returns the key of per-IP limits: an IPv4 address, or the /64 network
// of an IPv6 address (one subscriber commonly holds a whole /64); "" when the
// address is unknown, which per-IP rules skip.
func (c Client) Key() string {
	switch {
	case !c.IP.IsValid():
		return ""
	case c.IP.Is4() || c.IP.Is4In6():
		return c.IP.Unmap().String()
	}
	p, _ := c.IP.Prefix(64)
	return p.String()
}

type clientKey struct{}

// WithClient returns ctx carrying the request's client.
func WithClient(ctx context.Context, c Client) context.Context {
	return context.WithValue(ctx, clientKey{}, c)
}

// ClientFrom returns the request's client; the zero Client outside a request.
func ClientFrom(ctx context.Context) Client {
	c, _ := ctx.Value(clientKey{}).(Client)
	return c
}

// Proxies are the addresses whose X-Forwarded-For and X-Forwarded-Proto
// headers are believed (TRUSTED_PROXIES): the load balancers in front of the
// server. From anyone else those headers are ignored, since any client can
// send them.
type Proxies []netip.Prefix

// ParseProxies reads a comma-separated list of addresses and CIDR networks
// ("10.0.0.0/8, 192.168.1.7, ::1").
func ParseProxies(s string) (Proxies, error) {
	var ps Proxies
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, fmt.Errorf("%q is not an address or CIDR network", f)
			}
			ps = append(ps, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address or CIDR network", f)
		}
		a = a.Unmap()
		ps = append(ps, netip.PrefixFrom(a, a.BitLen()))
	}
	return ps, nil
}

// Trusts reports whether a is one of the proxies.
func (ps Proxies) Trusts(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Client returns the client of r. The connection's address counts unless it
// is a trusted proxy; then X-Forwarded-For is read from the right (each proxy
// appends the address it saw), skipping trusted proxies, and the first other
// address is the client. A malformed entry stops the walk at the last address
// known good: whatever lies left of it the client may have written.
func (ps Proxies) Client(r *http.Request) Client {
	var c Client
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return Client{HTTPS: r.TLS != nil}
	}
	c.IP, c.HTTPS = ip.Unmap(), r.TLS != nil
	if !ps.Trusts(c.IP) {
		return c
	}
	if proto := r.Header.Get("X-Forwarded-Proto"); proto != "" {
		last := proto[strings.LastIndex(proto, ",")+1:]
		c.HTTPS = strings.EqualFold(strings.TrimSpace(last), "https")
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		c.IP = a.Unmap()
		if !ps.Trusts(c.IP) {
			break
		}
	}
	return c
}

// Middleware puts the client of each request in its context (ClientFrom).
func (ps Proxies) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(WithClient(r.Context(), ps.Client(r))))
	})
}
