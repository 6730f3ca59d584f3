package cases_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/internal/cases"
	"mlp/models"
)

const setDeadline = `mutation($id: ID!, $d: Date, $v: Int!) {
  setCaseDeadline(caseId: $id, deadline: $d, expectedVersion: $v) { id deadline version urgent }
}`

type deadlineJSON struct {
	SetCaseDeadline struct {
		ID       string
		Deadline *string
		Version  int
		Urgent   bool
	}
}

// TestSetCaseDeadline: an advocate of the case's organization records, moves
// and clears a court date over HTTP. Each change is one transaction: a
// DEADLINE_CHANGED event the patient sees, a notification to the patient, the
// audit row, the version, and the reminders: the old date's dropped, the new
// date's scheduled 7 days and 1 day before at 9:00 in the state's main time
// zone. Refused calls (patient, another organization's advocate, a past
// date, a stale version, a closed case) change nothing.
func TestSetCaseDeadline(t *testing.T) {
	s := apptest.New(t)
	t.Parallel()
	state := freeState(t)
	org := s.Org(t, models.OrgLegalAid, []string{state}, models.CategoryHousing)
	other := s.Org(t, models.OrgLegalAid, []string{freeState(t)}, models.CategoryHousing)
	adv, advTok := s.User(t, models.RoleAdvocate, org)
	_, otherTok := s.User(t, models.RoleAdvocate, other)
	_, adminTok := s.User(t, models.RoleAdmin, nil)
	patient, patTok := s.User(t, models.RolePatient, nil)
	c := request(t, s, patTok, requestInput(state, models.CategoryHousing))
	id := uuid.MustParse(c.ID)
	if rows := remindersOf(t, s, c.ID); len(rows) != 0 {
		t.Fatalf("reminders of a case without a deadline: %+v", rows)
	}
	loc := models.StateLocation(state)
	today := time.Now().In(loc)
	day := func(n int) string { return today.AddDate(0, 0, n).Format("2006-01-02") }

	// state is what a refused call must leave as it was.
	type snapshot struct {
		version              int
		deadline             string
		events, notes, audit int64
		reminders            int
	}
	snap := func() snapshot {
		cur := reload(t, s, id)
		d := ""
		if cur.Deadline != nil {
			d = cur.Deadline.String()
		}
		return snapshot{cur.Version, d, countEvents(t, s, id),
			countWhere(t, s, &models.Notification{}, "case_id = ?", id),
			countWhere(t, s, &models.AuditEntry{}, "entity_id = ?", id),
			len(remindersOf(t, s, c.ID))}
	}
	refused := func(name, tok string, d any, version int, code, field string) {
		t.Helper()
		before := snap()
		r := s.Do(t, tok, setDeadline, map[string]any{"id": c.ID, "d": d, "v": version}).MustCode(t, code)
		if field != "" && r.Field() != field {
			t.Fatalf("%s: field %q, want %q: %s", name, r.Field(), field, r.Raw)
		}
		if after := snap(); after != before {
			t.Fatalf("%s changed the case: %+v, was %+v", name, after, before)
		}
	}
	// wantReminders checks the case's scheduled reminders are those of
	// deadline d: one per reminder day still ahead, at 9:00 state time.
	wantReminders := func(d string, days ...int) {
		t.Helper()
		rows := remindersOf(t, s, c.ID)
		if len(rows) != len(days) {
			t.Fatalf("reminders %+v, want days %v of %s", rows, days, d)
		}
		date, _ := time.Parse("2006-01-02", d)
		for i, r := range rows {
			want := time.Date(date.Year(), date.Month(), date.Day()-days[i], 9, 0, 0, 0, loc)
			if r.Days != days[i] || !r.ScheduledAt.Equal(want) {
				t.Fatalf("reminder %d: %d days at %v, want %d days at %v (9:00 %s)", i, r.Days, r.ScheduledAt, days[i], want, loc)
			}
		}
		var stale int64
		s.DB.Raw(`SELECT count(*) FROM river_job WHERE kind = ? AND args ->> 'case_id' = ? AND args ->> 'deadline' <> ?`,
			cases.ReminderKind, c.ID, d).Scan(&stale)
		if stale != 0 {
			t.Fatalf("%d reminders of an old deadline left", stale)
		}
	}
	set := func(d any, version int) deadlineJSON {
		t.Helper()
		var got deadlineJSON
		s.Do(t, advTok, setDeadline, map[string]any{"id": c.ID, "d": d, "v": version}).Decode(t, &got)
		return got
	}
	lastEvent := func() models.CaseEvent {
		t.Helper()
		var ev models.CaseEvent
		if err := s.DB.Order("created_at DESC, id DESC").Take(&ev, "case_id = ?", id).Error; err != nil {
			t.Fatal(err)
		}
		return ev
	}

	v := c.Version
	refused("patient", patTok, day(20), v, "FORBIDDEN", "")
	refused("admin", adminTok, day(20), v, "FORBIDDEN", "")
	refused("another organization's advocate", otherTok, day(20), v, "NOT_FOUND", "")
	refused("a past date", advTok, day(-1), v, "BAD_USER_INPUT", "deadline")
	refused("a stale version", advTok, day(20), v-1, "CONFLICT", "")

	// Set: reminders at 9:00 state time, 7 and 1 days before; the patient
	// sees the event and is notified.
	got := set(day(20), v)
	if got.SetCaseDeadline.Deadline == nil || *got.SetCaseDeadline.Deadline != day(20) || got.SetCaseDeadline.Version != v+1 || got.SetCaseDeadline.Urgent {
		t.Fatalf("set: %+v", got.SetCaseDeadline)
	}
	v++
	wantReminders(day(20), 7, 1)
	ev := lastEvent()
	if ev.Kind != models.EventDeadlineChanged || !ev.VisibleToPatient || ev.Message == nil || !strings.Contains(*ev.Message, day(20)) ||
		ev.ActorID == nil || *ev.ActorID != adv.ID {
		t.Fatalf("event %+v", ev)
	}
	var n models.Notification
	if err := s.DB.Take(&n, "user_id = ? AND case_id = ? AND kind = 'DEADLINE_CHANGED'", patient.ID, id).Error; err != nil || !strings.Contains(n.Body, day(20)) {
		t.Fatalf("patient's notification %+v: %v", n, err)
	}
	if got := countWhere(t, s, &models.AuditEntry{}, "entity_id = ? AND action = 'UPDATE' AND actor_id = ?", id, adv.ID); got != 1 {
		t.Fatalf("%d audit rows of the change", got)
	}

	// A retry of the same call (the answer was lost) changes nothing.
	before := snap()
	if again := set(day(20), v-1); again.SetCaseDeadline.Version != v {
		t.Fatalf("retry: %+v", again.SetCaseDeadline)
	}
	if after := snap(); after.version != before.version || after.events != before.events || after.reminders != before.reminders {
		t.Fatalf("retry changed the case: %+v, was %+v", after, before)
	}

	// Move: the old date's reminders are gone, the new date's scheduled.
	set(day(45), v)
	v++
	wantReminders(day(45), 7, 1)
	// Move close: only the reminder still ahead; the case is urgent now.
	if got := set(day(3), v); !got.SetCaseDeadline.Urgent {
		t.Fatalf("a deadline in 3 days is not urgent: %+v", got.SetCaseDeadline)
	}
	v++
	wantReminders(day(3), 1)

	// Clear: no reminders, and the patient reads that there is no deadline.
	if got := set(nil, v); got.SetCaseDeadline.Deadline != nil {
		t.Fatalf("clear: %+v", got.SetCaseDeadline)
	}
	v++
	wantReminders("")
	if ev := lastEvent(); ev.Kind != models.EventDeadlineChanged || ev.Message == nil || !strings.Contains(*ev.Message, "no longer") {
		t.Fatalf("clear event %+v", ev)
	}

	// Close: the patient withdraws; the reminders go, and the deadline of a
	// closed case cannot change.
	set(day(30), v)
	v++
	wantReminders(day(30), 7, 1)
	s.Do(t, patTok, `mutation($id: ID!) { withdrawCase(caseId: $id) { id } }`, map[string]any{"id": c.ID}).MustOK(t)
	v++
	wantReminders("")
	refused("a closed case", advTok, day(40), v, "CONFLICT", "")
}
