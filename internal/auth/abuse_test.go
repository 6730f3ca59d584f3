package auth_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"mlp/internal/app"
	"mlp/internal/apptest"
	"mlp/internal/ratelimit"
	"mlp/models"
)

const loginMutation = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`

var nextIP atomic.Int32

// freshIP returns a client address no other test uses (TEST-NET-3 and
// beyond, 203.0.x.y).
func freshIP() string {
	n := nextIP.Add(1)
	return fmt.Sprintf("203.%d.%d.%d", 1+n/65536%200, n/256%256, n%256)
}

func loginFrom(t *testing.T, s *apptest.Server, ip, email, password string) *apptest.Response {
	t.Helper()
	return s.DoFrom(t, ip, "", loginMutation, map[string]any{"e": email, "p": password})
}

// TestLoginLimitsPerAccountAndAddress: 10 failures per (account, address) in
// 15 minutes, then RATE_LIMITED from that address only, so a guesser cannot
// lock the owner out; 100 per address whatever the account (password
// spraying); and a per-account ceiling against guesses from many addresses.
func TestLoginLimitsPerAccountAndAddress(t *testing.T) {
	t.Parallel()
	rules := ratelimit.Defaults()
	rules.LoginFailuresPerAccount.Limit = 25 // a smaller ceiling, so that the test is short
	s := apptest.New(t, apptest.WithRateLimits(rules))

	t.Run("GuesserIsLimitedNotTheOwner", func(t *testing.T) {
		u, _ := s.User(t, models.RolePatient, nil)
		attacker, owner := freshIP(), freshIP()
		for range 10 {
			loginFrom(t, s, attacker, u.Email, "not the right password").MustCode(t, "UNAUTHENTICATED")
		}
		loginFrom(t, s, attacker, u.Email, "not the right password").MustCode(t, "RATE_LIMITED")
		loginFrom(t, s, attacker, u.Email, apptest.Password).MustCode(t, "RATE_LIMITED")
		loginFrom(t, s, owner, u.Email, apptest.Password).MustOK(t)
	})
	t.Run("PasswordSprayingFromOneAddress", func(t *testing.T) {
		ip := freshIP()
		for i := range 100 {
			r := loginFrom(t, s, ip, freshEmail(fmt.Sprint("spray", i)), "Winter2026!Winter")
			r.MustCode(t, "UNAUTHENTICATED")
		}
		r := loginFrom(t, s, ip, freshEmail("spray-101"), "Winter2026!Winter").MustCode(t, "RATE_LIMITED")
		if secs := r.Errors[0].Extensions["retryAfterSeconds"].(float64); secs < 1 || secs > 900 {
			t.Fatalf("retryAfterSeconds = %v", secs)
		}
		// Another address is not limited.
		loginFrom(t, s, freshIP(), freshEmail("spray-other"), "Winter2026!Winter").MustCode(t, "UNAUTHENTICATED")
	})
	t.Run("CeilingPerAccountAcrossAddresses", func(t *testing.T) {
		u, _ := s.User(t, models.RolePatient, nil)
		for range 5 { // 5 addresses, 5 guesses each: 25, the ceiling
			ip := freshIP()
			for range 5 {
				loginFrom(t, s, ip, u.Email, "not the right password").MustCode(t, "UNAUTHENTICATED")
			}
		}
		loginFrom(t, s, freshIP(), u.Email, "not the right password").MustCode(t, "RATE_LIMITED")
	})
	t.Run("IPv6ClientsCountPerSlash64", func(t *testing.T) {
		u, _ := s.User(t, models.RolePatient, nil)
		for i := range 10 {
			loginFrom(t, s, fmt.Sprintf("2001:db8:77::%x", i+1), u.Email, "not the right password").MustCode(t, "UNAUTHENTICATED")
		}
		loginFrom(t, s, "2001:db8:77::ffff", u.Email, apptest.Password).MustCode(t, "RATE_LIMITED")
		loginFrom(t, s, "2001:db8:78::1", u.Email, apptest.Password).MustOK(t)
	})
}

// TestRegisterLimitPerAddress: 10 accounts an hour from one address; the
// 11th is RATE_LIMITED and nothing is written; another address goes on.
func TestRegisterLimitPerAddress(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.WithRateLimits(ratelimit.Defaults()))
	const mutation = `mutation($in: RegisterInput!) { register(input: $in) { accessToken } }`
	in := func(email string) map[string]any {
		return map[string]any{"in": map[string]any{"email": email, "password": "a long enough password", "displayName": "Pat"}}
	}
	ip := freshIP()
	// Invalid attempts cost nothing.
	s.DoFrom(t, ip, "", mutation, in("not an email")).MustCode(t, "BAD_USER_INPUT")
	for i := range 10 {
		s.DoFrom(t, ip, "", mutation, in(freshEmail(fmt.Sprint("reg", i)))).MustOK(t)
	}
	email := freshEmail("reg-11")
	s.DoFrom(t, ip, "", mutation, in(email)).MustCode(t, "RATE_LIMITED")
	var n int64
	s.DB.Model(&models.User{}).Where("email = ?", email).Count(&n)
	if n != 0 {
		t.Fatal("a refused registration wrote its user")
	}
	s.DoFrom(t, freshIP(), "", mutation, in(email)).MustOK(t)
}

// TestUntrustedForwardedForIsIgnored: a client that is not a trusted proxy
// cannot pick its address by sending X-Forwarded-For.
func TestUntrustedForwardedForIsIgnored(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.WithRateLimits(ratelimit.Defaults()), func(o *app.Options) { o.TrustedProxies = nil })
	u, _ := s.User(t, models.RolePatient, nil)
	for range 10 {
		loginFrom(t, s, freshIP(), u.Email, "not the right password").MustCode(t, "UNAUTHENTICATED")
	}
	// All ten came from 127.0.0.1, whatever the header said.
	loginFrom(t, s, freshIP(), u.Email, apptest.Password).MustCode(t, "RATE_LIMITED")
}
