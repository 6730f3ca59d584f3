package push_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/internal/app"
	"mlp/internal/apptest"
	"mlp/internal/measure"
	"mlp/internal/notify"
	"mlp/internal/push"
	"mlp/models"
)

// BenchmarkCommitToPushRounds measures commit-to-push through the outbox
// with the log sender (one notification to one device, committed, then
// timed until a worker has sent it), in interleaved rounds, side by side
// with two references taken in the same loop: the same notification
// inserted by a second instance whose insert notifications have River's
// 20 ms throttle (what the outbox used before: an insert inside it wakes no
// worker and waits for the poll, 200 ms in tests), and the commit of the
// notification without a push (begin to commit), the machine's own pace.
// Both instances' workers share the database and run either's jobs. It
// reports each round's p50/p95 and the median and spread over rounds.
//
//	BENCH_ROUNDS=5 go test ./internal/push -run '^$' -bench CommitToPushRounds -benchtime 1x
func BenchmarkCommitToPushRounds(b *testing.B) {
	const perRound = 100
	rounds := measure.Rounds(5)
	s := apptest.New(b, apptest.WithWorkers())
	throttled := s.Twin(b, apptest.WithWorkers(), func(o *app.Options) { o.OutboxOptions.InsertNotifyCooldown = 20 * time.Millisecond })
	u, tok := s.User(b, models.RolePatient, nil)
	s.Do(b, tok, registerDoc, map[string]any{"p": "ANDROID", "t": "bench-token-" + uuid.NewString()[:8]}).MustOK(b)
	sent := make(chan time.Time, 16)
	for _, srv := range []*apptest.Server{s, throttled} {
		srv.App.Push.OnSent(func(push.Args) { sent <- time.Now() })
	}
	note := notify.Note{Kind: notify.KindCaseMessage, Data: map[string]any{"Reference": "MLP-2026-000001"}}
	commit := func(n *notify.Notifier) {
		if err := s.DB.Transaction(func(tx *gorm.DB) error {
			return n.To(context.Background(), tx, []uuid.UUID{u.ID}, note)
		}); err != nil {
			b.Fatal(err)
		}
	}
	pushed := func(n *notify.Notifier) time.Duration {
		commit(n)
		committed := time.Now()
		select {
		case at := <-sent:
			return at.Sub(committed)
		case <-time.After(10 * time.Second):
			b.Fatal("no push within 10 s")
			return 0
		}
	}
	outbox, river20, rowOnly := notify.NewNotifier(s.App.Outbox), notify.NewNotifier(throttled.App.Outbox), notify.NewNotifier(nil)
	var p50s, p95s, t50s, t95s, refs measure.Series
	var lines []string
	b.ResetTimer()
	for r := range rounds {
		var lat, latThrottled, commitLat []time.Duration
		for i := range perRound {
			if (r+i)%2 == 0 {
				lat = append(lat, pushed(outbox))
				latThrottled = append(latThrottled, pushed(river20))
			} else {
				latThrottled = append(latThrottled, pushed(river20))
				lat = append(lat, pushed(outbox))
			}
			start := time.Now()
			commit(rowOnly)
			commitLat = append(commitLat, time.Since(start))
		}
		p50, p95 := measure.Quantile(lat, 0.5), measure.Quantile(lat, 0.95)
		t50, t95 := measure.Quantile(latThrottled, 0.5), measure.Quantile(latThrottled, 0.95)
		ref := measure.Quantile(commitLat, 0.5)
		p50s, p95s, t50s, t95s, refs = append(p50s, measure.Ms(p50)), append(p95s, measure.Ms(p95)),
			append(t50s, measure.Ms(t50)), append(t95s, measure.Ms(t95)), append(refs, measure.Ms(ref))
		lines = append(lines, fmt.Sprintf("round %d: outbox p50 %.1f ms p95 %.1f ms max %.1f ms | River's 20 ms throttle p50 %.1f ms p95 %.1f ms | commit alone p50 %.2f ms",
			r+1, measure.Ms(p50), measure.Ms(p95), measure.Ms(lat[len(lat)-1]), measure.Ms(t50), measure.Ms(t95), measure.Ms(ref)))
	}
	b.StopTimer()
	b.ReportMetric(p50s.Median(), "p50-ms")
	b.ReportMetric(p95s.Median(), "p95-ms")
	b.Logf("%d pushes of each per round:\n%s\nmedian (min-max) over %d rounds: outbox p50 %s ms, p95 %s ms; with River's 20 ms throttle p50 %s ms, p95 %s ms; commit alone p50 %s ms",
		perRound, strings.Join(lines, "\n"), rounds, p50s, p95s, t50s, t95s, refs)
}
