package config

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"mlp/internal/ratelimit"
)

// Environment variable names of the server's limits (hardening).
const (
	KeyTrustedProxies         = "TRUSTED_PROXIES"
	KeyRequestTimeout         = "REQUEST_TIMEOUT"
	KeyDBAcquireTimeout       = "DB_ACQUIRE_TIMEOUT"
	KeyLogBuffer              = "LOG_BUFFER_LINES"
	KeyGraphQLMaxTokens       = "GRAPHQL_MAX_TOKENS"
	KeyGraphQLMaxFields       = "GRAPHQL_MAX_FIELDS"
	KeyGraphQLMaxDepth        = "GRAPHQL_MAX_DEPTH"
	KeyGraphQLMaxAliases      = "GRAPHQL_MAX_ALIASES"
	KeyGraphQLMaxErrors       = "GRAPHQL_MAX_ERRORS"
	KeyWSInitTimeout          = "WS_INIT_TIMEOUT"
	KeyWSMaxSubscriptions     = "WS_MAX_SUBSCRIPTIONS"
	KeyWSMaxSocketsPerUser    = "WS_MAX_SOCKETS_PER_USER"
	KeyRateLoginAccountIP     = "RATE_LIMIT_LOGIN_ACCOUNT_IP"
	KeyRateLoginAccount       = "RATE_LIMIT_LOGIN_ACCOUNT"
	KeyRateLoginIP            = "RATE_LIMIT_LOGIN_IP"
	KeyRateRegisterIP         = "RATE_LIMIT_REGISTER_IP"
	KeyRateRequestLegalHelp   = "RATE_LIMIT_REQUEST_LEGAL_HELP"
	KeyRateClaimReferral      = "RATE_LIMIT_CLAIM_REFERRAL"
	KeyRatePasswordResetEmail = "RATE_LIMIT_PASSWORD_RESET_EMAIL"
	KeyRatePasswordResetIP    = "RATE_LIMIT_PASSWORD_RESET_IP"
)

// Limits are the server's resource limits. A zero number or duration means
// the default of the package that applies it (graph.DefaultLimits for the
// GraphQL ones), so that each default is written once.
type Limits struct {
	// TrustedProxies are the addresses whose X-Forwarded-For and
	// X-Forwarded-Proto are believed.
	TrustedProxies ratelimit.Proxies
	// RateLimits are the per-IP and per-account limits.
	RateLimits ratelimit.Rules
	// RequestTimeout bounds every HTTP request (default 10s), the database
	// statements it runs included.
	RequestTimeout time.Duration
	// DBAcquireTimeout bounds the wait for a pooled connection (default 3s).
	DBAcquireTimeout time.Duration
	// LogBufferLines is how many log lines wait for a slow log output
	// before lines are dropped (and counted).
	LogBufferLines int

	GraphQLMaxTokens, GraphQLMaxFields, GraphQLMaxDepth, GraphQLMaxAliases, GraphQLMaxErrors int

	WSInitTimeout       time.Duration
	WSMaxSubscriptions  int
	WSMaxSocketsPerUser int
}

func loadLimits(getenv func(string) string) (Limits, error) {
	var errs []error
	l := Limits{RateLimits: ratelimit.Defaults()}
	if v := getenv(KeyTrustedProxies); v != "" {
		ps, err := ratelimit.ParseProxies(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", KeyTrustedProxies, err))
		}
		l.TrustedProxies = ps
	}
	durations := []struct {
		key string
		to  *time.Duration
	}{
		{KeyRequestTimeout, &l.RequestTimeout},
		{KeyDBAcquireTimeout, &l.DBAcquireTimeout},
		{KeyWSInitTimeout, &l.WSInitTimeout},
	}
	for _, d := range durations {
		if v := getenv(d.key); v != "" {
			x, err := time.ParseDuration(v)
			if err != nil || x <= 0 {
				errs = append(errs, fmt.Errorf("%s must be a duration like 10s, got %q", d.key, v))
			}
			*d.to = x
		}
	}
	counts := []struct {
		key string
		to  *int
	}{
		{KeyLogBuffer, &l.LogBufferLines},
		{KeyGraphQLMaxTokens, &l.GraphQLMaxTokens},
		{KeyGraphQLMaxFields, &l.GraphQLMaxFields},
		{KeyGraphQLMaxDepth, &l.GraphQLMaxDepth},
		{KeyGraphQLMaxAliases, &l.GraphQLMaxAliases},
		{KeyGraphQLMaxErrors, &l.GraphQLMaxErrors},
		{KeyWSMaxSubscriptions, &l.WSMaxSubscriptions},
		{KeyWSMaxSocketsPerUser, &l.WSMaxSocketsPerUser},
	}
	for _, c := range counts {
		if v := getenv(c.key); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				errs = append(errs, fmt.Errorf("%s must be a positive number, got %q", c.key, v))
			}
			*c.to = n
		}
	}
	if l.WSMaxSocketsPerUser > 0 {
		l.RateLimits.SocketsPerUser.Limit = l.WSMaxSocketsPerUser
	}
	rules := []struct {
		key string
		to  *ratelimit.Rule
	}{
		{KeyRateLoginAccountIP, &l.RateLimits.LoginFailuresPerAccountIP},
		{KeyRateLoginAccount, &l.RateLimits.LoginFailuresPerAccount},
		{KeyRateLoginIP, &l.RateLimits.LoginFailuresPerIP},
		{KeyRateRegisterIP, &l.RateLimits.RegisterPerIP},
		{KeyRateRequestLegalHelp, &l.RateLimits.RequestLegalHelpPerUser},
		{KeyRateClaimReferral, &l.RateLimits.ClaimReferralPerUser},
		{KeyRatePasswordResetEmail, &l.RateLimits.PasswordResetPerEmail},
		{KeyRatePasswordResetIP, &l.RateLimits.PasswordResetPerIP},
	}
	for _, r := range rules {
		if v := getenv(r.key); v != "" {
			rule, err := ratelimit.ParseRule(r.to.Name, v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", r.key, err))
			}
			*r.to = rule
		}
	}
	return l, errors.Join(errs...)
}
