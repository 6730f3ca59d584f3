package audit_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/internal/audit"
	"mlp/internal/database/dbtest"
)

// record commits one audit entry and returns its id.
func record(t *testing.T, db *gorm.DB) uuid.UUID {
	t.Helper()
	id := uuid.New()
	if err := db.Transaction(func(tx *gorm.DB) error {
		return audit.Record(tx, nil, audit.ActionRead, "Case", &id)
	}); err != nil {
		t.Fatal(err)
	}
	var entry uuid.UUID
	if err := db.Raw(`SELECT id FROM audit_entries WHERE entity_id = ?`, id).Row().Scan(&entry); err != nil {
		t.Fatal(err)
	}
	return entry
}

// A committed entry is pending until a sequencer runs; Verify counts it as
// pending, not broken.
func TestEntriesArePendingUntilChained(t *testing.T) {
	t.Parallel()
	db, _ := dbtest.OpenFresh(t)
	record(t, db)
	record(t, db)
	if v := verifyOnly(t, db); !v.OK() || v.Checked != 0 || v.Pending != 2 {
		t.Fatalf("two entries before chaining: %s (pending %d)", v, v.Pending)
	}
	if n := chain(t, db); n != 2 {
		t.Fatalf("ChainPending chained %d, want 2", n)
	}
	if v := verifyOnly(t, db); !v.OK() || v.Checked != 2 || v.Pending != 0 {
		t.Fatalf("after chaining: %s", v)
	}
	if n := chain(t, db); n != 0 {
		t.Fatalf("ChainPending chained %d again", n)
	}
}

// An entry whose transaction is still open is invisible to the sequencer:
// it is not chained then, and is chained by the first run after its commit.
func TestOpenTransactionIsChainedAfterItCommits(t *testing.T) {
	t.Parallel()
	db, _ := dbtest.OpenFresh(t)
	open := db.Begin()
	late := uuid.New()
	if err := audit.Record(open, nil, audit.ActionUpdate, "Case", &late); err != nil {
		open.Rollback()
		t.Fatal(err)
	}
	early := record(t, db) // written and committed after the open one
	if n := chain(t, db); n != 1 {
		open.Rollback()
		t.Fatalf("with one transaction open, ChainPending chained %d, want the committed entry alone", n)
	}
	if v := verifyOnly(t, db); !v.OK() || v.Checked != 1 {
		open.Rollback()
		t.Fatalf("with one transaction open: %s", v)
	}
	if err := open.Commit().Error; err != nil {
		t.Fatal(err)
	}
	if v := verifyOnly(t, db); !v.OK() || v.Checked != 1 || v.Pending != 1 {
		t.Fatalf("once it committed, before the sequencer ran: %s (pending %d)", v, v.Pending)
	}
	if n := chain(t, db); n != 1 {
		t.Fatalf("after the commit ChainPending chained %d, want 1", n)
	}
	v := verifyOnly(t, db)
	if !v.OK() || v.Checked != 2 || v.Pending != 0 {
		t.Fatalf("after the commit: %s", v)
	}
	var order []uuid.UUID
	if err := db.Raw(`SELECT c.entry_id FROM audit_chain c ORDER BY c.seq`).Scan(&order).Error; err != nil {
		t.Fatal(err)
	}
	if len(order) != 2 || order[0] != early {
		t.Fatalf("chain order %v: the entry committed first (%s) should be first", order, early)
	}
}

// A sequencer that finds the head held by another returns 0 at once (SKIP
// LOCKED) and chains nothing; the holder's batch is the only one.
func TestSecondSequencerSkipsTheHeldHead(t *testing.T) {
	t.Parallel()
	db, _ := dbtest.OpenFresh(t)
	for range 3 {
		record(t, db)
	}
	first := db.Begin()
	defer first.Rollback()
	var n int
	if err := first.Raw(`SELECT audit_chain_advance(1000)`).Row().Scan(&n); err != nil || n != 3 {
		t.Fatalf("first sequencer: %d, %v; want 3", n, err)
	}
	var second int
	if err := db.Raw(`SELECT audit_chain_advance(1000)`).Row().Scan(&second); err != nil || second != 0 {
		t.Fatalf("second sequencer while the first holds the head: %d, %v; want 0", second, err)
	}
	if err := first.Commit().Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Raw(`SELECT audit_chain_advance(1000)`).Row().Scan(&second); err != nil || second != 0 {
		t.Fatalf("second sequencer after the first committed: %d, %v; want 0", second, err)
	}
	if v := verifyOnly(t, db); !v.OK() || v.Checked != 3 || v.Pending != 0 {
		t.Fatalf("after both: %s", v)
	}
}

