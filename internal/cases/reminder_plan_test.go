package cases_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"mlp/internal/cases"
	"mlp/internal/database/dbtest"
	"mlp/internal/outbox"
)

// TestCancelRemindersUsesItsIndex: dropping a case's reminders (its deadline
// changed, or it closed) finds them by the case's id through the partial
// index of migration 00020, also in a generic plan (the pool's prepared
// statements end up with one), instead of reading every reminder job.
func TestCancelRemindersUsesItsIndex(t *testing.T) {
	tx := dbtest.Open(t).Begin()
	defer tx.Rollback()
	if err := tx.Exec(`INSERT INTO river_job (args, kind, max_attempts, queue, state, scheduled_at)
		SELECT jsonb_build_object('case_id', gen_random_uuid()::text, 'deadline', '2027-01-01', 'days_before', 3),
			?, 5, 'default', 'scheduled', now() + interval '10 days'
		FROM generate_series(1, 3000)`, cases.ReminderKind).Error; err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`ANALYZE river_job`, `SET LOCAL plan_cache_mode = force_generic_plan`} {
		if err := tx.Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	var plan []string
	if err := tx.Raw(`EXPLAIN `+outbox.CancelStatement(cases.ReminderKind, "case_id"), uuid.NewString()).Scan(&plan).Error; err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(plan, "\n"); !strings.Contains(text, "river_job_deadline_reminder_case_idx") {
		t.Fatalf("the cancel does not use its index:\n%s", text)
	}
}
