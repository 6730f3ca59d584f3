package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mlp/internal/database/dbtest"
	"mlp/models"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// waitListening waits until the server run started says it listens; it
// fails the test if run returns first (on done) or after 30 s.
func waitListening(t *testing.T, stderr *syncBuffer, done <-chan error) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for !strings.Contains(stderr.String(), "listening") {
		select {
		case err := <-done:
			t.Fatalf("run returned %v before listening:\n%s", err, stderr.String())
		case <-deadline:
			t.Fatalf("not listening after 30s:\n%s", stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func TestRunWithoutDatabase(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), nil, env(map[string]string{
		"DATABASE_URL": "postgres://postgres@127.0.0.1:1/mlp?sslmode=disable&connect_timeout=2",
	}), &stdout, &stderr)
	if err == nil {
		t.Fatal("run started without a database")
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("the error is more than one line:\n%s", msg)
	}
	if !strings.Contains(msg, "PostgreSQL is not reachable") {
		t.Errorf("the error does not say PostgreSQL is not reachable: %s", msg)
	}
	if !strings.Contains(msg, "docker compose up -d db") && !strings.Contains(msg, "DATABASE_URL") {
		t.Errorf("the error does not say what to do: %s", msg)
	}
	if strings.Contains(msg, "sslmode") {
		t.Errorf("the error repeats the whole URL: %s", msg)
	}
}

func TestRunProductionWithoutSecret(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), nil, env(map[string]string{
		"APP_ENV":      "production",
		"DATABASE_URL": dbtest.URL(t),
	}), &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "JWT_SECRET") {
		t.Fatalf("run = %v; want a refusal naming JWT_SECRET", err)
	}
}

func TestRunUnknownCommand(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"serve-everything"}, env(map[string]string{"DATABASE_URL": dbtest.URL(t)}), &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "serve-everything") {
		t.Fatalf("run = %v", err)
	}
}

// TestMigrateCommand runs `server migrate` against the package's database:
// status, down, status, up. It does not run in parallel with the test that
// serves from the same database.
func TestMigrateCommand(t *testing.T) {
	dbURL := dbtest.URL(t)
	migrate := func(t *testing.T, args ...string) (string, error) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), append([]string{"migrate"}, args...), env(map[string]string{"DATABASE_URL": dbURL}), &stdout, &stderr)
		return stdout.String(), err
	}
	t.Run("StatusListsAppliedMigrations", func(t *testing.T) {
		out, err := migrate(t, "status")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "00001_foundation.sql") || strings.Contains(out, "pending") {
			t.Fatalf("status:\n%s", out)
		}
	})
	t.Run("DownThenUp", func(t *testing.T) {
		out, err := migrate(t, "down")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(out, "rolled back ") {
			t.Fatalf("down:\n%s", out)
		}
		rolledBack := strings.TrimSpace(strings.TrimPrefix(out, "rolled back "))
		status, err := migrate(t, "status")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(status, "pending") {
			t.Fatalf("after down, status:\n%s", status)
		}
		up, err := migrate(t, "up")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(up, "applied "+rolledBack) {
			t.Fatalf("up did not apply %s again:\n%s", rolledBack, up)
		}
		status, err = migrate(t, "status")
		if err != nil || strings.Contains(status, "pending") {
			t.Fatalf("after up (%v), status:\n%s", err, status)
		}
	})
	t.Run("UpIsIdempotent", func(t *testing.T) {
		out, err := migrate(t)
		if err != nil || out != "" {
			t.Fatalf("migrate with nothing to do = %q, %v", out, err)
		}
	})
	t.Run("UnknownSubcommand", func(t *testing.T) {
		if _, err := migrate(t, "sideways"); err == nil || !strings.Contains(err.Error(), "sideways") {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestServeAndShutdown starts the server as `go run ./cmd/server` does, with
// a bootstrap admin, and stops it with the context, as SIGTERM does.
func TestServeAndShutdown(t *testing.T) {
	dbURL := dbtest.URL(t)
	adminEmail := "root-" + strings.ReplaceAll(time.Now().Format("150405.000000"), ".", "") + "@example.test"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, nil, env(map[string]string{
			"DATABASE_URL":             dbURL,
			"PORT":                     "0",
			"SEED_DEMO":                "false",
			"BOOTSTRAP_ADMIN_EMAIL":    adminEmail,
			"BOOTSTRAP_ADMIN_PASSWORD": "a long bootstrap passphrase",
		}), &stdout, &stderr)
	}()
	waitListening(t, &stderr, done)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run after shutdown = %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not return after the context ended")
	}
	logs := stderr.String()
	for _, want := range []string{"JWT_SECRET is not set", "bootstrap admin created", "shutting down"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log does not say %q:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, adminEmail) || strings.Contains(logs, "a long bootstrap passphrase") {
		t.Errorf("the log carries the bootstrap credentials:\n%s", logs)
	}
	db := dbtest.Open(t)
	var admin models.User
	if err := db.Where("email = ?", adminEmail).Take(&admin).Error; err != nil {
		t.Fatalf("bootstrap admin not created: %v", err)
	}
	if admin.Role != models.RoleAdmin {
		t.Fatalf("bootstrap user is %s", admin.Role)
	}
}

