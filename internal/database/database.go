// Package database opens the PostgreSQL pool the services share, creates the
// database when it is missing, and applies the embedded migrations.
package database

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"

	"mlp/internal/clock"
	"mlp/migrations"
)

// ErrUnreachable is wrapped by the errors of Open and EnsureDatabase when no
// PostgreSQL server answers at the configured address.
var ErrUnreachable = errors.New("PostgreSQL is not reachable")

// Options configures Open.
type Options struct {
	URL                string
	MaxConns           int
	SlowQueryThreshold time.Duration
	Logger             *slog.Logger
	// Now is the application's clock (GORM's NowFunc for CreatedAt and
	// UpdatedAt outside a unit of work, which sets its own); tests fix it.
	// Default: the wall clock.
	Now clock.Clock
	// AcquireTimeout bounds the wait for a pooled connection (default
	// DefaultAcquireTimeout); past it a statement fails with ErrPoolExhausted.
	AcquireTimeout time.Duration
	// QueryTracer, when set, sees every statement of the pool (tracing.SQL:
	// OpenTelemetry spans); nil: none.
	QueryTracer pgx.QueryTracer
}

// Open connects to the database at opts.URL and configures GORM: translated
// errors, a slow-query logger that never prints values, pool limits and the
// statement counter used by tests and benchmarks.
func Open(ctx context.Context, opts Options) (*gorm.DB, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MaxConns == 0 {
		opts.MaxConns = 20
	}
	dialector := postgres.New(postgres.Config{DSN: opts.URL})
	if opts.QueryTracer != nil {
		// The pool GORM would open from the DSN, with the tracer set.
		cfg, err := pgx.ParseConfig(opts.URL)
		if err != nil {
			return nil, describe(opts.URL, err)
		}
		cfg.Tracer = opts.QueryTracer
		dialector = postgres.New(postgres.Config{Conn: stdlib.OpenDB(*cfg)})
	}
	db, err := gorm.Open(dialector, &gorm.Config{
		TranslateError:         true,
		SkipDefaultTransaction: true,
		NowFunc:                opts.Now.Func(),
		Logger:                 newQueryLogger(opts.Logger, opts.SlowQueryThreshold),
	})
	if err != nil {
		return nil, describe(opts.URL, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(opts.MaxConns)
	sqlDB.SetMaxIdleConns(opts.MaxConns)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		_ = sqlDB.Close()
		return nil, describe(opts.URL, err)
	}
	if err := registerStatementCounter(db); err != nil {
		return nil, err
	}
	if opts.AcquireTimeout <= 0 {
		opts.AcquireTimeout = DefaultAcquireTimeout
	}
	pool := newLimitedPool(sqlDB, opts.MaxConns, opts.AcquireTimeout)
	db.ConnPool, db.Statement.ConnPool = pool, pool
	return db, nil
}

// Close closes the pool behind db.
func Close(db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// EnsureDatabase creates the database named in rawURL when it does not exist,
// connecting to the server's postgres database to do so.
func EnsureDatabase(ctx context.Context, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("DATABASE_URL is not a URL")
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" || name == "postgres" {
		return nil
	}
	admin := *u
	admin.Path = "/postgres"
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(cctx, admin.String())
	if err != nil {
		return describe(rawURL, err)
	}
	defer conn.Close(context.Background())
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // created meanwhile
		return nil
	}
	return err
}

// describe turns a connection failure into one line that says what to do: a
// server that answered and refused (unknown role or database, bad password)
// is not an unreachable one.
func describe(rawURL string, err error) error {
	host := "the configured host"
	if u, perr := url.Parse(rawURL); perr == nil && u.Host != "" {
		host = u.Host
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return fmt.Errorf("PostgreSQL at %s refused the connection: %s (SQLSTATE %s); check DATABASE_URL", host, pgErr.Message, pgErr.Code)
	}
	var netErr *net.OpError
	var connErr *pgconn.ConnectError
	if errors.As(err, &netErr) || errors.As(err, &connErr) || strings.Contains(err.Error(), "connect") {
		return fmt.Errorf("%w at %s: start it with `docker compose up -d db`, or set DATABASE_URL to a running server", ErrUnreachable, host)
	}
	return err
}

// Provider returns the goose provider for the embedded migrations.
func Provider(db *gorm.DB) (*goose.Provider, error) {
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS)
}

// Migrate applies every pending migration, each in its own transaction.
func Migrate(ctx context.Context, db *gorm.DB) ([]*goose.MigrationResult, error) {
	p, err := Provider(db)
	if err != nil {
		return nil, err
	}
	return p.Up(ctx)
}
