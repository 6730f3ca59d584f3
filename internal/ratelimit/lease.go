package ratelimit

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/models"
)

// Lease is one of at most Rule.Limit things held at once in a bucket (a
// user's open websockets), on every instance: a row that lives until it is
// released or, should its instance die, until Rule.Window passes without a
// renewal.
type Lease struct {
	l   *Limiter
	id  uuid.UUID
	ttl time.Duration
}

// Acquire takes a lease in the bucket of h, or returns RATE_LIMITED when the
// bucket already holds h.Rule.Limit live ones. Renew it more often than
// h.Rule.Window (Keep does) and Release it when done. An Off rule or an empty
// key gives a lease that holds nothing.
// Errors: RATE_LIMITED, or the database's.
func (l *Limiter) Acquire(ctx context.Context, h Hit) (*Lease, error) {
	if len(active([]Hit{h})) == 0 {
		return &Lease{}, nil
	}
	lease := &Lease{l: l, id: uuid.New(), ttl: h.Rule.Window}
	bucket := h.bucket()
	err := l.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := l.now()
		if err := lock(tx, textArray{bucket}); err != nil {
			return err
		}
		if err := tx.Exec(`DELETE FROM rate_limit_leases WHERE bucket = ? AND expires_at <= ?`, bucket, now).Error; err != nil {
			return err
		}
		var n int
		if err := tx.Raw(`SELECT count(*) FROM rate_limit_leases WHERE bucket = ?`, bucket).Scan(&n).Error; err != nil {
			return err
		}
		if n >= h.Rule.Limit {
			return models.RateLimited(retryAfter(h.Rule.Window))
		}
		return tx.Exec(`INSERT INTO rate_limit_leases (id, bucket, expires_at) VALUES (?, ?, ?)`,
			lease.id, bucket, now.Add(h.Rule.Window)).Error
	})
	if err != nil {
		return nil, err
	}
	return lease, nil
}

// Renew extends the lease by its rule's window from now.
func (s *Lease) Renew(ctx context.Context) error {
	if s.l == nil {
		return nil
	}
	return s.l.db.WithContext(ctx).Exec(`UPDATE rate_limit_leases SET expires_at = ? WHERE id = ?`,
		s.l.now().Add(s.ttl), s.id).Error
}

// Release gives the lease back.
func (s *Lease) Release(ctx context.Context) error {
	if s.l == nil {
		return nil
	}
	return s.l.db.WithContext(ctx).Exec(`DELETE FROM rate_limit_leases WHERE id = ?`, s.id).Error
}

// Keep renews the lease every third of its window until ctx ends, then
// releases it (with a context of its own, as ctx is over by then).
func (s *Lease) Keep(ctx context.Context) {
	if s.l == nil {
		return
	}
	t := time.NewTicker(s.ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			_ = s.Release(rctx)
			cancel()
			return
		case <-t.C:
			_ = s.Renew(ctx)
		}
	}
}
