package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

const secret32 = "0123456789abcdef0123456789abcdef"

func TestLoad(t *testing.T) {
	t.Parallel()
	t.Run("Defaults", func(t *testing.T) {
		c, err := Load(env(nil))
		if err != nil {
			t.Fatal(err)
		}
		if c.DatabaseURL != DefaultDatabaseURL || c.Port != 8080 || c.Env != EnvDevelopment || !c.Development() ||
			!c.SeedDemo || !c.JWTSecretGenerated || len(c.JWTSecret) < 32 || c.SlowQueryThreshold != 200*time.Millisecond {
			t.Fatalf("defaults = %+v", c)
		}
	})
	t.Run("GeneratedSecretsDiffer", func(t *testing.T) {
		a, _ := Load(env(nil))
		b, _ := Load(env(nil))
		if string(a.JWTSecret) == string(b.JWTSecret) {
			t.Fatal("two generated secrets are equal")
		}
	})
	t.Run("ProductionRequiresSecret", func(t *testing.T) {
		_, err := Load(env(map[string]string{KeyAppEnv: EnvProduction}))
		if err == nil || !strings.Contains(err.Error(), KeyJWTSecret) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ProductionWithSecret", func(t *testing.T) {
		c, err := Load(env(map[string]string{KeyAppEnv: EnvProduction, KeyJWTSecret: secret32, KeySeedDemo: "true"}))
		if err != nil {
			t.Fatal(err)
		}
		if c.Development() || c.SeedDemo || c.JWTSecretGenerated || string(c.JWTSecret) != secret32 {
			t.Fatalf("config = %+v: production never seeds demo data", c)
		}
	})
	t.Run("ShortSecretIsRefused", func(t *testing.T) {
		_, err := Load(env(map[string]string{KeyJWTSecret: secret32[:31]}))
		if err == nil || !strings.Contains(err.Error(), "32 bytes") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("SecretFromFile", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "jwt")
		if err := os.WriteFile(path, []byte(secret32+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := Load(env(map[string]string{KeyAppEnv: EnvProduction, KeyJWTSecret + "_FILE": path}))
		if err != nil {
			t.Fatal(err)
		}
		if string(c.JWTSecret) != secret32 {
			t.Fatalf("secret = %q", c.JWTSecret)
		}
	})
	t.Run("MissingSecretFile", func(t *testing.T) {
		_, err := Load(env(map[string]string{KeyJWTSecret + "_FILE": filepath.Join(t.TempDir(), "none")}))
		if err == nil || !strings.Contains(err.Error(), "JWT_SECRET_FILE") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("Overrides", func(t *testing.T) {
		c, err := Load(env(map[string]string{
			KeyDatabaseURL: "postgres://db/x", KeyPort: "9090", KeySeedDemo: "false", KeyDBMaxConns: "5",
			KeySlowQuery: "1s", KeyBootstrapAdminEmail: "a@b.test", KeyBootstrapAdminPassword: "pw",
			KeyAuditChainInterval: "2s",
		}))
		if err != nil {
			t.Fatal(err)
		}
		if c.DatabaseURL != "postgres://db/x" || c.Port != 9090 || c.SeedDemo || c.DBMaxConns != 5 ||
			c.SlowQueryThreshold != time.Second || c.BootstrapAdminEmail != "a@b.test" || c.BootstrapAdminPassword != "pw" ||
			c.AuditChainInterval != 2*time.Second {
			t.Fatalf("config = %+v", c)
		}
	})
	t.Run("BadValuesAreAllReported", func(t *testing.T) {
		_, err := Load(env(map[string]string{KeyPort: "http", KeyAppEnv: "staging", KeySeedDemo: "maybe", KeyDBMaxConns: "0", KeySlowQuery: "soon",
			KeyAuditChainInterval: "0s"}))
		if err == nil {
			t.Fatal("no error")
		}
		for _, key := range []string{KeyPort, KeyAppEnv, KeySeedDemo, KeyDBMaxConns, KeySlowQuery, KeyAuditChainInterval} {
			if !strings.Contains(err.Error(), key) {
				t.Errorf("the error does not name %s: %v", key, err)
			}
		}
	})
	t.Run("SecretIsNotInErrors", func(t *testing.T) {
		_, err := Load(env(map[string]string{KeyJWTSecret: "short-but-secret"}))
		if err == nil || strings.Contains(err.Error(), "short-but-secret") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestReferralCodeKey(t *testing.T) {
	t.Parallel()
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	c, err := Load(env(map[string]string{KeyReferralCodeKey: strings.Repeat("k", 32)}))
	if err != nil || string(c.ReferralCodeKey) != strings.Repeat("k", 32) {
		t.Fatalf("key = %q, %v", c.ReferralCodeKey, err)
	}
	if _, err := Load(env(map[string]string{KeyReferralCodeKey: "short"})); err == nil || !strings.Contains(err.Error(), KeyReferralCodeKey) {
		t.Fatalf("short key: err = %v", err)
	}
	if c, err := Load(env(nil)); err != nil || c.ReferralCodeKey != nil {
		t.Fatalf("default: key = %q, %v", c.ReferralCodeKey, err)
	}
}

func TestPprofAddr(t *testing.T) {
	t.Parallel()
	for addr, ok := range map[string]bool{
		"127.0.0.1:6060": true, "[::1]:6060": true, "localhost:6060": true, "127.0.0.2:6060": true,
		":6060": false, "0.0.0.0:6060": false, "10.0.0.5:6060": false, "example.com:6060": false, "127.0.0.1": false,
	} {
		c, err := Load(func(k string) string {
			if k == KeyPprofAddr {
				return addr
			}
			return ""
		})
		if ok && (err != nil || c.PprofAddr != addr) {
			t.Errorf("%q: addr %q, err %v", addr, c.PprofAddr, err)
		}
		if !ok && (err == nil || !strings.Contains(err.Error(), KeyPprofAddr)) {
			t.Errorf("%q: err = %v, want a %s error", addr, err, KeyPprofAddr)
		}
	}
	if c, err := Load(func(string) string { return "" }); err != nil || c.PprofAddr != "" {
		t.Fatalf("default: %q, %v", c.PprofAddr, err)
	}
}

func TestMetricsAddr(t *testing.T) {
	t.Parallel()
	for addr, ok := range map[string]bool{
		"127.0.0.1:9090": true, ":9090": true, "10.0.0.5:9090": true, "[::1]:9090": true,
		"9090": false, ":8080": false, "127.0.0.1:8080": false, "host:port": false, ":0": false,
	} {
		c, err := Load(func(k string) string {
			if k == KeyMetricsAddr {
				return addr
			}
			return ""
		})
		if ok && (err != nil || c.MetricsAddr != addr) {
			t.Errorf("%q: addr %q, err %v", addr, c.MetricsAddr, err)
		}
		if !ok && (err == nil || !strings.Contains(err.Error(), KeyMetricsAddr)) {
			t.Errorf("%q: err = %v, want a %s error", addr, err, KeyMetricsAddr)
		}
	}
	if c, err := Load(func(string) string { return "" }); err != nil || c.MetricsAddr != "" {
		t.Fatalf("default: %q, %v", c.MetricsAddr, err)
	}
}

func TestOTLPEndpoint(t *testing.T) {
	t.Parallel()
	for v, ok := range map[string]bool{
		"http://otel-collector:4318": true, "https://collector.example.org": true, "http://127.0.0.1:4318/": true,
		"otel-collector:4318": false, "grpc://x:4317": false, "http://": false, "http://u:p@x:4318": false,
	} {
		c, err := Load(func(k string) string {
			if k == KeyOTLPEndpoint {
				return v
			}
			return ""
		})
		if ok && (err != nil || c.OTLPEndpoint != v) {
			t.Errorf("%q: endpoint %q, err %v", v, c.OTLPEndpoint, err)
		}
		if !ok && (err == nil || !strings.Contains(err.Error(), KeyOTLPEndpoint)) {
			t.Errorf("%q: err = %v, want a %s error", v, err, KeyOTLPEndpoint)
		}
	}
}

func TestLoadLimits(t *testing.T) {
	t.Parallel()
	t.Run("Defaults", func(t *testing.T) {
		c, err := Load(env(nil))
		if err != nil {
			t.Fatal(err)
		}
		r := c.Limits.RateLimits
		if r.LoginFailuresPerAccountIP.String() != "10/15m0s" || r.LoginFailuresPerIP.String() != "100/15m0s" ||
			r.RegisterPerIP.String() != "10/1h0m0s" || r.RequestLegalHelpPerUser.String() != "20/24h0m0s" ||
			r.ClaimReferralPerUser.String() != "10/1h0m0s" || r.PasswordResetPerEmail.String() != "5/1h0m0s" ||
			r.PasswordResetPerIP.String() != "20/1h0m0s" || r.SocketsPerUser.Limit != 10 || len(c.Limits.TrustedProxies) != 0 {
			t.Fatalf("limits = %+v", c.Limits)
		}
	})
	t.Run("Set", func(t *testing.T) {
		c, err := Load(env(map[string]string{
			KeyTrustedProxies: "10.0.0.0/8,127.0.0.1", KeyRateLoginIP: "500/1h", KeyRateRegisterIP: "off",
			KeyRequestTimeout: "5s", KeyGraphQLMaxDepth: "12", KeyWSMaxSocketsPerUser: "3",
		}))
		if err != nil {
			t.Fatal(err)
		}
		l := c.Limits
		if len(l.TrustedProxies) != 2 || l.RateLimits.LoginFailuresPerIP.String() != "500/1h0m0s" ||
			!l.RateLimits.RegisterPerIP.Off() || l.RequestTimeout != 5*time.Second || l.GraphQLMaxDepth != 12 ||
			l.RateLimits.SocketsPerUser.Limit != 3 || l.RateLimits.LoginFailuresPerIP.Name != "login-ip" {
			t.Fatalf("limits = %+v", l)
		}
	})
	t.Run("Refused", func(t *testing.T) {
		for k, v := range map[string]string{KeyTrustedProxies: "nonsense", KeyRateLoginIP: "many", KeyRequestTimeout: "soon", KeyGraphQLMaxFields: "0"} {
			if _, err := Load(env(map[string]string{k: v})); err == nil || !strings.Contains(err.Error(), k) {
				t.Errorf("%s=%q: err = %v", k, v, err)
			}
		}
	})
}

func TestCORSAllowedOrigins(t *testing.T) {
	t.Parallel()
	t.Run("ExactOrigins", func(t *testing.T) {
		c, err := Load(env(map[string]string{KeyCORSAllowedOrigins: " https://Console.example.org , http://localhost:5173,"}))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(c.CORSAllowedOrigins, " ") != "https://console.example.org http://localhost:5173" {
			t.Fatalf("origins = %q", c.CORSAllowedOrigins)
		}
	})
	t.Run("EmptyMeansNone", func(t *testing.T) {
		c, _ := Load(env(nil))
		if len(c.CORSAllowedOrigins) != 0 {
			t.Fatalf("origins = %q", c.CORSAllowedOrigins)
		}
	})
	for _, bad := range []string{"*", "https://*.example.org", "console.example.org", "https://console.example.org/", "ftp://x.org", "https://x.org?a=1"} {
		t.Run("Refused "+bad, func(t *testing.T) {
			if _, err := Load(env(map[string]string{KeyCORSAllowedOrigins: bad})); err == nil || !strings.Contains(err.Error(), KeyCORSAllowedOrigins) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestEmailSettings(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	if err != nil || c.AppURL != DefaultAppURL || !c.AppURLDefaulted || c.SMTP != nil {
		t.Fatalf("defaults: %+v, %v", c, err)
	}
	c, err = Load(env(map[string]string{KeyAppURL: "https://app.example.org/", KeySMTPURL: "smtp://u:p%40ss@mail.example.org:2525",
		KeySMTPFrom: "MLP <no-reply@example.org>"}))
	if err != nil || c.AppURL != "https://app.example.org" || c.AppURLDefaulted || c.SMTP == nil ||
		c.SMTP.Host != "mail.example.org" || c.SMTP.Port != 2525 || c.SMTP.Password != "p@ss" || c.SMTPFrom != "MLP <no-reply@example.org>" {
		t.Fatalf("set: %+v, %v", c, err)
	}
	for name, e := range map[string]map[string]string{
		"AppURLNotHTTP":   {KeyAppURL: "app.example.org"},
		"AppURLQuery":     {KeyAppURL: "https://app.example.org/?x=1"},
		"SMTPWithoutFrom": {KeySMTPURL: "smtp://mail.example.org"},
		"SMTPBadScheme":   {KeySMTPURL: "imap://u:hunter2-secret@mail.example.org", KeySMTPFrom: "a@b.org"},
	} {
		_, err := Load(env(e))
		if err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: the error repeats the password: %v", name, err)
		}
	}
}
