package database

import (
	"context"
	"database/sql"
	"errors"
	"net"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"mlp/internal/caller"
)

// DefaultAcquireTimeout is how long a statement or transaction waits for a
// pooled connection before it fails with ErrPoolExhausted.
const DefaultAcquireTimeout = 3 * time.Second

// ErrPoolExhausted is returned when no connection of the pool came free
// within the acquire timeout: every one is busy (say, waiting on row locks).
var ErrPoolExhausted = errors.New("database: no pooled connection came free within the acquire timeout")

// IsUnavailable reports whether err says the database could not serve now,
// rather than refusing the statement: the pool exhausted, PostgreSQL not
// reachable or the connection lost, the server shutting down or out of
// connections. Such errors answer UNAVAILABLE; the client may retry.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrPoolExhausted) || errors.Is(err, sql.ErrConnDone) || errors.Is(err, ErrUnreachable) {
		return true
	}
	var connErr *pgconn.ConnectError
	var netErr *net.OpError
	if errors.As(err, &connErr) || errors.As(err, &netErr) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code[:2] {
		case "08", "57", "53": // connection exception, operator intervention (shutdown), insufficient resources
			return pgErr.Code != "57014" // 57014: query_canceled is the request's own deadline
		}
	}
	return false
}

// limitedPool stands between GORM and database/sql's pool: each statement
// and each transaction first takes one of as many slots as the pool has
// connections, waiting at most the acquire timeout (database/sql itself
// would wait as long as the request's context lets it). A transaction holds
// its slot until it commits or rolls back; a query gives it back once its
// rows are returned (their reading is short, and database/sql still bounds
// any wait by the request's deadline).
type limitedPool struct {
	db      *sql.DB
	slots   chan struct{}
	timeout time.Duration
}

var (
	_ gorm.ConnPool         = (*limitedPool)(nil)
	_ gorm.ConnPoolBeginner = (*limitedPool)(nil)
	_ gorm.GetDBConnector   = (*limitedPool)(nil)
)

func newLimitedPool(db *sql.DB, size int, timeout time.Duration) *limitedPool {
	return &limitedPool{db: db, slots: make(chan struct{}, size), timeout: timeout}
}

func (p *limitedPool) acquire(ctx context.Context) (release func(), err error) {
	release = func() { <-p.slots }
	select {
	case p.slots <- struct{}{}:
		return release, nil
	default:
	}
	t := time.NewTimer(p.timeout)
	defer t.Stop()
	select {
	case p.slots <- struct{}{}:
		return release, nil
	case <-t.C:
		return nil, ErrPoolExhausted
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-caller.Gone(ctx):
		// nothing started yet, and nobody waits for the answer
		return nil, context.Canceled
	}
}

// Exhausted reports whether every slot is taken now.
func (p *limitedPool) Exhausted() bool { return len(p.slots) == cap(p.slots) }

// GetDBConn returns the pool beneath, for db.DB().
func (p *limitedPool) GetDBConn() (*sql.DB, error) { return p.db, nil }

func (p *limitedPool) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	release, err := p.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return p.db.PrepareContext(ctx, query)
}

func (p *limitedPool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	release, err := p.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return p.db.ExecContext(ctx, query, args...)
}

func (p *limitedPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	release, err := p.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return p.db.QueryContext(ctx, query, args...)
}

// QueryRowContext cannot return an error of its own: on a full pool it goes
// on without a slot, and database/sql waits within the request's deadline.
func (p *limitedPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if release, err := p.acquire(ctx); err == nil {
		defer release()
	}
	return p.db.QueryRowContext(ctx, query, args...)
}

// BeginTx takes a slot for the whole transaction.
func (p *limitedPool) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	release, err := p.acquire(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := p.db.BeginTx(ctx, opts)
	if err != nil {
		release()
		return nil, err
	}
	return &limitedTx{Tx: tx, release: sync.OnceFunc(release)}, nil
}

// limitedTx is a transaction holding a slot of its pool until it ends.
type limitedTx struct {
	*sql.Tx
	release func()
}

// SQLTx returns the transaction beneath (River inserts jobs on it).
func (t *limitedTx) SQLTx() *sql.Tx { return t.Tx }

// Commit commits and gives the slot back.
func (t *limitedTx) Commit() error {
	defer t.release()
	return t.Tx.Commit()
}

// Rollback rolls back and gives the slot back.
func (t *limitedTx) Rollback() error {
	defer t.release()
	return t.Tx.Rollback()
}

// PoolExhausted reports whether every connection of db's pool is taken now
// (for /readyz); false for a db that Open did not make.
func PoolExhausted(db *gorm.DB) bool {
	p, ok := db.ConnPool.(*limitedPool)
	return ok && p.Exhausted()
}
