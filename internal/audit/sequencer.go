package audit

import (
	"context"
	"log/slog"
	"time"

	"gorm.io/gorm"
)

// DefaultChainInterval is how long a Sequencer waits after a batch that left
// nothing ready: the chain lags commits by about this much.
const DefaultChainInterval = 200 * time.Millisecond

// chainBatch is the most entries one call of audit_chain_advance chains: one
// short transaction each, so the head's lock is held briefly even after a
// backlog.
const chainBatch = 1000

// Sequencer chains committed audit entries (migrations/00021): it calls
// audit_chain_advance again at once while batches come back full, then
// waits for Interval. Several may run (one per process with workers); the
// head's lock lets one chain at a time and the others skip their turn.
type Sequencer struct {
	db       *gorm.DB
	interval time.Duration
	log      *slog.Logger
}

// NewSequencer returns a sequencer on db that waits interval between idle
// batches (DefaultChainInterval when zero or negative) and logs failures to
// log (slog.Default when nil).
func NewSequencer(db *gorm.DB, interval time.Duration, log *slog.Logger) *Sequencer {
	if interval <= 0 {
		interval = DefaultChainInterval
	}
	if log == nil {
		log = slog.Default()
	}
	return &Sequencer{db: db, interval: interval, log: log}
}

// Run chains until ctx ends. A failing batch is logged and tried again after
// the interval, at least a second (a database that is down is not asked
// five times a second): the entries stay pending meanwhile, nothing is lost.
func (s *Sequencer) Run(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := advance(ctx, s.db, chainBatch)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			s.log.Error("audit chain: sequencer batch failed", "err", err)
			t.Reset(max(s.interval, time.Second))
			continue
		case n == chainBatch:
			t.Reset(0) // a backlog: go on at once
			continue
		}
		t.Reset(s.interval)
	}
}

// advance runs one batch: audit_chain_advance in its own transaction.
func advance(ctx context.Context, db *gorm.DB, max int) (int, error) {
	var n int
	err := db.WithContext(ctx).Raw(`SELECT audit_chain_advance(?)`, max).Row().Scan(&n)
	return n, err
}

// ChainPending chains every pending entry whose transaction had committed
// when it was called, and returns how many it chained. Unlike the Sequencer
// it waits for the head when another sequencer holds it, so that what it
// leaves pending is only what is not committed yet. `audit verify` calls it
// first; tests call it in place of waiting for a Sequencer.
func ChainPending(ctx context.Context, db *gorm.DB) (int, error) {
	total := 0
	for {
		var n int
		err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			// Wait for the head here; audit_chain_advance then finds it
			// held by this transaction, not skipped.
			if err := tx.Exec(`SELECT 1 FROM audit_chain_head WHERE id FOR UPDATE`).Error; err != nil {
				return err
			}
			return tx.Raw(`SELECT audit_chain_advance(?)`, chainBatch).Row().Scan(&n)
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < chainBatch {
			return total, nil
		}
	}
}