// Sequencers racing each other and the writers chain every committed entry
// once: audit_chain's unique entry_id would fail a second link, and Verify
// would see a fork or a gap.
func TestConcurrentSequencersNeverDoubleChain(t *testing.T) {
	t.Parallel()
	db, _ := dbtest.OpenFresh(t)
	const writers, each, sequencers = 4, 25, 3
	ctx, cancel := context.WithCancel(context.Background())
	var seqs sync.WaitGroup
	errs := make(chan error, sequencers+writers)
	for range sequencers {
		seqs.Add(1)
		go func() {
			defer seqs.Done()
			for ctx.Err() == nil {
				var n int
				// Batches of 2: many turns on the head.
				if err := db.WithContext(ctx).Raw(`SELECT audit_chain_advance(2)`).Row().Scan(&n); err != nil && ctx.Err() == nil {
					errs <- err
					return
				}
			}
		}()
	}
	var wg sync.WaitGroup
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				id := uuid.New()
				if err := db.Transaction(func(tx *gorm.DB) error {
					return audit.Record(tx, nil, audit.ActionRead, "Case", &id)
				}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	cancel()
	seqs.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	v := verify(t, db)
	if !v.OK() || v.Checked != writers*each || v.Pending != 0 {
		t.Fatalf("%d entries under %d sequencers: %s", writers*each, sequencers, v)
	}
}

func TestVerifyPendingTampering(t *testing.T) {
	t.Parallel()
	t.Run("BrokenAtAnEntryWhosePendingMarkWasDeleted", func(t *testing.T) {
		t.Parallel()
		db, _ := dbtest.OpenFresh(t)
		record(t, db)
		chain(t, db)
		lost := record(t, db)
		if err := db.Exec(`DELETE FROM audit_unchained WHERE entry_id = ?`, lost).Error; err != nil {
			t.Fatal(err)
		}
		if v := verify(t, db); v.BrokenAt == nil || *v.BrokenAt != lost || v.Checked != 1 {
			t.Fatalf("entry %s without a link or a pending mark: %s", lost, v)
		}
	})
	t.Run("BrokenAtAnEntryDeletedBeforeItWasChained", func(t *testing.T) {
		t.Parallel()
		db, _ := dbtest.OpenFresh(t)
		gone := record(t, db)
		superuser(t, db, `DELETE FROM audit_entries WHERE id = '`+gone.String()+`'`)
		if v := verifyOnly(t, db); v.BrokenAt == nil || *v.BrokenAt != gone {
			t.Fatalf("pending entry %s deleted: %s", gone, v)
		}
	})
	t.Run("BrokenAtAChainedEntryMarkedPendingAgain", func(t *testing.T) {
		t.Parallel()
		db, _ := dbtest.OpenFresh(t)
		again := record(t, db)
		chain(t, db)
		if err := db.Exec(`INSERT INTO audit_unchained (entry_id) VALUES (?)`, again).Error; err != nil {
			t.Fatal(err)
		}
		if v := verifyOnly(t, db); v.BrokenAt == nil || *v.BrokenAt != again {
			t.Fatalf("chained entry %s pending again: %s", again, v)
		}
	})
}

// Run chains what is written while it runs and returns when its context ends.
func TestSequencerRun(t *testing.T) {
	t.Parallel()
	db, _ := dbtest.OpenFresh(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		audit.NewSequencer(db, 5*time.Millisecond, nil).Run(ctx)
	}()
	defer cancel() // a failing test stops it before its database closes
	for range 3 {
		record(t, db)
	}
	// The sequencer works on its own schedule: wait for it, within a bound.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var linked int64
		if err := db.Raw(`SELECT count(*) FROM audit_chain`).Row().Scan(&linked); err != nil {
			t.Fatal(err)
		}
		if linked == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sequencer chained %d of 3 entries in 10 s", linked)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if v := verifyOnly(t, db); !v.OK() || v.Checked != 3 {
		t.Fatalf("after Run: %s", v)
	}
}
