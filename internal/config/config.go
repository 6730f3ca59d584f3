// Package config reads every setting of the server from the environment, once.
// The names below are the only environment variables the server reads; the
// README documents each of them.
package config

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"mlp/internal/email"
)

// Environment variable names.
const (
	KeyDatabaseURL            = "DATABASE_URL"
	KeyPort                   = "PORT"
	KeyAppEnv                 = "APP_ENV"
	KeyJWTSecret              = "JWT_SECRET"
	KeyReferralCodeKey        = "REFERRAL_CODE_KEY"
	KeySeedDemo               = "SEED_DEMO"
	KeyBootstrapAdminEmail    = "BOOTSTRAP_ADMIN_EMAIL"
	KeyBootstrapAdminPassword = "BOOTSTRAP_ADMIN_PASSWORD"
	KeyLogLevel               = "LOG_LEVEL"
	KeyDBMaxConns             = "DB_MAX_CONNS"
	KeySlowQuery              = "SLOW_QUERY_THRESHOLD"
	KeyPprofAddr              = "PPROF_ADDR"
	KeyCompiledReads          = "COMPILED_READS"
	KeyCORSAllowedOrigins     = "CORS_ALLOWED_ORIGINS"
	KeyJWTPreviousSecret      = "JWT_PREVIOUS_SECRET"
	KeyWorkers                = "WORKERS"
	KeyAuditChainInterval     = "AUDIT_CHAIN_INTERVAL"
	KeyFCMCredentialsFile     = "FCM_CREDENTIALS_FILE"
	KeyFCMEndpoint            = "FCM_ENDPOINT"
	KeyAPNsKeyFile            = "APNS_KEY_FILE"
	KeyAPNsKeyID              = "APNS_KEY_ID"
	KeyAPNsTeamID             = "APNS_TEAM_ID"
	KeyAPNsTopic              = "APNS_TOPIC"
	KeyAPNsEndpoint           = "APNS_ENDPOINT"
	KeyAppURL                 = "APP_URL"
	KeySMTPURL                = "SMTP_URL"
	KeySMTPFrom               = "SMTP_FROM"
	KeyMetricsAddr            = "METRICS_ADDR"
	KeyOTLPEndpoint           = "OTEL_EXPORTER_OTLP_ENDPOINT"
)

// Defaults.
const (
	DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/mlp?sslmode=disable"
	DefaultPort        = 8080
	DefaultAppURL      = "http://localhost:8080"
	EnvDevelopment     = "development"
	EnvProduction      = "production"
	minSecretBytes     = 32
)

// Config is the parsed configuration.
type Config struct {
	DatabaseURL string
	Port        int
	Env         string
	JWTSecret   []byte
	// JWTSecretGenerated is true when no secret was configured and a random
	// one was made for this process (development only).
	JWTSecretGenerated bool
	// ReferralCodeKey keys the stored hashes of referral codes; nil means
	// one derived from JWTSecret.
	ReferralCodeKey        []byte
	SeedDemo               bool
	BootstrapAdminEmail    string
	BootstrapAdminPassword string
	LogLevel               string
	DBMaxConns             int
	SlowQueryThreshold     time.Duration
	// PprofAddr, when set, is a loopback host:port where net/http/pprof
	// serves profiles; empty turns profiling off.
	PprofAddr string
	// Limits are the resource limits (limits.go).
	Limits Limits
	// CompiledReads answers the apps' hot reads as one SQL statement each
	// (graph/compiled); false sends every operation through the resolvers.
	CompiledReads bool
	// JWTPreviousSecret, during a rotation of JWT_SECRET, also verifies
	// access tokens (never signs them); nil otherwise.
	JWTPreviousSecret []byte
	// CORSAllowedOrigins are the exact origins (scheme://host[:port]) whose
	// browser pages may call the API and open its websockets; none by default.
	CORSAllowedOrigins []string
	// Workers runs the outbox's workers (push, email, reminders) in this
	// process; false makes an API-only process that only enqueues.
	Workers bool
	// AuditChainInterval is how long the audit sequencer (run with the
	// workers) waits when nothing is left to chain: the chain's lag behind
	// the commits.
	AuditChainInterval time.Duration
	// MetricsAddr, when set, is the host:port of the listener that serves
	// the Prometheus metrics at /metrics, apart from the public port;
	// unset, development serves them on PORT and production not at all.
	MetricsAddr string
	// OTLPEndpoint, when set, is the base URL of the OTLP/HTTP collector
	// that receives traces (package tracing); empty: no tracing.
	OTLPEndpoint string
	// Push providers; empty: the log sender.
	FCMCredentialsFile, FCMEndpoint                             string
	APNsKeyFile, APNsKeyID, APNsTeamID, APNsTopic, APNsEndpoint string
	// AppURL is the base of the links in emails (the password reset's
	// {AppURL}/reset-password?token=...); AppURLDefaulted says it was not set.
	AppURL          string
	AppURLDefaulted bool
	// SMTP is where emails go; nil sends them to the log sender.
	SMTP *email.SMTPServer
	// SMTPFrom is the From of every email (needed with SMTP).
	SMTPFrom string
}

