package cases_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"mlp/internal/apptest"
	"mlp/internal/cases"
	"mlp/models"
)

type reminderRow struct {
	ScheduledAt time.Time
	Days        int
}

func remindersOf(t *testing.T, s *apptest.Server, caseID string) []reminderRow {
	t.Helper()
	var rows []reminderRow
	if err := s.DB.Raw(`SELECT scheduled_at, (args ->> 'days_before')::int AS days FROM river_job
		WHERE kind = ? AND args ->> 'case_id' = ? ORDER BY scheduled_at`, cases.ReminderKind, caseID).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestDeadlineReminders: a case with a deadline gets two scheduled outbox
// jobs, 7 days and 1 day before it at 9:00 in its state's time zone; they
// are dropped when the case closes; a reminder tells the patient.
func TestDeadlineReminders(t *testing.T) {
	s := apptest.New(t)
	t.Parallel()
	state := freeState(t)
	s.Org(t, models.OrgLegalAid, []string{state}, models.CategoryHousing)
	_, tok := s.User(t, models.RolePatient, nil)
	deadline := time.Now().UTC().AddDate(0, 0, 20).Format("2006-01-02")
	in := requestInput(state, models.CategoryHousing)
	in["deadline"] = deadline
	c := request(t, s, tok, in)

	rows := remindersOf(t, s, c.ID)
	d, _ := time.Parse("2006-01-02", deadline)
	if len(rows) != 2 || rows[0].Days != 7 || rows[1].Days != 1 {
		t.Fatalf("reminders %+v", rows)
	}
	for _, r := range rows {
		want := cases.ReminderTime(state, models.Date{Time: d}, r.Days)
		if !r.ScheduledAt.Equal(want) || want.Hour() != 9 || want.Format("2006-01-02") != d.AddDate(0, 0, -r.Days).Format("2006-01-02") {
			t.Fatalf("reminder %d days before at %v, want %v (9:00 local)", r.Days, r.ScheduledAt, want)
		}
	}
	if la := cases.ReminderTime("CA", models.Date{Time: d}, 1); la.Location().String() != "America/Los_Angeles" {
		t.Fatalf("CA reminder in %v", la.Location())
	}

	// The reminder, when due, tells the patient.
	w := s.App.Resolver.Cases.ReminderWorker()
	job := &river.Job[cases.ReminderArgs]{JobRow: &rivertype.JobRow{}, Args: cases.ReminderArgs{
		CaseID: uuid.MustParse(c.ID), Deadline: deadline, DaysBefore: 7}}
	if err := w.Work(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	var n models.Notification
	if err := s.DB.Take(&n, "case_id = ? AND kind = 'DEADLINE_REMINDER'", uuid.MustParse(c.ID)).Error; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(n.Body, "in 7 days") || !strings.Contains(n.Body, deadline) {
		t.Fatalf("reminder %+v", n)
	}
	// One for a deadline since changed is dropped by the worker too.
	job.Args.Deadline = "2099-01-01"
	if err := w.Work(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	if got := countWhere(t, s, &models.Notification{}, "case_id = ? AND kind = 'DEADLINE_REMINDER'", uuid.MustParse(c.ID)); got != 1 {
		t.Fatalf("%d reminders, want 1", got)
	}

	// Closing the case drops its pending reminders in the same transaction.
	s.Do(t, tok, `mutation($id: ID!) { withdrawCase(caseId: $id) { id } }`, map[string]any{"id": c.ID}).MustOK(t)
	if rows := remindersOf(t, s, c.ID); len(rows) != 0 {
		t.Fatalf("reminders after closing: %+v", rows)
	}
}
