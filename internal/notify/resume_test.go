package notify_test

import (
	"testing"
	"time"

	"mlp/internal/apptest"
	"mlp/internal/live"
	"mlp/models"
)

const resumeDoc = `subscription($after: ID) { notificationAdded(after: $after) { id title } }`

// TestNotificationAddedResumes: with after, the stream first replays the
// notifications the client missed, then goes on live; when the listener's
// connection is killed, nothing committed meanwhile is lost and the stream
// stays open.
func TestNotificationAddedResumes(t *testing.T) {
	s := apptest.New(t)
	u, tok := s.User(t, models.RolePatient, nil)
	seen := add(t, s, u, "Seen before going offline")
	missed1 := add(t, s, u, "Missed one")
	missed2 := add(t, s, u, "Missed two")

	sub := s.Dial(t, tok).Subscribe(t, resumeDoc, map[string]any{"after": seen})
	for _, want := range []string{missed1, missed2} {
		if id, _ := nextNotification(t, sub); id != want {
			t.Fatalf("replayed %s, want %s", id, want)
		}
	}
	s.WaitSubscribers(t, live.UserTopic(u.ID), 1)
	live1 := add(t, s, u, "Live")
	if id, _ := nextNotification(t, sub); id != live1 {
		t.Fatalf("got %s, want the live %s", id, live1)
	}

	// Kill the listener's connection; commit while it is down.
	if err := s.DB.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = ?`, live.ApplicationName).Error; err != nil {
		t.Fatal(err)
	}
	during := add(t, s, u, "Committed while the listener was down")
	if id, _ := nextNotification(t, sub); id != during {
		t.Fatalf("after the reconnect got %s, want %s", id, during)
	}
	time.Sleep(50 * time.Millisecond)
	after := add(t, s, u, "After the reconnect")
	if id, _ := nextNotification(t, sub); id != after {
		t.Fatalf("got %s, want %s", id, after)
	}

	t.Run("ForeignCursorIsRefused", func(t *testing.T) {
		other, _ := s.User(t, models.RolePatient, nil)
		theirs := add(t, s, other, "Not yours")
		r := s.Dial(t, tok).Subscribe(t, resumeDoc, map[string]any{"after": theirs}).Next(t)
		r.MustCode(t, "BAD_USER_INPUT")
	})
}
