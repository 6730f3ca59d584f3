package notify_test

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/internal/apptest"
	"mlp/internal/live"
	"mlp/internal/measure"
	"mlp/internal/notify"
	"mlp/models"
)

// BenchmarkSubscriberRounds measures 2,000 concurrent subscribers of
// notificationAdded side by side with 200, in interleaved rounds (the order
// alternates): each phase connects that many websocket subscribers (each its
// own user and connection), reports the heap per subscriber (server and
// test clients together: both run in this process), commits 5 batches of 200
// notifications and reports the commit-to-delivery p50/p95 over the 1,000
// deliveries, then closes every connection. The ratio of 2,000 to 200 in the
// same round is the figure that survives a noisy machine.
//
//	BENCH_ROUNDS=3 go test ./internal/notify -run '^$' -bench SubscriberRounds -benchtime 1x
func BenchmarkSubscriberRounds(b *testing.B) {
	const large, small, batch, commits = 2000, 200, 200, 5
	rounds := measure.Rounds(3)
	s := apptest.New(b)
	s.App.Listener.Start()
	users := make([]*models.User, large)
	toks := make([]string, large)
	for i := range users {
		users[i], toks[i] = s.User(b, models.RolePatient, nil)
	}
	// Each phase starts from the goroutines (and so the memory) of none.
	idle := runtime.NumGoroutine()
	type phase struct {
		heapKiB  float64
		p50, p95 time.Duration
	}
	run := func(size int) phase {
		var before, after runtime.MemStats
		for deadline := time.Now().Add(30 * time.Second); runtime.NumGoroutine() > idle+20 && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond) // the last phase's connections wind down
		}
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&before)
		conns := make([]*apptest.WS, size)
		subs := make([]*apptest.Sub, size)
		for i := range size {
			conns[i] = s.Dial(b, toks[i])
			subs[i] = conns[i].Subscribe(b, addedDoc, nil)
		}
		for _, u := range users[:size] {
			s.WaitSubscribers(b, live.UserTopic(u.ID), 1)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		var lat []time.Duration
		n := notify.NewNotifier(nil)
		for c := range commits {
			var wg sync.WaitGroup
			got := make([]time.Time, batch)
			ids := make([]uuid.UUID, batch)
			for j := range batch {
				k := (c*batch + j) % size
				ids[j] = users[k].ID
				wg.Add(1)
				go func() {
					defer wg.Done()
					subs[k].Next(b)
					got[j] = time.Now()
				}()
			}
			err := s.DB.Transaction(func(tx *gorm.DB) error {
				return n.To(b.Context(), tx, ids, notify.Note{Kind: notify.KindCaseMessage, Data: map[string]any{"Reference": "MLP-2026-000001"}})
			})
			if err != nil {
				b.Fatal(err)
			}
			committed := time.Now()
			wg.Wait()
			for _, t := range got {
				lat = append(lat, t.Sub(committed))
			}
		}
		for _, w := range conns {
			w.Close()
		}
		for _, u := range users[:size] {
			for deadline := time.Now().Add(30 * time.Second); s.App.Listener.Hub().Established(live.UserTopic(u.ID)) > 0; {
				if time.Now().After(deadline) {
					b.Fatal("subscribers not gone 30 s after their connections closed")
				}
				time.Sleep(5 * time.Millisecond)
			}
		}
		return phase{heapKiB: float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(size) / 1024,
			p50: measure.Quantile(lat, 0.5), p95: measure.Quantile(lat, 0.95)}
	}
	b.ResetTimer()
	var p95Large, heapLarge, ratios measure.Series
	var lines []string
	for r := range rounds {
		order := []int{large, small}
		if r%2 == 1 {
			order = []int{small, large}
		}
		res := map[int]phase{}
		for _, size := range order {
			res[size] = run(size)
		}
		L, S := res[large], res[small]
		ratio := float64(L.p95) / float64(S.p95)
		p95Large, heapLarge, ratios = append(p95Large, measure.Ms(L.p95)), append(heapLarge, L.heapKiB), append(ratios, ratio)
		lines = append(lines, fmt.Sprintf("round %d (%d first): 2000 subs heap %.1f KiB/sub p50 %v p95 %v | 200 subs heap %.1f KiB/sub p50 %v p95 %v | p95 ratio 2000/200 %.2f",
			r+1, order[0], L.heapKiB, L.p50.Round(100*time.Microsecond), L.p95.Round(100*time.Microsecond),
			S.heapKiB, S.p50.Round(100*time.Microsecond), S.p95.Round(100*time.Microsecond), ratio))
	}
	b.StopTimer()
	b.ReportMetric(p95Large.Median(), "p95-ms-2000")
	b.ReportMetric(heapLarge.Median(), "heap-KiB/sub-2000")
	b.ReportMetric(ratios.Median(), "p95-ratio-2000/200")
	b.Logf("commit-to-delivery, 5 commits x 200 users per phase:\n%s\nmedian (min-max) over %d rounds: 2000 subs p95 %s ms, heap %s KiB/sub; p95 ratio 2000/200 %s",
		strings.Join(lines, "\n"), rounds, p95Large, heapLarge, ratios)
}
