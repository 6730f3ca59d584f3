package database

import (
	"context"
	"sync/atomic"

	"gorm.io/gorm"
)

type counterKey struct{}

// WithStatementCounter returns a context under which every SQL statement GORM
// runs increments n. Tests and benchmarks use it to show that a query's
// statement count does not grow with list size.
func WithStatementCounter(ctx context.Context, n *atomic.Int64) context.Context {
	return context.WithValue(ctx, counterKey{}, n)
}

func registerStatementCounter(db *gorm.DB) error {
	count := func(tx *gorm.DB) {
		if tx.Statement == nil || tx.Statement.Context == nil {
			return
		}
		if n, ok := tx.Statement.Context.Value(counterKey{}).(*atomic.Int64); ok {
			n.Add(1)
		}
	}
	cb := db.Callback()
	const name = "mlp:count_statements"
	for _, err := range []error{
		cb.Create().After("gorm:create").Register(name, count),
		cb.Query().After("gorm:query").Register(name, count),
		cb.Update().After("gorm:update").Register(name, count),
		cb.Delete().After("gorm:delete").Register(name, count),
		cb.Row().After("gorm:row").Register(name, count),
		cb.Raw().After("gorm:raw").Register(name, count),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// CountStatement counts one statement run outside GORM (a compiled read
// through the pool's database/sql handle) under ctx's counter, if any.
func CountStatement(ctx context.Context) {
	if n, ok := ctx.Value(counterKey{}).(*atomic.Int64); ok {
		n.Add(1)
	}
}
