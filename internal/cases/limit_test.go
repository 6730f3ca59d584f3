package cases_test

import (
	"sync"
	"testing"
	"time"

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

// limitOf3 are the test limits with three new cases a day per patient.
func limitOf3() ratelimit.Rules {
	r := apptest.TestRateLimits()
	r.RequestLegalHelpPerUser = ratelimit.Defaults().RequestLegalHelpPerUser
	r.RequestLegalHelpPerUser.Limit = 3
	return r
}

// TestRefusedCaseTakesNoReference: a RATE_LIMITED request is refused before
// a reference number is taken (the year's sequence gives none back), so a
// patient looping on the limit cannot use up the year's numbers. The server
// lives in 2095, a year of its own in the package's database.
func TestRefusedCaseTakesNoReference(t *testing.T) {
	at := time.Date(2095, 3, 1, 12, 0, 0, 0, time.UTC)
	s := apptest.New(t, apptest.WithRateLimits(limitOf3()), apptest.WithClock(func() time.Time { return at }))
	state := freeState(t)
	s.Org(t, models.OrgLegalAid, []string{state}, models.CategoryHousing)
	_, tok := s.User(t, models.RolePatient, nil)
	const m = `mutation($in: RequestLegalHelpInput!) { requestLegalHelp(input: $in) { id reference } }`
	for range 3 {
		s.Do(t, tok, m, map[string]any{"in": requestInput(state, models.CategoryHousing)}).MustOK(t)
	}
	last := func() int64 {
		var n int64
		if err := s.DB.Raw(`SELECT last_value FROM pg_sequences WHERE sequencename = 'case_reference_2095'`).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := last(); n != 3 {
		t.Fatalf("after 3 cases the year's sequence is at %d", n)
	}
	for range 10 {
		s.Do(t, tok, m, map[string]any{"in": requestInput(state, models.CategoryHousing)}).MustCode(t, "RATE_LIMITED")
	}
	if n := last(); n != 3 {
		t.Fatalf("10 refused requests moved the year's sequence to %d", n)
	}
	_, other := s.User(t, models.RolePatient, nil)
	if ref := apptest.Str(t, s.Do(t, other, m, map[string]any{"in": requestInput(state, models.CategoryHousing)}).MustOK(t),
		"requestLegalHelp.reference"); ref != "MLP-2095-000004" {
		t.Fatalf("the next case is %s", ref)
	}
}

// TestTwinsTakeTurns: a retry sent while its first try is still under way
// (held here on the patient's row) waits for it, under the limit's lock, and
// answers its case: one case, counted once, one reference number.
func TestTwinsTakeTurns(t *testing.T) {
	s := apptest.New(t, apptest.WithRateLimits(limitOf3()))
	state := freeState(t)
	s.Org(t, models.OrgLegalAid, []string{state}, models.CategoryHousing)
	patient, tok := s.User(t, models.RolePatient, nil)
	const m = `mutation($in: RequestLegalHelpInput!) { requestLegalHelp(input: $in) { id reference } }`
	in := requestInput(state, models.CategoryHousing)

	// The first try's case waits for the patient's row, which its foreign
	// key shares.
	blocker := s.DB.Begin()
	defer blocker.Rollback()
	var blockerPID int
	if err := blocker.Raw(`SELECT pg_backend_pid()`).Scan(&blockerPID).Error; err != nil {
		t.Fatal(err)
	}
	if err := blocker.Exec(`SELECT 1 FROM users WHERE id = ? FOR UPDATE`, patient.ID).Error; err != nil {
		t.Fatal(err)
	}
	answers := make([]*apptest.Response, 2)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Go(func() { answers[i] = s.Do(t, tok, m, map[string]any{"in": in}) })
	}
	// Wait until one try waits for the blocker and the other for that try.
	for i := 0; ; i++ {
		var chained int64
		s.DB.Raw(`SELECT count(*) FROM pg_stat_activity a JOIN pg_stat_activity b ON a.pid = ANY(pg_blocking_pids(b.pid))
			WHERE ? = ANY(pg_blocking_pids(a.pid))`, blockerPID).Scan(&chained)
		if chained > 0 {
			break
		}
		if i == 500 {
			t.Fatal("the two tries never waited one for the other")
		}
		time.Sleep(10 * time.Millisecond)
	}
	blocker.Rollback()
	wg.Wait()
	first := apptest.Str(t, answers[0].MustOK(t), "requestLegalHelp.id")
	if second := apptest.Str(t, answers[1].MustOK(t), "requestLegalHelp.id"); second != first {
		t.Fatalf("the twins answered cases %s and %s", first, second)
	}
	if n := countWhere(t, s, &models.Case{}, "patient_id = ?", patient.ID); n != 1 {
		t.Fatalf("%d cases", n)
	}
	// counted once: two more new cases pass, the next is refused
	for range 2 {
		s.Do(t, tok, m, map[string]any{"in": requestInput(state, models.CategoryHousing)}).MustOK(t)
	}
	s.Do(t, tok, m, map[string]any{"in": requestInput(state, models.CategoryHousing)}).MustCode(t, "RATE_LIMITED")
}