func TestRunDatabaseRefusesConnection(t *testing.T) {
	t.Parallel()
	u, err := url.Parse(dbtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User("no_such_role_mlp")
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), []string{"migrate", "status"}, env(map[string]string{"DATABASE_URL": u.String()}), &stdout, &stderr)
	if err == nil {
		t.Fatal("run connected as a role that does not exist")
	}
	msg := err.Error()
	if strings.Contains(msg, "not reachable") || strings.Contains(msg, "docker compose") {
		t.Errorf("a server that answered is reported as unreachable: %s", msg)
	}
	if !strings.Contains(msg, "refused") || !strings.Contains(msg, "DATABASE_URL") || strings.Contains(msg, "\n") {
		t.Errorf("error = %q", msg)
	}
}

// TestMetricsOnTheirOwnListener: in production with METRICS_ADDR the
// metrics are served there, and the API's port answers 404 for /metrics.
// With OTEL_EXPORTER_OTLP_ENDPOINT the operation's spans reach the
// collector (a fake one here) by the time the server has stopped.
func TestMetricsOnTheirOwnListener(t *testing.T) {
	var exports atomic.Int64
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Method == http.MethodPost && r.URL.Path == "/v1/traces" && len(b) > 0 {
			exports.Add(1)
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer collector.Close()
	ports := make([]string, 2)
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		_, ports[i], _ = net.SplitHostPort(l.Addr().String())
		l.Close()
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, nil, env(map[string]string{
			"APP_ENV":                     "production",
			"DATABASE_URL":                dbtest.URL(t),
			"JWT_SECRET":                  "a production secret of at least 32 bytes",
			"PORT":                        ports[0],
			"METRICS_ADDR":                "127.0.0.1:" + ports[1],
			"WORKERS":                     "false",
			"OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL,
		}), &stdout, &stderr)
	}()
	waitListening(t, &stderr, done)
	get := func(url string) (int, string) {
		t.Helper()
		for range 50 { // the metrics listener may start a moment later
			resp, err := http.Get(url)
			if err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				return resp.StatusCode, string(b)
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("GET %s: no answer", url)
		return 0, ""
	}
	api := "http://127.0.0.1:" + ports[0]
	resp, err := http.Post(api+"/graphql", "application/json", strings.NewReader(`{"query":"{ legalPartners { name } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code, _ := get(api + "/metrics"); code != http.StatusNotFound {
		t.Errorf("the API port answers %d for /metrics", code)
	}
	code, body := get("http://127.0.0.1:" + ports[1] + "/metrics")
	if code != http.StatusOK || !strings.Contains(body, `mlp_graphql_operations_total{code="OK",operation="legalPartners",type="query"} 1`) {
		t.Errorf("METRICS_ADDR answers %d:\n%s", code, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run after shutdown = %v", err)
	}
	if exports.Load() == 0 {
		t.Error("no spans reached the OTLP collector")
	}
}
