package notify_test

import (
	"context"
	"testing"

	"mlp/internal/apptest"
	"mlp/internal/authztest"
	"mlp/internal/notify"
	"mlp/internal/page"
	"mlp/models"
)

// TestServiceAuthorizationTable calls every operation of the notification
// service directly (no GraphQL, no directive) as every role, on the
// caller's own notification and another user's; a refused or hidden call
// changes no table. Not parallel: those rows compare the whole database
// before and after.
func TestServiceAuthorizationTable(t *testing.T) {
	w := apptest.NewWorld(t)
	svc := w.S.App.Resolver.Notify
	tb := w.Table(notify.Policy)
	// note gives the user of role (own) or another user (other) an unread
	// notification.
	note := func(role models.Role, obj authztest.Object) *models.Notification {
		u := w.Owner(role, obj)
		if role == authztest.Anonymous {
			u = w.Patient
		}
		n := &models.Notification{UserID: u.ID, Kind: "TEST", Title: "Title", Body: "Body"}
		if err := notify.Add(w.S.DB, n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	tb.Matrix("MyNotifications", authztest.NoObject, authztest.Always(authztest.OK), func(models.Role, authztest.Object) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := svc.MyNotifications(ctx, nil, page.Args{})
			return err
		}
	})
	// Another's notification is not marked: hidden, so NOT_FOUND here.
	tb.Matrix("MarkRead", authztest.OwnOther, authztest.OwnOnly, func(role models.Role, obj authztest.Object) func(context.Context) error {
		n := note(role, obj)
		return func(ctx context.Context) error {
			marked, err := svc.MarkRead(ctx, []string{n.ID.String()})
			if err == nil && marked == 0 {
				return models.NotFound("Notification")
			}
			return err
		}
	})
	// A cursor of another's notification is refused like a bad one.
	tb.Matrix("Subscribe", authztest.OwnOther, func(_ models.Role, obj authztest.Object) models.ErrorCode {
		if obj == authztest.Other {
			return models.EINVALID
		}
		return authztest.OK
	}, func(role models.Role, obj authztest.Object) func(context.Context) error {
		id := note(role, obj).ID.String()
		return func(ctx context.Context) error {
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			_, err := svc.Subscribe(ctx, &id)
			return err
		}
	})
	t.Logf("%d rows", tb.Run(t))
}
