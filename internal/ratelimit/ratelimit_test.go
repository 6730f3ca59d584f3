package ratelimit_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/internal/database/dbtest"
	"mlp/internal/ratelimit"
	"mlp/models"
)

// clock is a settable test clock.
type clock struct{ t atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.t.Store(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *clock) now() time.Time      { return time.Unix(0, c.t.Load()).UTC() }
func (c *clock) add(d time.Duration) { c.t.Add(int64(d)) }
func rule(limit int, w time.Duration) ratelimit.Rule {
	return ratelimit.Rule{Name: "test-" + uuid.NewString()[:8], Limit: limit, Window: w}
}

func retryAfter(t *testing.T, err error) int {
	t.Helper()
	var e *models.Error
	if !errors.As(err, &e) || e.Code != models.ERATELIMITED {
		t.Fatalf("err = %v, want RATE_LIMITED", err)
	}
	return e.RetryAfterSeconds
}

func TestTake(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	ctx := context.Background()

	t.Run("LimitThenWindowSlides", func(t *testing.T) {
		c := newClock()
		l := ratelimit.New(db, ratelimit.Defaults(), c.now)
		r := rule(3, time.Minute)
		for i := range 3 {
			if err := l.Take(ctx, r.For("k")); err != nil {
				t.Fatalf("take %d: %v", i, err)
			}
			c.add(10 * time.Second)
		}
		// 30 s after the first: it frees in 30 s.
		if secs := retryAfter(t, l.Take(ctx, r.For("k"))); secs != 30 {
			t.Fatalf("retryAfterSeconds = %d, want 30", secs)
		}
		if err := l.Check(ctx, r.For("k")); err == nil {
			t.Fatal("Check passed a full bucket")
		}
		if err := l.Take(ctx, r.For("other")); err != nil {
			t.Fatalf("another key: %v", err)
		}
		c.add(30 * time.Second)
		if err := l.Take(ctx, r.For("k")); err != nil {
			t.Fatalf("after the window: %v", err)
		}
	})
	t.Run("AllOrNothing", func(t *testing.T) {
		l := ratelimit.New(db, ratelimit.Defaults(), newClock().now)
		small, big := rule(1, time.Hour), rule(5, time.Hour)
		if err := l.Take(ctx, small.For("a"), big.For("b")); err != nil {
			t.Fatal(err)
		}
		retryAfter(t, l.Take(ctx, small.For("a"), big.For("b")))
		// The refused take counted nothing in big: 4 more fit.
		for i := range 4 {
			if err := l.Take(ctx, big.For("b")); err != nil {
				t.Fatalf("take %d: %v", i, err)
			}
		}
		retryAfter(t, l.Take(ctx, big.For("b")))
	})
	t.Run("UndoGivesBackOneSlot", func(t *testing.T) {
		l := ratelimit.New(db, ratelimit.Defaults(), newClock().now)
		r := rule(2, time.Hour)
		_ = l.Take(ctx, r.For("k"))
		_ = l.Take(ctx, r.For("k"))
		retryAfter(t, l.Take(ctx, r.For("k")))
		if err := l.Undo(ctx, r.For("k")); err != nil {
			t.Fatal(err)
		}
		if err := l.Take(ctx, r.For("k")); err != nil {
			t.Fatalf("after undo: %v", err)
		}
	})
	t.Run("OffRulesAndEmptyKeysCountNothing", func(t *testing.T) {
		l := ratelimit.New(db, ratelimit.Defaults(), newClock().now)
		off := ratelimit.Rule{Name: "off"}
		r := rule(1, time.Hour)
		for range 3 {
			if err := l.Take(ctx, off.For("k"), r.For("")); err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("ConcurrentTakesHoldTheLimitExactly", func(t *testing.T) {
		l := ratelimit.New(db, ratelimit.Defaults(), time.Now)
		a, b := rule(7, time.Hour), rule(50, time.Hour)
		var ok atomic.Int32
		var wg sync.WaitGroup
		for range 30 {
			wg.Go(func() {
				// Two orders of the same buckets: the locks are taken
				// sorted, so they cannot deadlock.
				if err := l.Take(ctx, b.For("y"), a.For("x")); err == nil {
					ok.Add(1)
				}
			})
		}
		wg.Wait()
		if ok.Load() != 7 {
			t.Fatalf("%d takes passed, want 7", ok.Load())
		}
	})
	t.Run("TakeTxCountsOnlyWhenCommitted", func(t *testing.T) {
		l := ratelimit.New(db, ratelimit.Defaults(), newClock().now)
		r := rule(1, time.Hour)
		errRollback := errors.New("rollback")
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := l.TakeTx(tx, r.For("k")); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatal(err)
		}
		if err := l.Take(ctx, r.For("k")); err != nil {
			t.Fatalf("a rolled-back take counted: %v", err)
		}
	})
}

func TestAcquire(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	ctx := context.Background()
	c := newClock()
	l := ratelimit.New(db, ratelimit.Defaults(), c.now)
	r := rule(2, time.Minute)
	a, err := l.Acquire(ctx, r.For("u"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Acquire(ctx, r.For("u")); err != nil {
		t.Fatal(err)
	}
	retryAfter(t, func() error { _, err := l.Acquire(ctx, r.For("u")); return err }())
	if err := a.Release(ctx); err != nil {
		t.Fatal(err)
	}
	b, err := l.Acquire(ctx, r.For("u"))
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	// Renewed leases live on; one whose instance died expires.
	c.add(40 * time.Second)
	if err := b.Renew(ctx); err != nil {
		t.Fatal(err)
	}
	c.add(40 * time.Second) // the unrenewed one is 80 s old: expired
	if _, err := l.Acquire(ctx, r.For("u")); err != nil {
		t.Fatalf("an expired lease still counts: %v", err)
	}
	retryAfter(t, func() error { _, err := l.Acquire(ctx, r.For("u")); return err }())
}
