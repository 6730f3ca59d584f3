package cases_test

import (
	"sync"
	"testing"

	"mlp/internal/apptest"
	"mlp/internal/ratelimit"
	"mlp/models"
)

// TestRequestLegalHelpLimit: a patient opens at most 20 cases a day; the 21st
// is RATE_LIMITED and writes nothing, while a retry of an acknowledged case
// (same idempotency key, also one sent while the first is under way) still
// answers that case and counts nothing.
func TestRequestLegalHelpLimit(t *testing.T) {
	s := apptest.New(t, apptest.WithRateLimits(ratelimit.Defaults()))
	t.Parallel()
	state := freeState(t)
	s.Org(t, models.OrgLegalAid, []string{state}, models.CategoryHousing)
	patient, tok := s.User(t, models.RolePatient, nil)
	const m = `mutation($in: RequestLegalHelpInput!) { requestLegalHelp(input: $in) { id } }`

	first := requestInput(state, models.CategoryHousing)
	firstID := apptest.Str(t, s.Do(t, tok, m, map[string]any{"in": first}).MustOK(t), "requestLegalHelp.id")
	for range 5 { // retries count nothing
		if id := apptest.Str(t, s.Do(t, tok, m, map[string]any{"in": first}).MustOK(t), "requestLegalHelp.id"); id != firstID {
			t.Fatalf("a retry opened case %s, want %s", id, firstID)
		}
	}
	bad := requestInput(state, models.CategoryHousing)
	bad["description"] = ""
	s.Do(t, tok, m, map[string]any{"in": bad}).MustCode(t, "BAD_USER_INPUT") // counts nothing either
	// Concurrent twins (a retry while its first try runs) count once.
	twin := requestInput(state, models.CategoryHousing)
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() { s.Do(t, tok, m, map[string]any{"in": twin}).MustOK(t) })
	}
	wg.Wait()
	for range 18 {
		s.Do(t, tok, m, map[string]any{"in": requestInput(state, models.CategoryHousing)}).MustOK(t)
	}
	r := s.Do(t, tok, m, map[string]any{"in": requestInput(state, models.CategoryHousing)}).MustCode(t, "RATE_LIMITED")
	if secs := r.Errors[0].Extensions["retryAfterSeconds"].(float64); secs < 1 || secs > 86400 {
		t.Fatalf("retryAfterSeconds = %v", secs)
	}
	if n := countWhere(t, s, &models.Case{}, "patient_id = ?", patient.ID); n != 20 {
		t.Fatalf("%d cases, want 20", n)
	}
	// The first case's retry is still answered once the limit is reached.
	s.Do(t, tok, m, map[string]any{"in": first}).MustOK(t)
	// Another patient is not limited.
	_, other := s.User(t, models.RolePatient, nil)
	s.Do(t, other, m, map[string]any{"in": requestInput(state, models.CategoryHousing)}).MustOK(t)
}