// Development reports whether the server runs in development mode.
func (c Config) Development() bool { return c.Env == EnvDevelopment }

// Load parses the configuration from getenv. A secret may also be given as a
// file: KEY_FILE names a file whose trimmed contents are the value.
func Load(getenv func(string) string) (Config, error) {
	get := func(key string) (string, error) {
		if v := getenv(key); v != "" {
			return v, nil
		}
		if path := getenv(key + "_FILE"); path != "" {
			b, err := os.ReadFile(path)
			if err != nil {
				return "", fmt.Errorf("%s_FILE: %w", key, err)
			}
			return strings.TrimSpace(string(b)), nil
		}
		return "", nil
	}
	var errs []error
	c := Config{
		DatabaseURL:        DefaultDatabaseURL,
		Port:               DefaultPort,
		Env:                EnvDevelopment,
		LogLevel:           "info",
		DBMaxConns:         20,
		SlowQueryThreshold: 200 * time.Millisecond,
		Workers:            true,
		AuditChainInterval: 200 * time.Millisecond,
	}
	if v, err := get(KeyDatabaseURL); err != nil {
		errs = append(errs, err)
	} else if v != "" {
		c.DatabaseURL = v
	}
	if v := getenv(KeyPort); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 0 || p > 65535 {
			errs = append(errs, fmt.Errorf("%s must be a port number, got %q", KeyPort, v))
		}
		c.Port = p
	}
	if v := getenv(KeyAppEnv); v != "" {
		if v != EnvDevelopment && v != EnvProduction {
			errs = append(errs, fmt.Errorf("%s must be %q or %q, got %q", KeyAppEnv, EnvDevelopment, EnvProduction, v))
		}
		c.Env = v
	}
	secret, err := get(KeyJWTSecret)
	switch {
	case err != nil:
		errs = append(errs, err)
	case secret != "" && len(secret) < minSecretBytes:
		errs = append(errs, fmt.Errorf("%s must be at least %d bytes", KeyJWTSecret, minSecretBytes))
	case secret != "":
		c.JWTSecret = []byte(secret)
	case c.Env == EnvProduction:
		errs = append(errs, fmt.Errorf("%s is required in production", KeyJWTSecret))
	default:
		c.JWTSecret = make([]byte, minSecretBytes)
		_, _ = rand.Read(c.JWTSecret)
		c.JWTSecretGenerated = true
	}
	switch prev, err := get(KeyJWTPreviousSecret); {
	case err != nil:
		errs = append(errs, err)
	case prev != "" && len(prev) < minSecretBytes:
		errs = append(errs, fmt.Errorf("%s must be at least %d bytes", KeyJWTPreviousSecret, minSecretBytes))
	case prev != "":
		c.JWTPreviousSecret = []byte(prev)
	}
	switch key, err := get(KeyReferralCodeKey); {
	case err != nil:
		errs = append(errs, err)
	case key != "" && len(key) < minSecretBytes:
		errs = append(errs, fmt.Errorf("%s must be at least %d bytes", KeyReferralCodeKey, minSecretBytes))
	case key != "":
		c.ReferralCodeKey = []byte(key)
	}
	c.SeedDemo = c.Env == EnvDevelopment
	if v := getenv(KeySeedDemo); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s must be true or false, got %q", KeySeedDemo, v))
		}
		c.SeedDemo = b
	}
	if c.Env == EnvProduction {
		c.SeedDemo = false
	}
	c.BootstrapAdminEmail = getenv(KeyBootstrapAdminEmail)
	if c.BootstrapAdminPassword, err = get(KeyBootstrapAdminPassword); err != nil {
		errs = append(errs, err)
	}
	if v := getenv(KeyLogLevel); v != "" {
		c.LogLevel = v
	}
	if v := getenv(KeyDBMaxConns); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Errorf("%s must be a positive number, got %q", KeyDBMaxConns, v))
		}
		c.DBMaxConns = n
	}
	if v := getenv(KeyAuditChainInterval); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("%s must be a positive duration like 200ms, got %q", KeyAuditChainInterval, v))
		}
		c.AuditChainInterval = d
	}
	if v := getenv(KeySlowQuery); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s must be a duration like 200ms, got %q", KeySlowQuery, v))
		}
		c.SlowQueryThreshold = d
	}
	c.CompiledReads = true
	if v := getenv(KeyCompiledReads); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s must be true or false, got %q", KeyCompiledReads, v))
		}
		c.CompiledReads = b
	}
	if v := getenv(KeyPprofAddr); v != "" {
		if !isLoopback(v) {
			errs = append(errs, fmt.Errorf("%s must be a loopback address like 127.0.0.1:6060, got %q", KeyPprofAddr, v))
		}
		c.PprofAddr = v
	}
	if v := getenv(KeyMetricsAddr); v != "" {
		host, port, err := net.SplitHostPort(v)
		n, perr := strconv.Atoi(port)
		switch {
		case err != nil || perr != nil || n <= 0 || n > 65535 || strings.ContainsAny(host, "/ "):
			errs = append(errs, fmt.Errorf("%s must be host:port like 127.0.0.1:9090 or :9090, got %q", KeyMetricsAddr, v))
		case n == c.Port:
			errs = append(errs, fmt.Errorf("%s must not use PORT (%d): the metrics are never served on the public port", KeyMetricsAddr, c.Port))
		}
		c.MetricsAddr = v
	}
	if v := getenv(KeyOTLPEndpoint); v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.User != nil {
			errs = append(errs, fmt.Errorf("%s must be the collector's base URL like http://otel-collector:4318, got %q", KeyOTLPEndpoint, v))
		}
		c.OTLPEndpoint = v
	}
	if c.Limits, err = loadLimits(getenv); err != nil {
		errs = append(errs, err)
	}
	if v := getenv(KeyCORSAllowedOrigins); v != "" {
		origins, err := parseOrigins(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", KeyCORSAllowedOrigins, err))
		}
		c.CORSAllowedOrigins = origins
	}
	if v := getenv(KeyWorkers); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s must be true or false, got %q", KeyWorkers, v))
		}
		c.Workers = b
	}
	c.FCMCredentialsFile, c.FCMEndpoint = getenv(KeyFCMCredentialsFile), getenv(KeyFCMEndpoint)
	c.APNsKeyFile, c.APNsKeyID, c.APNsTeamID = getenv(KeyAPNsKeyFile), getenv(KeyAPNsKeyID), getenv(KeyAPNsTeamID)
	c.APNsTopic, c.APNsEndpoint = getenv(KeyAPNsTopic), getenv(KeyAPNsEndpoint)
	c.AppURL, c.AppURLDefaulted = DefaultAppURL, true
	if v := getenv(KeyAppURL); v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			errs = append(errs, fmt.Errorf("%s must be the web app's address like https://app.example.org, got %q", KeyAppURL, v))
		}
		c.AppURL, c.AppURLDefaulted = strings.TrimRight(v, "/"), false
	}
	switch v, err := get(KeySMTPURL); {
	case err != nil:
		errs = append(errs, err)
	case v != "":
		srv, err := email.ParseSMTPURL(v)
		if err != nil {
			// the error never repeats the URL, which holds a password
			errs = append(errs, fmt.Errorf("%s: %w", KeySMTPURL, err))
		}
		c.SMTP = &srv
		if c.SMTPFrom = getenv(KeySMTPFrom); c.SMTPFrom == "" {
			errs = append(errs, fmt.Errorf("%s needs %s, the sender's address", KeySMTPURL, KeySMTPFrom))
		}
	}
	if c.APNsKeyFile != "" && (c.APNsKeyID == "" || c.APNsTeamID == "" || c.APNsTopic == "") {
		errs = append(errs, fmt.Errorf("%s needs %s, %s and %s", KeyAPNsKeyFile, KeyAPNsKeyID, KeyAPNsTeamID, KeyAPNsTopic))
	}
	return c, errors.Join(errs...)
}

// parseOrigins reads a comma-separated list of exact origins such as
// "https://console.example.org,http://localhost:5173". A wildcard, a path or
// anything but http(s) is refused: credentials never go with "*", and an
// origin is compared as a whole.
func parseOrigins(v string) ([]string, error) {
	var out []string
	for part := range strings.SplitSeq(v, ",") {
		o := strings.TrimSpace(part)
		if o == "" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil ||
			strings.ContainsAny(o, "*?[]\\") {
			return nil, fmt.Errorf("%q is not an exact origin like https://console.example.org", o)
		}
		out = append(out, strings.ToLower(u.Scheme+"://"+u.Host))
	}
	return out, nil
}

// isLoopback reports whether addr is host:port with a loopback host, so that
// profiles (which hold request data in memory) are never served to a network.
func isLoopback(addr string) bool {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
