package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"mlp/internal/database/dbtest"
)

// A mistyped command is refused before anything connects to, or creates, a
// database: here the database is unreachable, and the error is about the
// command.
func TestUnknownCommandBeforeAnyDatabase(t *testing.T) {
	t.Parallel()
	unreachable := env(map[string]string{"DATABASE_URL": "postgres://postgres@127.0.0.1:1/never_created?sslmode=disable&connect_timeout=2"})
	for _, args := range [][]string{{"bogus"}, {"migrate", "sideways"}, {"migrate", "up", "extra"}, {"audit"}, {"audit", "fix"}} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), args, unreachable, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), "unknown") || strings.Contains(err.Error(), "PostgreSQL") {
			t.Fatalf("%v: %v", args, err)
		}
	}
}

// In production, a start without any ADMIN account (and no BOOTSTRAP_ADMIN_*)
// warns how to make one; one without APP_URL warns that reset emails link
// to localhost.
func TestProductionWithoutAdminWarns(t *testing.T) {
	t.Parallel()
	_, url := dbtest.OpenFresh(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, nil, env(map[string]string{
			"APP_ENV": "production", "DATABASE_URL": url, "PORT": "0",
			"JWT_SECRET": "0123456789abcdef0123456789abcdef", "WORKERS": "false",
		}), &stdout, &stderr)
	}()
	waitListening(t, &stderr, done)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run after shutdown = %v", err)
	}
	if logs := stderr.String(); !strings.Contains(logs, "no enabled ADMIN account") || !strings.Contains(logs, "BOOTSTRAP_ADMIN_EMAIL") {
		t.Fatalf("no warning about the missing admin:\n%s", logs)
	}
	if logs := stderr.String(); !strings.Contains(logs, "APP_URL is not set") {
		t.Fatalf("no warning about the links of reset emails without APP_URL:\n%s", logs)
	}
}

// The Dockerfile builds with go.mod's Go version.
func TestDockerfileGoVersionIsGoMods(t *testing.T) {
	t.Parallel()
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	docker, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("no go line in go.mod")
	}
	if want := "FROM golang:" + string(m[1]) + "-"; !strings.Contains(string(docker), want) {
		t.Fatalf("the Dockerfile does not build with %q", want)
	}
	if !strings.Contains(string(docker), `HEALTHCHECK`) {
		t.Fatal("the image has no HEALTHCHECK")
	}
}

func TestHealthcheckCommand(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" {
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	var out bytes.Buffer
	if err := run(context.Background(), []string{"healthcheck"}, env(map[string]string{"PORT": port}), &out, &out); err != nil {
		t.Fatalf("healthy server: %v", err)
	}
	srv.Close()
	if err := run(context.Background(), []string{"healthcheck"}, env(map[string]string{"PORT": port}), &out, &out); err == nil {
		t.Fatal("healthcheck passed with no server")
	}
}
