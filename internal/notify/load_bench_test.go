package notify_test

import (
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/internal/apptest"
	"mlp/internal/live"
	"mlp/internal/notify"
	"mlp/models"
)

// BenchmarkSubscribers2000 holds 2,000 websocket subscribers of
// notificationAdded on one instance (each their own user and connection),
// reports the heap per subscriber (server and test clients together: both
// run in this process), then commits notifications in batches of 200 users
// and reports the commit-to-delivery p50/p95 over every delivery.
//
//	go test ./internal/notify -run '^$' -bench Subscribers2000 -benchtime 1x
func BenchmarkSubscribers2000(b *testing.B) {
	const subscribers, batch, rounds = 2000, 200, 5
	s := apptest.New(b)
	s.App.Listener.Start()
	users := make([]*models.User, subscribers)
	toks := make([]string, subscribers)
	for i := range users {
		users[i], toks[i] = s.User(b, models.RolePatient, nil)
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	subs := make([]*apptest.Sub, subscribers)
	for i := range subs {
		subs[i] = s.Dial(b, toks[i]).Subscribe(b, addedDoc, nil)
	}
	for i, u := range users {
		_ = i
		s.WaitSubscribers(b, live.UserTopic(u.ID), 1)
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	perSub := float64(after.HeapAlloc-before.HeapAlloc) / subscribers
	b.ReportMetric(perSub/1024, "heap-KiB/subscriber")
	b.ReportMetric(float64(runtime.NumGoroutine())/subscribers, "goroutines/subscriber")

	var mu sync.Mutex
	var lat []time.Duration
	b.ResetTimer()
	for r := range rounds {
		var wg sync.WaitGroup
		got := make([]time.Time, batch)
		for j := range batch {
			wg.Add(1)
			go func() {
				defer wg.Done()
				subs[(r*batch+j)%subscribers].Next(b)
				got[j] = time.Now()
			}()
		}
		n := notify.NewNotifier(nil)
		ids := make([]uuid.UUID, batch)
		for j := range batch {
			ids[j] = users[(r*batch+j)%subscribers].ID
		}
		err := s.DB.Transaction(func(tx *gorm.DB) error {
			return n.To(b.Context(), tx, ids, notify.Note{Kind: notify.KindCaseMessage, Data: map[string]any{"Reference": "MLP-2026-000001"}})
		})
		if err != nil {
			b.Fatal(err)
		}
		committed := time.Now()
		wg.Wait()
		mu.Lock()
		for _, t := range got {
			lat = append(lat, t.Sub(committed))
		}
		mu.Unlock()
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	q := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
	b.ReportMetric(float64(q(0.5).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(q(0.95).Microseconds())/1000, "p95-ms")
	b.Logf("%d subscribers: heap %.1f KiB each; commit-to-delivery over %d deliveries: p50 %v p95 %v max %v",
		subscribers, perSub/1024, len(lat), q(0.5), q(0.95), lat[len(lat)-1])
}
