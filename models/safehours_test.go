package models

import (
	"testing"
	"time"
)

// TestSafeFrom: the first instant a push may reach a patient, for windows
// inside one day and across midnight, read on the patient's wall clock
// (across a DST change too).
func TestSafeFrom(t *testing.T) {
	chicago, _ := time.LoadLocation("America/Chicago")
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, chicago) }
	hours := func(a, b string) *SafeContact { return &SafeContact{SafeHoursStart: &a, SafeHoursEnd: &b} }
	for _, c := range []struct {
		name     string
		sc       *SafeContact
		now, got time.Time
	}{
		{"no hours", nil, at(2026, 12, 1, 3, 0), at(2026, 12, 1, 3, 0)},
		{"evening: morning waits", hours("18:00", "21:00"), at(2026, 12, 1, 10, 0), at(2026, 12, 1, 18, 0)},
		{"evening: inside", hours("18:00", "21:00"), at(2026, 12, 1, 18, 0), at(2026, 12, 1, 18, 0)},
		{"evening: the end is outside", hours("18:00", "21:00"), at(2026, 12, 1, 21, 0), at(2026, 12, 2, 18, 0)},
		{"overnight: late evening inside", hours("21:00", "07:00"), at(2026, 12, 1, 23, 30), at(2026, 12, 1, 23, 30)},
		{"overnight: early morning inside", hours("21:00", "07:00"), at(2026, 12, 2, 3, 0), at(2026, 12, 2, 3, 0)},
		{"overnight: morning waits for the evening", hours("21:00", "07:00"), at(2026, 12, 2, 8, 0), at(2026, 12, 2, 21, 0)},
		{"overnight: just before it opens", hours("21:00", "07:00"), at(2026, 12, 2, 20, 59), at(2026, 12, 2, 21, 0)},
		{"midnight start", hours("00:00", "06:00"), at(2026, 12, 1, 22, 0), at(2026, 12, 2, 0, 0)},
		// 2027-03-14 02:00 Chicago springs forward: 18:00 local that day is
		// 23:00 UTC, not midnight.
		{"across DST", hours("18:00", "21:00"), at(2027, 3, 13, 22, 0), at(2027, 3, 14, 18, 0)},
	} {
		got := c.sc.SafeFrom(c.now, chicago)
		if !got.Equal(c.got) {
			t.Errorf("%s: at %v, safe from %v, want %v", c.name, c.now, got.In(chicago), c.got)
		}
	}
}
