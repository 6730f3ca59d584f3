// Package clock is the application's one clock. cmd/server makes one Clock
// and hands it to database.Open (GORM's NowFunc) and to every service; tests
// make a Manual one and move it. Every time the application stamps comes from
// Clock.Now: in UTC and cut to the microseconds PostgreSQL keeps, so that a
// value written answers equal to the value read back. This is the only place
// that truncation is written.
package clock

import (
	"sync"
	"time"
)

// Clock tells the time. The zero value (nil) is the wall clock.
type Clock func() time.Time

// System is the wall clock.
var System Clock = time.Now

// Now returns the time in UTC, cut to microseconds (PostgreSQL's precision).
func (c Clock) Now() time.Time {
	var t time.Time
	if c == nil {
		t = time.Now()
	} else {
		t = c()
	}
	return Round(t)
}

// Func returns c as a plain func, never nil, for APIs that take one (GORM's
// NowFunc); it returns the same rounded times as Now.
func (c Clock) Func() func() time.Time { return c.Now }

// Round returns t in UTC cut to microseconds, as PostgreSQL stores it.
func Round(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// Manual is a clock that tests set and move; safe for concurrent use.
type Manual struct {
	mu sync.Mutex
	t  time.Time
}

// NewManual returns a clock stopped at t.
func NewManual(t time.Time) *Manual { return &Manual{t: t} }

// Now returns the clock's time.
func (m *Manual) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.t
}

// Set moves the clock to t.
func (m *Manual) Set(t time.Time) {
	m.mu.Lock()
	m.t = t
	m.mu.Unlock()
}

// Add moves the clock on by d.
func (m *Manual) Add(d time.Duration) {
	m.mu.Lock()
	m.t = m.t.Add(d)
	m.mu.Unlock()
}

// Clock returns m as a Clock.
func (m *Manual) Clock() Clock { return m.Now }
