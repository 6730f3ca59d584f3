package ratelimit

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Rule is one limit: at most Limit attempts per Window in one bucket. Name
// prefixes the buckets of the rule (keys are hashed after it). A rule with a
// Limit of 0 is off: it never refuses and counts nothing.
type Rule struct {
	Name   string
	Limit  int
	Window time.Duration
}

// Off reports whether the rule never refuses.
func (r Rule) Off() bool { return r.Limit <= 0 }

// String writes the rule as ParseRule reads it ("10/15m0s", or "off").
func (r Rule) String() string {
	if r.Off() {
		return "off"
	}
	return strconv.Itoa(r.Limit) + "/" + r.Window.String()
}

// ParseRule reads "N/duration" (e.g. "10/15m", "20/24h") or "off" into a rule
// named name.
func ParseRule(name, s string) (Rule, error) {
	s = strings.TrimSpace(s)
	if s == "off" || s == "0" {
		return Rule{Name: name}, nil
	}
	n, d, ok := strings.Cut(s, "/")
	limit, err := strconv.Atoi(strings.TrimSpace(n))
	if !ok || err != nil || limit < 0 {
		return Rule{}, fmt.Errorf("want N/duration like 10/15m, or off; got %q", s)
	}
	window, err := time.ParseDuration(strings.TrimSpace(d))
	if err != nil || window <= 0 {
		return Rule{}, fmt.Errorf("want N/duration like 10/15m, or off; got %q", s)
	}
	return Rule{Name: name, Limit: limit, Window: window}, nil
}

// Rules are the limits of the API, one per kind of attempt. Each is
// configurable (internal/config, RATE_LIMIT_*); Defaults gives the values the
// README documents.
//
// Failed sign-ins are limited per (account, client IP), so that an attacker
// guessing from one address locks out only themself and not the account's
// owner, with a higher per-account ceiling against guessing from many
// addresses, and per client IP against password spraying (one address trying
// many accounts).
type Rules struct {
	LoginFailuresPerAccountIP Rule
	LoginFailuresPerAccount   Rule
	LoginFailuresPerIP        Rule
	RegisterPerIP             Rule
	RequestLegalHelpPerUser   Rule
	ClaimReferralPerUser      Rule
	PasswordResetPerEmail     Rule
	PasswordResetPerIP        Rule
	// SocketsPerUser bounds the websockets one user holds open at once,
	// across every instance (a lease each, see Limiter.Acquire).
	SocketsPerUser Rule
}

// Defaults returns the documented default limits.
func Defaults() Rules {
	return Rules{
		LoginFailuresPerAccountIP: Rule{Name: "login-account-ip", Limit: 10, Window: 15 * time.Minute},
		LoginFailuresPerAccount:   Rule{Name: "login-account", Limit: 100, Window: 15 * time.Minute},
		LoginFailuresPerIP:        Rule{Name: "login-ip", Limit: 100, Window: 15 * time.Minute},
		RegisterPerIP:             Rule{Name: "register-ip", Limit: 10, Window: time.Hour},
		RequestLegalHelpPerUser:   Rule{Name: "request-help-user", Limit: 20, Window: 24 * time.Hour},
		ClaimReferralPerUser:      Rule{Name: "referral-claim", Limit: 10, Window: time.Hour},
		PasswordResetPerEmail:     Rule{Name: "password-reset-email", Limit: 5, Window: time.Hour},
		PasswordResetPerIP:        Rule{Name: "password-reset-ip", Limit: 20, Window: time.Hour},
		SocketsPerUser:            Rule{Name: "sockets-user", Limit: 10, Window: 90 * time.Second},
	}
}
