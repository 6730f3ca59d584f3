package cases_test

import (
	"testing"

	"mlp/internal/apptest"
	"mlp/internal/live"
	"mlp/models"
)

const resumeEventsDoc = `subscription($id: ID!, $after: ID) { caseEvents(caseId: $id, after: $after) { id kind visibleToPatient } }`

// TestCaseEventsResume: with after, the patient first gets the events they
// missed (not the internal one), then new ones; a killed listener
// connection loses nothing and the stream stays open.
func TestCaseEventsResume(t *testing.T) {
	s := apptest.New(t)
	w := subscriberWorld(t, s)
	c := insertCase(t, s, w.patient, w.org, models.CaseReceived)
	seen := postMessage(t, s, w.tokens[advocate], c, "Seen.", true)
	missed := postMessage(t, s, w.tokens[advocate], c, "Missed.", true)
	postMessage(t, s, w.tokens[advocate], c, "Internal.", false)
	missed2 := postMessage(t, s, w.tokens[owner], c, "Also missed.", true)

	sub := s.Dial(t, w.tokens[owner]).Subscribe(t, resumeEventsDoc, map[string]any{"id": c.ID.String(), "after": seen})
	for _, want := range []string{missed, missed2} {
		if got := nextEvent(t, sub); got.ID != want {
			t.Fatalf("replayed %s, want %s", got.ID, want)
		}
	}
	s.WaitSubscribers(t, live.CaseTopic(c.ID), 1)
	if err := s.DB.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = ?`, live.ApplicationName).Error; err != nil {
		t.Fatal(err)
	}
	during := postMessage(t, s, w.tokens[advocate], c, "While the listener was down.", true)
	if got := nextEvent(t, sub); got.ID != during {
		t.Fatalf("got %s, want %s", got.ID, during)
	}
	later := postMessage(t, s, w.tokens[advocate], c, "Later.", true)
	if got := nextEvent(t, sub); got.ID != later {
		t.Fatalf("got %s, want %s", got.ID, later)
	}
	t.Run("CursorOfAnotherCaseIsRefused", func(t *testing.T) {
		other := insertCase(t, s, w.patient, w.org, models.CaseReceived)
		foreign := postMessage(t, s, w.tokens[advocate], other, "Elsewhere.", true)
		s.Dial(t, w.tokens[owner]).Subscribe(t, resumeEventsDoc, map[string]any{"id": c.ID.String(), "after": foreign}).
			Next(t).MustCode(t, "BAD_USER_INPUT")
	})
}
