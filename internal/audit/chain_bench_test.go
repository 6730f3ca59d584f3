package audit_test

import (
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
// writers: every audited commit appends its link under the chain head's row
// lock, so writers take turns for the length of their commits. Each cell runs
// 400 transactions of one audit.Record each, split over w concurrent writers
// (1, 4, 8; the test pool has 10 connections), in two modes side by side:
// "chain" as in production, and "plain" with the chain's trigger disabled
// for the cell (ALTER TABLE ... DISABLE TRIGGER audit_entries_chain, between
// cells: the same insert and checks, no link). Rounds interleave the modes (the order
// alternates) and the figures are the ratios chain/plain of throughput and
// commit latency p50/p95 in the same round, with their spread over rounds.
//
//	BENCH_ROUNDS=5 go test ./internal/audit -run '^$' -bench ChainLock -benchtime 1x
func BenchmarkChainLock(b *testing.B) {
	const txPerCell = 400
	rounds := measure.Rounds(5)
	db := dbtest.Open(b)
	staff, _ := actors(b, db)
	setChain := func(on bool) {
		verb := "ENABLE"
		if !on {
			verb = "DISABLE"
		}
		if err := db.Exec("ALTER TABLE audit_entries " + verb + " TRIGGER audit_entries_chain").Error; err != nil {
			b.Fatal(err)
		}
	}
	defer setChain(true)
	cell := func(writers int, chain bool) (tps float64, p50, p95 time.Duration) {
		setChain(chain)
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
			for _, chain := range []bool{r%2 == 0, r%2 != 0} {
				tps, p50, p95 := cell(writers, chain)
				got[chain] = res{tps, p50, p95}
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
			lines = append(lines, fmt.Sprintf("round %d, %2d writers: chain %5.0f tx/s p50 %5.2f ms p95 %5.2f ms | plain %5.0f tx/s p50 %5.2f ms p95 %5.2f ms",
				r+1, writers, c.tps, measure.Ms(c.p50), measure.Ms(c.p95), p.tps, measure.Ms(p.p50), measure.Ms(p.p95)))
		}
	}
	b.StopTimer()
	var sum []string
	for _, writers := range []int{1, 4, 8} {
		q := byWriters[writers]
		sum = append(sum, fmt.Sprintf("%2d writers: throughput chain/plain %s, p50 %s, p95 %s", writers, q.tps, q.p50, q.p95))
		b.ReportMetric(q.tps.Median(), fmt.Sprintf("tps-ratio-%dw", writers))
	}
	b.Logf("%d transactions per cell:\n%s\nratios chain/plain, median (min-max) over %d rounds:\n%s",
		txPerCell, strings.Join(lines, "\n"), rounds, strings.Join(sum, "\n"))
}
