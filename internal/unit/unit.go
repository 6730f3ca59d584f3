// Package unit is the unit of work: one transaction, the principal it runs
// for, and one Now taken once when it starts. Every service method that
// writes runs its writes in one Work, so that everything it stamps (the row's
// created_at and updated_at that GORM fills in, an event, a consent, the audit
// entry, a notification) carries the same instant, from the application's
// clock (package clock), and commits or rolls back together.
//
//	err := unit.Do(ctx, s.db, s.clock, p, func(w *unit.Work) error {
//		if err := w.Tx.Create(row).Error; err != nil { // created_at = w.Now
//			return err
//		}
//		return audit.Record(w.Tx, w.By, audit.ActionCreate, "Row", &row.ID) // at = w.Now
//	})
//
// Authorize before opening the unit (the domain's policy, see auth.Policy):
// a refused call opens no transaction and writes nothing.
package unit

import (
	"context"
	"time"

	"gorm.io/gorm"

	"mlp/internal/clock"
	"mlp/models"
)

// Work is one unit of work.
type Work struct {
	// Ctx is the context the unit runs in.
	Ctx context.Context
	// Tx is the transaction. Its NowFunc returns Now, so GORM's automatic
	// timestamps are Now too.
	Tx *gorm.DB
	// By is the principal the unit runs for; nil for the system itself
	// (start-up, sweeps, workers acting on their own).
	By *models.Principal
	// Now is the unit's one instant: UTC, cut to microseconds.
	Now time.Time
}

// Do runs fn in a new transaction on db, as principal by, at clk's Now taken
// once. fn's error (or a panic) rolls everything back; the error is returned
// as fn returned it.
func Do(ctx context.Context, db *gorm.DB, clk clock.Clock, by *models.Principal, fn func(w *Work) error) error {
	now := clk.Now()
	return session(ctx, db, now).Transaction(func(tx *gorm.DB) error {
		return fn(&Work{Ctx: ctx, Tx: tx, By: by, Now: now})
	})
}

// Read runs fn outside a transaction, for reads that write nothing and need
// no consistent snapshot across statements; w.Now is still taken once (for
// "urgent now", "expired now").
func Read(ctx context.Context, db *gorm.DB, clk clock.Clock, by *models.Principal, fn func(w *Work) error) error {
	now := clk.Now()
	return fn(&Work{Ctx: ctx, Tx: session(ctx, db, now), By: by, Now: now})
}

// In returns a unit of work on tx, a transaction the caller already holds
// (the demo seed, which loads everything in one), as principal by at clk's
// Now taken once.
func In(ctx context.Context, tx *gorm.DB, clk clock.Clock, by *models.Principal) *Work {
	now := clk.Now()
	return &Work{Ctx: ctx, Tx: session(ctx, tx, now), By: by, Now: now}
}

// As returns a Work on the same transaction and Now for another principal
// (the system acting within a user's unit, e.g. a hook).
func (w *Work) As(by *models.Principal) *Work {
	return &Work{Ctx: w.Ctx, Tx: w.Tx, By: by, Now: w.Now}
}

func session(ctx context.Context, db *gorm.DB, now time.Time) *gorm.DB {
	return db.WithContext(ctx).Session(&gorm.Session{NowFunc: func() time.Time { return now }})
}
