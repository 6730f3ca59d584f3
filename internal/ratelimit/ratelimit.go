// Package ratelimit counts attempts in PostgreSQL, so that every server
// instance sharing the database enforces the same limits, and tells who the
// client of a request is (its IP, behind trusted proxies) so that limits can
// be kept per client address as well as per account.
//
// A caller names what it limits with a Rule (Rules holds the API's, each
// configurable) and a key: an account id, an email, ClientFrom(ctx).Key().
//
//	err := limiter.Take(ctx, rules.PasswordResetPerEmail.For(email),
//		rules.PasswordResetPerIP.For(ratelimit.ClientFrom(ctx).Key()))
//
// Take counts one attempt in each bucket, or in none when any is full
// (RATE_LIMITED, with the seconds until the fullest frees a slot). A hit with
// an empty key or an Off rule is left out: a service called with no client
// address (a worker, a service test) is limited per account only.
package ratelimit

import (
	"context"
	"crypto/sha256"
	"database/sql/driver"
	"encoding/hex"
	"math"
	"slices"
	"time"

	"gorm.io/gorm"

	"mlp/models"
)

// Limiter counts attempts per bucket over a sliding window, and carries the
// API's rules so that each service reads its limits from one place.
type Limiter struct {
	db    *gorm.DB
	rules Rules
	now   func() time.Time
}

// New returns a limiter on db with the given rules and clock.
func New(db *gorm.DB, rules Rules, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{db: db, rules: rules, now: now}
}

// Rules returns the limiter's rules.
func (l *Limiter) Rules() Rules { return l.rules }

// Hit is one attempt of a rule for one key.
type Hit struct {
	Rule Rule
	Key  string
}

// For returns the hit of r for key (an account id, an email, a client
// address). The key is hashed into the bucket's name, so the table holds no
// email addresses or IPs.
func (r Rule) For(key string) Hit { return Hit{Rule: r, Key: key} }

func (h Hit) bucket() string {
	sum := sha256.Sum256([]byte(h.Key))
	return h.Rule.Name + ":" + hex.EncodeToString(sum[:16])
}

// active returns the hits that count, one per bucket.
func active(hits []Hit) []Hit {
	out := make([]Hit, 0, len(hits))
	for _, h := range hits {
		if h.Rule.Off() || h.Key == "" || slices.ContainsFunc(out, func(o Hit) bool { return o.bucket() == h.bucket() }) {
			continue
		}
		out = append(out, h)
	}
	return out
}

// Take counts one attempt in the bucket of each hit unless one of them already
// holds its limit within its window: then it counts nothing and returns
// RATE_LIMITED with the seconds until that bucket frees a slot (the longest
// such wait). Concurrent takes of a bucket are serialised (an advisory lock
// per bucket, taken in one order), so limits hold exactly across instances.
// Errors: RATE_LIMITED, or the database's.
func (l *Limiter) Take(ctx context.Context, hits ...Hit) error {
	if len(active(hits)) == 0 {
		return nil
	}
	return l.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return l.TakeTx(tx, hits...) })
}

// TakeTx is Take inside the caller's transaction tx: the attempts count only
// if tx commits, and the buckets stay locked until it ends (keep tx short).
// A write that should count only when it really happens (a new case, not a
// retry of one) takes its slot this way.
func (l *Limiter) TakeTx(tx *gorm.DB, hits ...Hit) error {
	if err := l.LockTx(tx, hits...); err != nil {
		return err
	}
	return l.CountTx(tx, hits...)
}

// CountTx is TakeTx once LockTx has locked the same hits in tx.
func (l *Limiter) CountTx(tx *gorm.DB, hits ...Hit) error {
	hits = active(hits)
	if len(hits) == 0 {
		return nil
	}
	now := l.now()
	buckets, since := l.buckets(hits, now)
	if err := check(tx, hits, buckets, since, now); err != nil {
		return err
	}
	if err := tx.Exec(`DELETE FROM rate_limit_events e USING unnest(?::text[], ?::timestamptz[]) AS b(bucket, since)
		WHERE e.bucket = b.bucket AND e.at <= b.since`, buckets, since).Error; err != nil {
		return err
	}
	return tx.Exec(`INSERT INTO rate_limit_events (bucket, at) SELECT b, ?::timestamptz FROM unnest(?::text[]) AS b`, now, buckets).Error
}

