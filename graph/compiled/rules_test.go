package compiled_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/internal/page"
	"mlp/models"
)

// TestSQLRulesAgreeWithGo holds each rule the compiled reads write as SQL to
// its Go definition, on the same inputs: urgent (every status, deadlines
// around today), the FHIR mapping, the time format and cursors. (The case
// scope is held to canRead in internal/cases.)
func TestSQLRulesAgreeWithGo(t *testing.T) {
	s := apptest.New(t)
	db := s.DB
	t.Run("Urgent", func(t *testing.T) {
		now := time.Date(2026, 3, 8, 23, 30, 0, 0, time.UTC)
		today := models.NewDate(now)
		for _, st := range models.AllCaseStatuses {
			for d := -20; d <= 20; d++ {
				dl := models.NewDate(now.AddDate(0, 0, d))
				c := &models.Case{Status: st, Deadline: &dl}
				var got bool
				if err := db.Raw("SELECT "+models.UrgentSQL("x.d", "x.s", "x.t")+" FROM (SELECT ?::date AS d, ?::text AS s, ?::date AS t) x", dl.String(), string(st), today.String()).Scan(&got).Error; err != nil {
					t.Fatal(err)
				}
				if want := c.Urgent(now); got != want {
					t.Fatalf("%s, deadline %+d days: SQL says %v, Go %v", st, d, got, want)
				}
			}
		}
	})
	t.Run("FhirTaskStatus", func(t *testing.T) {
		for _, st := range models.AllCaseStatuses {
			var got string
			if err := db.Raw("SELECT ("+models.FhirTaskStatusSQL("?::text")+")::json #>> '{}'", string(st)).Scan(&got).Error; err != nil {
				t.Fatal(err)
			}
			if want := st.FhirTaskStatus(); got != want {
				t.Fatalf("%s: SQL %q, Go %q", st, got, want)
			}
		}
	})
	t.Run("ReferralStatus", func(t *testing.T) {
		now := time.Date(2026, 3, 8, 23, 30, 0, 0, time.UTC)
		for _, st := range []models.ReferralStatus{models.ReferralSent, models.ReferralClaimed, models.ReferralClosed, models.ReferralCancelled} {
			for _, d := range []time.Duration{-time.Hour, -time.Microsecond, 0, time.Microsecond, time.Hour} {
				r := &models.Referral{Status: st, ExpiresAt: now.Add(d)}
				var got string
				if err := db.Raw("SELECT "+models.ReferralStatusSQL("x.s", "x.e", "x.n")+" FROM (SELECT ?::text AS s, ?::timestamptz AS e, ?::timestamptz AS n) x",
					string(st), r.ExpiresAt, now).Scan(&got).Error; err != nil {
					t.Fatal(err)
				}
				if want := r.StatusAt(now); got != string(want) {
					t.Fatalf("%s expiring %v from now: SQL %s, Go %s", st, d, got, want)
				}
			}
		}
	})
	t.Run("TimesAndCursors", func(t *testing.T) {
		base := time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC)
		for _, frac := range []time.Duration{0, time.Microsecond, 10 * time.Microsecond, 100 * time.Millisecond, 123456 * time.Microsecond, 999999 * time.Microsecond} {
			at := base.Add(frac)
			id := uuid.Must(uuid.NewV7())
			var rfc, key string
			if err := db.Raw("SELECT "+page.RFC3339SQL("?::timestamptz")+", "+page.TimeKeySQL("?::timestamptz", "?::uuid"), at, at, at, at, id).Row().Scan(&rfc, &key); err != nil {
				t.Fatal(err)
			}
			if want := at.Format(time.RFC3339Nano); rfc != want {
				t.Fatalf("time: SQL %q, Go %q", rfc, want)
			}
			if want := page.TimeKey(at, id); key != want {
				t.Fatalf("cursor: SQL %q, Go %q", key, want)
			}
		}
	})
}
