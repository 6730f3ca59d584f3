package notify_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/internal/notify"
	"mlp/models"
)

const (
	listDoc = `query($unread: Boolean, $first: Int, $after: String) { myNotifications(unreadOnly: $unread, first: $first, after: $after) {
		totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id kind title body caseId createdAt readAt } } } }`
	markDoc = `mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) }`
)

type listJSON struct {
	MyNotifications struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   *string
		}
		Edges []struct {
			Node struct {
				ID, Kind, Title, Body string
				ReadAt                *time.Time
			}
		}
	}
}

// addNotifications stores n notifications for u, one second apart, oldest first.
func addNotifications(t *testing.T, s *apptest.Server, u *models.User, n int) []uuid.UUID {
	t.Helper()
	ids := make([]uuid.UUID, n)
	start := time.Now().Add(-time.Hour)
	for i := range n {
		row := &models.Notification{UserID: u.ID, Kind: models.NotificationReferralClaimed, Title: "Referral claimed",
			Body: "J. claimed your referral.", CreatedAt: start.Add(time.Duration(i) * time.Second)}
		if err := notify.Add(s.DB, row); err != nil {
			t.Fatal(err)
		}
		ids[i] = row.ID
	}
	return ids
}

func list(t *testing.T, s *apptest.Server, tok string, vars map[string]any) listJSON {
	t.Helper()
	var got listJSON
	s.Do(t, tok, listDoc, vars).Decode(t, &got)
	return got
}

// TestMyNotifications lists the caller's own notifications, newest first, in
// pages, all or unread only.
func TestMyNotifications(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	health := s.Org(t, models.OrgHealthSystem, []string{"CA"})
	clinician, tok := s.User(t, models.RoleClinician, health)
	other, _ := s.User(t, models.RoleClinician, health)
	ids := addNotifications(t, s, clinician, 5)
	addNotifications(t, s, other, 2)

	t.Run("OKNewestFirstInPages", func(t *testing.T) {
		t.Parallel()
		first := list(t, s, tok, map[string]any{"first": 3})
		n := first.MyNotifications
		if n.TotalCount != 5 || len(n.Edges) != 3 || !n.PageInfo.HasNextPage || n.Edges[0].Node.ID != ids[4].String() {
			t.Fatalf("first page = %+v", n)
		}
		rest := list(t, s, tok, map[string]any{"first": 3, "after": *n.PageInfo.EndCursor}).MyNotifications
		if len(rest.Edges) != 2 || rest.PageInfo.HasNextPage || rest.Edges[1].Node.ID != ids[0].String() {
			t.Fatalf("second page = %+v", rest)
		}
	})

	t.Run("UnauthenticatedWithoutToken", func(t *testing.T) {
		t.Parallel()
		s.Do(t, "", listDoc, nil).MustCode(t, "UNAUTHENTICATED")
		s.Do(t, "", markDoc, map[string]any{"ids": []string{ids[0].String()}}).MustCode(t, "UNAUTHENTICATED")
	})

	t.Run("BadUserInputForBadCursor", func(t *testing.T) {
		t.Parallel()
		r := s.Do(t, tok, listDoc, map[string]any{"after": "not-a-cursor"}).MustCode(t, "BAD_USER_INPUT")
		if r.Field() != "after" {
			t.Fatalf("field = %q", r.Field())
		}
	})
}

// TestMarkNotificationsRead marks only the caller's own unread notifications
// and counts them; others' ids, unknown and malformed ids count nothing.
func TestMarkNotificationsRead(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	u, tok := s.User(t, models.RolePatient, nil)
	other, otherTok := s.User(t, models.RolePatient, nil)
	mine := addNotifications(t, s, u, 3)
	theirs := addNotifications(t, s, other, 1)

	var got struct{ MarkNotificationsRead int }
	s.Do(t, tok, markDoc, map[string]any{"ids": []string{mine[0].String(), mine[1].String(), theirs[0].String(),
		uuid.NewString(), "garbage"}}).Decode(t, &got)
	if got.MarkNotificationsRead != 2 {
		t.Fatalf("marked %d, want 2", got.MarkNotificationsRead)
	}
	// Already read: not counted again.
	s.Do(t, tok, markDoc, map[string]any{"ids": []string{mine[0].String()}}).Decode(t, &got)
	if got.MarkNotificationsRead != 0 {
		t.Fatalf("marked %d again, want 0", got.MarkNotificationsRead)
	}
	unread := list(t, s, tok, map[string]any{"unread": true}).MyNotifications
	if unread.TotalCount != 1 || len(unread.Edges) != 1 || unread.Edges[0].Node.ID != mine[2].String() {
		t.Fatalf("unread = %+v", unread)
	}
	all := list(t, s, tok, nil).MyNotifications
	if all.TotalCount != 3 || all.Edges[2].Node.ReadAt == nil || all.Edges[0].Node.ReadAt != nil {
		t.Fatalf("all = %+v", all)
	}
	// The other user's notification is untouched.
	theirList := list(t, s, otherTok, map[string]any{"unread": true}).MyNotifications
	if theirList.TotalCount != 1 {
		t.Fatalf("the other user's unread count is %d", theirList.TotalCount)
	}
	// Too many ids at once.
	many := make([]string, notify.MaxMarkRead+1)
	for i := range many {
		many[i] = uuid.NewString()
	}
	if r := s.Do(t, tok, markDoc, map[string]any{"ids": many}).MustCode(t, "BAD_USER_INPUT"); r.Field() != "ids" {
		t.Fatalf("field = %q", r.Field())
	}
}
