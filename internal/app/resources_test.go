package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"mlp/internal/app"
	"mlp/internal/apptest"
	"mlp/internal/database"
	"mlp/internal/database/dbtest"
	"mlp/internal/logbuf"
	"mlp/models"
)

func readyz(t *testing.T, base string) (int, string) {
	t.Helper()
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// syncBuffer is a log output the test reads while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestPoolExhausted: with every pooled connection held by transactions that
// do not end (requests waiting on a row lock), { me { id } } answers
// UNAVAILABLE within the acquire timeout, well inside the request deadline,
// instead of waiting; /readyz says "pool exhausted"; once the connections
// come back everything is served again. A client that gives up while
// waiting ends the wait (before the acquire timeout) and is logged at info as
// cancelled, not as an internal error.
func TestPoolExhausted(t *testing.T) {
	t.Parallel()
	s := apptest.New(t) // for its users and database
	u, _ := s.User(t, models.RolePatient, nil)
	tok := s.Token(t, u)
	db, err := database.Open(context.Background(), database.Options{
		URL: dbtest.URL(t), MaxConns: 2, AcquireTimeout: time.Second, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = database.Close(db) })
	logs := &syncBuffer{}
	a := app.New(app.Options{DB: db, Logger: slog.New(slog.NewJSONHandler(logs, nil)), JWTSecret: []byte(apptest.JWTSecret),
		RequestTimeout: 5 * time.Second})
	t.Cleanup(a.Close)
	ts := httptest.NewServer(a.Handler)
	t.Cleanup(ts.Close)
	post := func(ctx context.Context) (*apptest.Response, error) {
		req := s.Request(t, tok, `{ me { id } }`, nil)
		req.URL.Host = strings.TrimPrefix(ts.URL, "http://")
		resp, err := http.DefaultClient.Do(req.WithContext(ctx))
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		r := &apptest.Response{Status: resp.StatusCode, Raw: string(b)}
		_ = json.Unmarshal(b, r)
		return r, nil
	}

	r, err := post(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r.MustOK(t)

	// Two transactions hold both connections.
	var txs []*gorm.DB
	for range 2 {
		tx := db.Begin()
		if tx.Error != nil {
			t.Fatal(tx.Error)
		}
		txs = append(txs, tx)
	}
	start := time.Now()
	r, err = post(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	r.MustCode(t, "UNAVAILABLE")
	if !strings.Contains(r.Errors[0].Message, "temporarily unavailable") || elapsed > 3*time.Second {
		t.Fatalf("after %v: %s", elapsed, r.Raw)
	}
	if code, body := readyz(t, ts.URL); code != http.StatusServiceUnavailable || body != "pool exhausted" {
		t.Fatalf("/readyz = %d %q", code, body)
	}

	// A client that gives up while its request waits for a connection: the
	// wait gives up with it (it had started nothing), rather than at the
	// acquire timeout.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	gone := s.Request(t, tok, `{ me { id } }`, nil)
	gone.URL.Host = strings.TrimPrefix(ts.URL, "http://")
	gone.Header.Set("X-Request-ID", "client-gone-while-waiting")
	if resp, err := http.DefaultClient.Do(gone.WithContext(ctx)); err == nil {
		resp.Body.Close()
	}
	cancel()
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(logs.String(), `"cancelled":true`) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	var gaveUp bool
	for _, line := range strings.Split(logs.String(), "\n") {
		if !strings.Contains(line, "client-gone-while-waiting") {
			continue
		}
		var entry struct {
			Msg        string  `json:"msg"`
			DurationMS float64 `json:"duration_ms"`
		}
		_ = json.Unmarshal([]byte(line), &entry)
		if entry.Msg == "request" && entry.DurationMS >= 900 {
			t.Fatalf("the wait lasted to the acquire timeout (1 s): %s", line)
		}
		gaveUp = gaveUp || entry.Msg == "request cancelled"
	}
	if !gaveUp {
		t.Fatalf("no line says the waiting request was given up: %s", logs.String())
	}
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "cancel") && !strings.Contains(line, `"level":"INFO"`) || strings.Contains(line, `"level":"ERROR"`) {
			t.Fatalf("cancelled request logged as %s", line)
		}
	}
	if !strings.Contains(logs.String(), `"cancelled":true`) {
		t.Fatalf("no request line says cancelled: %s", logs.String())
	}

	for _, tx := range txs {
		tx.Rollback()
	}
	r, err = post(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r.MustOK(t)
	if code, body := readyz(t, ts.URL); code != http.StatusOK {
		t.Fatalf("/readyz = %d %q", code, body)
	}
}

// TestDatabaseDown: with PostgreSQL unreachable, requests answer UNAVAILABLE
// ("temporarily unavailable"), not "Internal error.", and /readyz says
// "database unreachable".
func TestDatabaseDown(t *testing.T) {
	t.Parallel()
	db, err := gorm.Open(postgres.New(postgres.Config{DSN: "postgres://postgres@127.0.0.1:1/mlp?sslmode=disable&connect_timeout=2"}),
		&gorm.Config{DisableAutomaticPing: true, Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	a := app.New(app.Options{DB: db, Logger: slog.New(slog.DiscardHandler), JWTSecret: []byte(apptest.JWTSecret)})
	t.Cleanup(a.Close)
	ts := httptest.NewServer(a.Handler)
	t.Cleanup(ts.Close)
	s := &apptest.Server{URL: ts.URL}
	r := s.Do(t, "", `{ legalPartners { id } }`, nil).MustCode(t, "UNAVAILABLE")
	if !strings.Contains(r.Errors[0].Message, "temporarily unavailable") {
		t.Fatalf("answer = %s", r.Raw)
	}
	s.Do(t, "", `mutation { login(email: "a@example.test", password: "whatever it is") { accessToken } }`, nil).MustCode(t, "UNAVAILABLE")
	if code, body := readyz(t, ts.URL); code != http.StatusServiceUnavailable || body != "database unreachable" {
		t.Fatalf("/readyz = %d %q", code, body)
	}
}

// stuckOutput blocks every write until the test ends, like a stderr pipe
// nobody reads.
type stuckOutput struct{ release chan struct{} }

func (s stuckOutput) Write(p []byte) (int, error) { <-s.release; return len(p), nil }

// TestBlockedLogServesOn: with the log output stuck (the server used to hang
// every request, /healthz too, after 375 requests), 1,000 requests are all
// served, and the lines that did not fit are counted as dropped.
func TestBlockedLogServesOn(t *testing.T) {
	t.Parallel()
	out := stuckOutput{release: make(chan struct{})}
	t.Cleanup(func() { close(out.release) })
	w := logbuf.New(out, 100)
	s := apptest.New(t, func(o *app.Options) { o.Logger = slog.New(slog.NewJSONHandler(w, nil)) })
	done := make(chan error, 1)
	go func() {
		for i := range 1000 {
			path := "/healthz"
			if i%2 == 0 {
				path = "/graphql?query=%7B__typename%7D"
			}
			resp, err := http.Get(s.URL + path)
			if err != nil {
				done <- err
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				done <- fmt.Errorf("%s: %d", path, resp.StatusCode)
				return
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("requests hang behind the stuck log")
	}
	if w.Dropped() < 800 {
		t.Fatalf("%d lines dropped, want most of 1,000", w.Dropped())
	}
}
