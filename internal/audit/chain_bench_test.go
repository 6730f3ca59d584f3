package audit_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/internal/audit"
	"mlp/internal/database/dbtest"
	"mlp/internal/measure"
)

// BenchmarkChainLock measures what the hash chain costs concurrent audit
// writers, on the write path of migration 00021 against the one before it.
// Each cell runs 400 transactions of one audit.Record each, split over w
// concurrent writers (1, 4, 8; the test pool has 10 connections), in two
// modes side by side: "pending" as in production (the entry is marked
// pending, a Sequencer chains it meanwhile at its default period), and
// "deferred" with the old deferred trigger in its place (each commit
// appends its link under the chain head's row lock, so writers take turns
// for the length of their commits; the trigger is recreated here for the
// benchmark). Everything pending is chained between cells. Rounds
// interleave the modes (the order alternates) and the figures are the
// ratios pending/deferred of throughput and commit latency p50/p95 in the
// same round, with their spread over rounds.
//
//	BENCH_ROUNDS=5 go test ./internal/audit -run '^$' -bench ChainLock -benchtime 1x
func BenchmarkChainLock(b *testing.B) {
	const txPerCell = 400
	rounds := measure.Rounds(5)
	db := dbtest.Open(b)
	staff, _ := actors(b, db)
	// The trigger of migration 00010, as it was (00021 dropped it).
	for _, stmt := range []string{
		`CREATE FUNCTION bench_audit_chain_append() RETURNS trigger LANGUAGE plpgsql AS $$
		DECLARE
			head audit_chain_head%ROWTYPE;
			next bytea;
		BEGIN
			SELECT * INTO head FROM audit_chain_head WHERE id FOR UPDATE;
			next := audit_entry_digest(head.hash, head.seq + 1, NEW);
			INSERT INTO audit_chain (seq, entry_id, prev_hash, hash) VALUES (head.seq + 1, NEW.id, head.hash, next);
			UPDATE audit_chain_head SET seq = head.seq + 1, hash = next WHERE id;
			RETURN NULL;
		END
		$$`,
		`CREATE CONSTRAINT TRIGGER bench_audit_entries_chain AFTER INSERT ON audit_entries
			DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bench_audit_chain_append()`,
	} {
		if err := db.Exec(stmt).Error; err != nil {
			b.Fatal(err)
		}
	}
	setDeferred := func(on bool) {
		deferred, pending := "ENABLE", "DISABLE"
		if !on {
			deferred, pending = pending, deferred
		}
		for _, stmt := range []string{
			"ALTER TABLE audit_entries " + deferred + " TRIGGER bench_audit_entries_chain",
			"ALTER TABLE audit_entries " + pending + " TRIGGER audit_entries_unchained",
		} {
			if err := db.Exec(stmt).Error; err != nil {
				b.Fatal(err)
			}
		}
	}
	defer func() {
		setDeferred(false)
		db.Exec(`DROP TRIGGER bench_audit_entries_chain ON audit_entries`)
		db.Exec(`DROP FUNCTION bench_audit_chain_append()`)
	}()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go audit.NewSequencer(db, 0, nil).Run(ctx)
	cell := func(writers int, pending bool) (tps float64, p50, p95 time.Duration) {
		setDeferred(!pending)
		defer chain(b, db)
		lat := make([][]time.Duration, writers)
		var wg sync.WaitGroup
		start := time.Now()
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range txPerCell / writers {
					id := uuid.New()
					t0 := time.Now()
					err := db.Transaction(func(tx *gorm.DB) error {
						return audit.Record(tx, staff, audit.ActionRead, "Case", &id)
					})
					if err != nil {
						b.Error(err)
						return
					}
					lat[w] = append(lat[w], time.Since(t0))
				}
			}()
		}
		wg.Wait()
		elapsed := time.Since(start)
		var all []time.Duration
		for _, l := range lat {
			all = append(all, l...)
		}
		return float64(len(all)) / elapsed.Seconds(), measure.Quantile(all, 0.5), measure.Quantile(all, 0.95)
	}
	type ratios struct{ tps, p50, p95 measure.Series }
	byWriters := map[int]*ratios{}
	var lines []string
	b.ResetTimer()
	for r := range rounds {
		for _, writers := range []int{1, 4, 8} {
			type res struct {
				tps      float64
				p50, p95 time.Duration
			}
			got := map[bool]res{}
			for _, pending := range []bool{r%2 == 0, r%2 != 0} {
				tps, p50, p95 := cell(writers, pending)
				got[pending] = res{tps, p50, p95}
			}
			c, p := got[true], got[false]
			q := byWriters[writers]
			if q == nil {
				q = &ratios{}
				byWriters[writers] = q
			}
			q.tps = append(q.tps, c.tps/p.tps)
			q.p50 = append(q.p50, float64(c.p50)/float64(p.p50))
			q.p95 = append(q.p95, float64(c.p95)/float64(p.p95))
			lines = append(lines, fmt.Sprintf("round %d, %2d writers: pending %5.0f tx/s p50 %5.2f ms p95 %5.2f ms | deferred %5.0f tx/s p50 %5.2f ms p95 %5.2f ms",
				r+1, writers, c.tps, measure.Ms(c.p50), measure.Ms(c.p95), p.tps, measure.Ms(p.p50), measure.Ms(p.p95)))
		}
	}
	b.StopTimer()
	// Both modes wrote one chain.
	if v, err := audit.Verify(context.Background(), db); err != nil || !v.OK() || v.Pending != 0 {
		b.Fatalf("after the rounds: %v %s", err, v)
	}
	var sum []string
	for _, writers := range []int{1, 4, 8} {
		q := byWriters[writers]
		sum = append(sum, fmt.Sprintf("%2d writers: throughput pending/deferred %s, p50 %s, p95 %s", writers, q.tps, q.p50, q.p95))
		b.ReportMetric(q.tps.Median(), fmt.Sprintf("tps-ratio-%dw", writers))
	}
	b.Logf("%d transactions per cell:\n%s\nratios pending/deferred, median (min-max) over %d rounds:\n%s",
		txPerCell, strings.Join(lines, "\n"), rounds, strings.Join(sum, "\n"))
}
