package notify_test

import (
	"testing"

	"mlp/internal/apptest"
	"mlp/internal/live"
	"mlp/internal/notify"
	"mlp/models"
)

const addedDoc = `subscription { notificationAdded { id kind title body caseId createdAt readAt } }`

// add stores a notification for u in its own transaction.
func add(t *testing.T, s *apptest.Server, u *models.User, title string) string {
	t.Helper()
	n := &models.Notification{UserID: u.ID, Kind: models.NotificationReferralClaimed, Title: title, Body: "Claimed."}
	if err := notify.Add(s.DB, n); err != nil {
		t.Fatal(err)
	}
	return n.ID.String()
}

func nextNotification(t *testing.T, sub *apptest.Sub) (id, title string) {
	t.Helper()
	r := sub.Next(t)
	if r == nil {
		t.Fatal("the stream ended; want a notification")
	}
	var got struct{ NotificationAdded struct{ ID, Title string } }
	r.Decode(t, &got)
	return got.NotificationAdded.ID, got.NotificationAdded.Title
}

// TestNotificationAdded streams each user's own new notifications, and only
// theirs, to every server instance on the database.
func TestNotificationAdded(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	health := s.Org(t, models.OrgHealthSystem, []string{"CA"})
	alice, aliceTok := s.User(t, models.RoleClinician, health)
	bob, bobTok := s.User(t, models.RoleClinician, health)

	t.Run("OnlyTheCallersOwn", func(t *testing.T) {
		sub := s.Dial(t, aliceTok).Subscribe(t, addedDoc, nil)
		s.WaitSubscribers(t, live.UserTopic(alice.ID), 1)
		add(t, s, bob, "For Bob")
		mine := add(t, s, alice, "For Alice")
		// In commit order: Bob's would have come first.
		if id, title := nextNotification(t, sub); id != mine || title != "For Alice" {
			t.Fatalf("got %s %q, want Alice's %s", id, title, mine)
		}
		sub.Stop(t)
		sub.MustEnd(t)
	})

	t.Run("AcrossInstances", func(t *testing.T) {
		other := apptest.New(t) // a second app on the same database
		sub := other.Dial(t, bobTok).Subscribe(t, addedDoc, nil)
		other.WaitSubscribers(t, live.UserTopic(bob.ID), 1)
		id := add(t, s, bob, "Written through instance A")
		if got, _ := nextNotification(t, sub); got != id {
			t.Fatalf("got %s, want %s", got, id)
		}
	})

	t.Run("UnauthenticatedWithoutToken", func(t *testing.T) {
		for _, tok := range []string{"", "not-a-jwt"} {
			sub := s.Dial(t, tok).Subscribe(t, addedDoc, nil)
			sub.Next(t).MustCode(t, "UNAUTHENTICATED")
			sub.MustEnd(t)
		}
	})
}
