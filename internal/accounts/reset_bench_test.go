package accounts_test

import (
	"sort"
	"testing"
	"time"

	"mlp/internal/apptest"
	"mlp/models"
)

// BenchmarkRequestPasswordReset times requestPasswordReset over HTTP for an
// existing account and for an unknown address, interleaved (known, unknown,
// known, ...) so that the machine's noise falls on both alike, and reports
// each one's median and the ratio unknown/known (1.0 means the answer's
// time tells nothing):
//
//	go test ./internal/accounts -run '^$' -bench RequestPasswordReset -benchtime 400x
func BenchmarkRequestPasswordReset(b *testing.B) {
	limits := apptest.TestRateLimits()
	limits.PasswordResetPerEmail.Limit = 0
	s := apptest.New(b, apptest.WithRateLimits(limits))
	u, _ := s.User(b, models.RolePatient, nil)
	known := map[string]any{"email": u.Email}
	unknown := map[string]any{"email": "nobody-" + u.Email}
	var tk, tu []time.Duration
	b.ResetTimer()
	for i := range b.N {
		vars, into := known, &tk
		if i%2 == 1 {
			vars, into = unknown, &tu
		}
		start := time.Now()
		s.Do(b, "", requestResetOp, vars).MustOK(b)
		*into = append(*into, time.Since(start))
	}
	b.StopTimer()
	if len(tk) == 0 || len(tu) == 0 {
		return
	}
	mk, mu := median(tk), median(tu)
	b.ReportMetric(float64(mk.Microseconds()), "µs-known-p50")
	b.ReportMetric(float64(mu.Microseconds()), "µs-unknown-p50")
	b.ReportMetric(float64(mu)/float64(mk), "unknown/known")
}

func median(ds []time.Duration) time.Duration {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2]
}
