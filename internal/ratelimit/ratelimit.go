// Package ratelimit counts attempts in PostgreSQL, so that every server
// instance sharing the database enforces the same limits.
package ratelimit

import (
	"context"
	"math"
	"time"

	"gorm.io/gorm"

	"mlp/models"
)

// Limiter counts attempts per bucket over a sliding window.
type Limiter struct {
	db  *gorm.DB
	now func() time.Time
}

// New returns a limiter on db with the given clock.
func New(db *gorm.DB, now func() time.Time) *Limiter { return &Limiter{db: db, now: now} }

// Check returns RATE_LIMITED when bucket already holds limit attempts within
// window, without counting a new one.
func (l *Limiter) Check(ctx context.Context, bucket string, limit int, window time.Duration) error {
	return l.check(l.db.WithContext(ctx), bucket, limit, window)
}

func (l *Limiter) check(tx *gorm.DB, bucket string, limit int, window time.Duration) error {
	now := l.now()
	var row struct {
		N      int
		Oldest *time.Time
	}
	err := tx.Raw(`SELECT count(*) AS n, min(at) AS oldest FROM rate_limit_events WHERE bucket = ? AND at > ?`,
		bucket, now.Add(-window)).Scan(&row).Error
	if err != nil {
		return err
	}
	if row.N >= limit && row.Oldest != nil {
		wait := row.Oldest.Add(window).Sub(now)
		return models.RateLimited(int(math.Max(1, math.Ceil(wait.Seconds()))))
	}
	return nil
}

// Hit counts one attempt in bucket and forgets the bucket's attempts older
// than window.
func (l *Limiter) Hit(ctx context.Context, bucket string, window time.Duration) error {
	return l.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return l.hit(tx, bucket, window)
	})
}

func (l *Limiter) hit(tx *gorm.DB, bucket string, window time.Duration) error {
	now := l.now()
	if err := tx.Where("bucket = ? AND at <= ?", bucket, now.Add(-window)).Delete(&models.RateLimitEvent{}).Error; err != nil {
		return err
	}
	return tx.Create(&models.RateLimitEvent{Bucket: bucket, At: now}).Error
}

// Take counts one attempt in bucket unless it already holds limit attempts
// within window, in which case it returns RATE_LIMITED. Concurrent takes of
// one bucket are serialised, so the limit holds exactly.
func (l *Limiter) Take(ctx context.Context, bucket string, limit int, window time.Duration) error {
	return l.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`, bucket).Error; err != nil {
			return err
		}
		if err := l.check(tx, bucket, limit, window); err != nil {
			return err
		}
		return l.hit(tx, bucket, window)
	})
}

// Undo takes back one attempt counted in bucket, for an attempt that turned
// out not to count: Take reserves the attempt before the outcome is known (so
// that concurrent attempts cannot slip past the limit), and a caller that
// limits failures only gives the reservation back on success.
func (l *Limiter) Undo(ctx context.Context, bucket string) error {
	return l.db.WithContext(ctx).Exec(`DELETE FROM rate_limit_events WHERE id = (
		SELECT id FROM rate_limit_events WHERE bucket = ? ORDER BY at DESC, id DESC LIMIT 1)`, bucket).Error
}