// LockTx takes the advisory locks of the hits' buckets inside the caller's
// transaction tx, until it ends, as TakeTx does: a caller that must decide
// something under the lock before counting (whether an attempt is a retry of
// one already counted) locks first, then calls CountTx.
func (l *Limiter) LockTx(tx *gorm.DB, hits ...Hit) error {
	hits = active(hits)
	if len(hits) == 0 {
		return nil
	}
	buckets, _ := l.buckets(hits, l.now())
	return lock(tx, buckets)
}

// Check returns RATE_LIMITED when the bucket of a hit already holds its
// limit within its window, without counting anything.
func (l *Limiter) Check(ctx context.Context, hits ...Hit) error {
	hits = active(hits)
	if len(hits) == 0 {
		return nil
	}
	now := l.now()
	buckets, since := l.buckets(hits, now)
	return check(l.db.WithContext(ctx), hits, buckets, since, now)
}

// Undo takes back the newest attempt counted in the bucket of each hit, for
// an attempt that turned out not to count: Take reserves the attempt before
// the outcome is known (so that concurrent attempts cannot slip past the
// limit), and a caller that limits failures only gives the reservation back
// on success.
func (l *Limiter) Undo(ctx context.Context, hits ...Hit) error {
	hits = active(hits)
	if len(hits) == 0 {
		return nil
	}
	buckets, _ := l.buckets(hits, l.now())
	return l.db.WithContext(ctx).Exec(`DELETE FROM rate_limit_events WHERE id IN (
		SELECT (SELECT id FROM rate_limit_events e WHERE e.bucket = b ORDER BY at DESC, id DESC LIMIT 1)
		FROM unnest(?::text[]) AS b)`, buckets).Error
}

func (l *Limiter) buckets(hits []Hit, now time.Time) (textArray, timeArray) {
	buckets := make(textArray, len(hits))
	since := make(timeArray, len(hits))
	for i, h := range hits {
		buckets[i] = h.bucket()
		since[i] = now.Add(-h.Rule.Window)
	}
	return buckets, since
}

// lock takes the advisory locks of buckets inside tx, in one order, so that
// two takes of overlapping buckets cannot deadlock.
func lock(tx *gorm.DB, buckets textArray) error {
	return tx.Exec(`SELECT pg_advisory_xact_lock(hashtextextended(b, 0)) FROM (SELECT b FROM unnest(?::text[]) AS b ORDER BY b) AS s`,
		buckets).Error
}

func check(tx *gorm.DB, hits []Hit, buckets textArray, since timeArray, now time.Time) error {
	var rows []struct {
		Bucket string
		N      int
		Oldest *time.Time
	}
	err := tx.Raw(`SELECT b.bucket, count(e.id) AS n, min(e.at) AS oldest
		FROM unnest(?::text[], ?::timestamptz[]) AS b(bucket, since)
		LEFT JOIN rate_limit_events e ON e.bucket = b.bucket AND e.at > b.since
		GROUP BY b.bucket`, buckets, since).Scan(&rows).Error
	if err != nil {
		return err
	}
	limited, wait := false, time.Duration(0)
	for _, row := range rows {
		i := slices.Index(buckets, row.Bucket)
		if i < 0 || row.N < hits[i].Rule.Limit {
			continue
		}
		limited = true
		if row.Oldest != nil {
			wait = max(wait, row.Oldest.Add(hits[i].Rule.Window).Sub(now))
		}
	}
	if limited {
		return models.RateLimited(retryAfter(wait))
	}
	return nil
}

func retryAfter(wait time.Duration) int { return int(math.Max(1, math.Ceil(wait.Seconds()))) }

// textArray and timeArray pass Go slices as one PostgreSQL array parameter
// (GORM would expand a plain slice into a list of parameters).
type (
	textArray []string
	timeArray []time.Time
)

// Value writes the array literal; bucket names are hex and rule names, but
// quotes and backslashes are escaped all the same.
func (a textArray) Value() (driver.Value, error) {
	return models.TextArray(a), nil
}

// Value writes the array literal of RFC 3339 timestamps.
func (a timeArray) Value() (driver.Value, error) {
	s := make(textArray, len(a))
	for i, t := range a {
		s[i] = t.UTC().Format(time.RFC3339Nano)
	}
	return s.Value()
}
