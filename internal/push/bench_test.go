package push_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/internal/apptest"
	"mlp/internal/notify"
	"mlp/internal/push"
	"mlp/models"
)

// BenchmarkCommitToPush measures, through the outbox with the log sender,
// the time from the commit of a notification to its push leaving the
// worker: one notification to one device per iteration, one at a time.
//
//	go test ./internal/push -run '^$' -bench CommitToPush -benchtime 200x
func BenchmarkCommitToPush(b *testing.B) {
	s := apptest.New(b, apptest.WithWorkers())
	u, tok := s.User(b, models.RolePatient, nil)
	s.Do(b, tok, registerDoc, map[string]any{"p": "ANDROID", "t": "bench-token-" + uuid.NewString()[:8]}).MustOK(b)
	// One push at a time: each delivery answers the iteration waiting.
	sent := make(chan time.Time, 16)
	s.App.Push.OnSent(func(push.Args) { sent <- time.Now() })
	n := notify.NewNotifier(s.App.Outbox)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		err := s.DB.Transaction(func(tx *gorm.DB) error {
			return n.To(context.Background(), tx, []uuid.UUID{u.ID}, notify.Note{Kind: notify.KindCaseMessage,
				Data: map[string]any{"Reference": "MLP-2026-000001"}})
		})
		if err != nil {
			b.Fatal(err)
		}
		committed := time.Now()
		select {
		case at := <-sent:
			lat = append(lat, at.Sub(committed))
		case <-time.After(10 * time.Second):
			b.Fatal("no push within 10 s")
		}
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	q := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
	b.ReportMetric(float64(q(0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(q(0.95).Microseconds())/1000, "p95-ms")
	b.Log(fmt.Sprintf("commit-to-push over %d pushes: p50 %v, p95 %v, max %v", len(lat), q(0.5), q(0.95), lat[len(lat)-1]))
}
