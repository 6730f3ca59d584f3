// Package dbtest gives each test package a fresh, migrated PostgreSQL database
// of its own, cloned from a template that is built once per migration set.
//
// A test package calls Run from TestMain and Open from its tests:
//
//	func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"mlp/internal/database"
	"mlp/migrations"
)

// EnvURL names the variable that points the tests at a PostgreSQL server; its
// database part is ignored.
const EnvURL = "TEST_DATABASE_URL"

const defaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

var (
	packageURL string
	// openMu guards packageDB: parallel tests open it at the same time.
	openMu    sync.Mutex
	packageDB *gorm.DB
)

// Run creates this package's database, runs the tests and drops it again.
func Run(m *testing.M) int {
	ctx := context.Background()
	name, err := create(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dbtest:", err)
		return 1
	}
	packageURL = withDatabase(serverURL(), name)
	code := m.Run()
	if packageDB != nil {
		_ = database.Close(packageDB)
	}
	if err := drop(ctx, name); err != nil {
		fmt.Fprintln(os.Stderr, "dbtest: drop:", err)
	}
	return code
}

// URL returns the connection URL of this package's database.
func URL(tb testing.TB) string {
	tb.Helper()
	if packageURL == "" {
		tb.Fatal("dbtest: call dbtest.Run from TestMain")
	}
	return packageURL
}

// Open returns the package's shared pool. Tests may run in parallel on it; they
// keep apart by creating their own rows.
func Open(tb testing.TB) *gorm.DB {
	tb.Helper()
	openMu.Lock()
	defer openMu.Unlock()
	if packageDB == nil {
		db, err := database.Open(context.Background(), database.Options{
			URL:      URL(tb),
			MaxConns: 10,
			Logger:   slog.New(slog.DiscardHandler),
		})
		if err != nil {
			tb.Fatal(err)
		}
		packageDB = db
	}
	return packageDB
}

func serverURL() string {
	if u := os.Getenv(EnvURL); u != "" {
		return u
	}
	return defaultURL
}

func withDatabase(raw, name string) string {
	u, _ := url.Parse(raw)
	u.Path = "/" + name
	return u.String()
}

// templateName is derived from the migration files, so that a changed
// migration builds a new template (and work trees with different migrations
// keep theirs).
func templateName() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	return "mlp_tpl_" + hex.EncodeToString(h.Sum(nil))[:16], err
}

func create(ctx context.Context) (string, error) {
	conn, err := connectAdmin(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	tpl, err := templateName()
	if err != nil {
		return "", err
	}
	// One package at a time builds the template and clones it.
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(73110001)`); err != nil {
		return "", err
	}
	defer conn.Exec(ctx, `SELECT pg_advisory_unlock(73110001)`) //nolint:errcheck
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, tpl).Scan(&exists); err != nil {
		return "", err
	}
	if !exists {
		if err := buildTemplate(ctx, conn, tpl); err != nil {
			return "", err
		}
	}
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	name := "mlp_test_" + hex.EncodeToString(suffix)
	if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, tpl)); err != nil {
		return "", err
	}
	return name, nil
}

func buildTemplate(ctx context.Context, conn *pgx.Conn, tpl string) error {
	building := tpl + "_new"
	_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+building)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+building); err != nil {
		return err
	}
	db, err := database.Open(ctx, database.Options{URL: withDatabase(serverURL(), building), MaxConns: 2, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	_, err = database.Migrate(ctx, db)
	_ = database.Close(db)
	if err != nil {
		return fmt.Errorf("migrate template: %w", err)
	}
	_, err = conn.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", building, tpl))
	return err
}

func drop(ctx context.Context, name string) error {
	conn, err := connectAdmin(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	return err
}

func connectAdmin(ctx context.Context) (*pgx.Conn, error) {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(cctx, serverURL())
	if err != nil {
		return nil, fmt.Errorf("%w (start PostgreSQL, or set %s)", err, EnvURL)
	}
	return conn, nil
}

// OpenFresh returns a database of the test's own, cloned from the migrated
// template and dropped when the test ends, with its URL: for tests that change
// the database in ways other tests must not see (tampering with the audit
// trail as the superuser). Call it only after Run has started.
func OpenFresh(tb testing.TB) (*gorm.DB, string) {
	tb.Helper()
	ctx := context.Background()
	name, err := create(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	u := withDatabase(serverURL(), name)
	db, err := database.Open(ctx, database.Options{URL: u, MaxConns: 10, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		_ = drop(ctx, name)
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = database.Close(db)
		if err := drop(ctx, name); err != nil {
			tb.Errorf("dbtest: drop %s: %v", name, err)
		}
	})
	return db, u
}
