// Package notify stores what users are told about and lets them read it. The
// services that cause a notification write its row with Add inside their own
// transaction, so that a notification exists exactly when its cause does.
package notify

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/internal/auth"
	"mlp/internal/clock"
	"mlp/internal/database"
	"mlp/internal/live"
	"mlp/internal/page"
	"mlp/internal/unit"
	"mlp/models"
)

// MaxMarkRead is how many ids markNotificationsRead takes at once.
const MaxMarkRead = 500

// Add stores notification n inside the caller's transaction tx. Its title and
// body must carry nothing the recipient may not know. A trigger signals the
// row's id to notificationAdded subscribers when tx commits (package live).
func Add(tx *gorm.DB, n *models.Notification) error {
	if n.ID == uuid.Nil {
		n.ID = uuid.Must(uuid.NewV7())
	}
	if n.CreatedAt.IsZero() {
		n.CreatedAt = tx.NowFunc()
	}
	return tx.Create(n).Error
}

// Service lists and marks the caller's notifications.
type Service struct {
	db    *gorm.DB
	clock clock.Clock
	live  *live.Listener // see UseLive
	log   *slog.Logger
}

// NewService returns the notification service; clk is the application's
// clock (it stamps readAt).
func NewService(db *gorm.DB, clk clock.Clock) *Service {
	return &Service{db: db, clock: clk, log: slog.Default()}
}

// Visible is the visibility scope of notifications, as a condition on the
// notifications table under alias: a user's own, nobody else's. Every read
// of notifications uses it (the list, and the compiled read of
// graph/compiled).
func Visible(p *auth.Principal, alias string) database.Cond {
	if p == nil {
		return database.False
	}
	return database.Cond{SQL: alias + ".user_id = ?", Args: []any{p.ID}}
}

// MyNotifications lists the caller's notifications, newest first; only unread
// ones when unreadOnly is true.
// Errors: UNAUTHENTICATED, BAD_USER_INPUT (first, after).
func (s *Service) MyNotifications(ctx context.Context, unreadOnly *bool, args page.Args) (page.Page[*models.Notification], error) {
	var none page.Page[*models.Notification]
	p, err := Policy.Authorize(ctx, "MyNotifications")
	if err != nil {
		return none, err
	}
	q := s.db.WithContext(ctx).Model(&models.Notification{}).Scopes(Visible(p, "notifications").Scope)
	if unreadOnly != nil && *unreadOnly {
		q = q.Where("read_at IS NULL")
	}
	return page.Newest(q, args, "created_at", func(n *models.Notification) (time.Time, uuid.UUID) { return n.CreatedAt, n.ID })
}

// MarkRead marks the caller's unread notifications among ids as read and
// returns how many it marked. Ids of other users' notifications, unknown or
// malformed ids and notifications already read are silently not counted.
// Errors: UNAUTHENTICATED, BAD_USER_INPUT (ids: more than MaxMarkRead).
func (s *Service) MarkRead(ctx context.Context, ids []string) (int, error) {
	p, err := Policy.Authorize(ctx, "MarkRead")
	if err != nil {
		return 0, err
	}
	if len(ids) > MaxMarkRead {
		return 0, models.InvalidField("ids", "Mark at most %d notifications at once.", MaxMarkRead)
	}
	uids := make([]uuid.UUID, 0, len(ids))
	for _, id := range ids {
		if u, err := uuid.Parse(id); err == nil {
			uids = append(uids, u)
		}
	}
	if len(uids) == 0 {
		return 0, nil
	}
	var n int
	err = unit.Do(ctx, s.db, s.clock, p, func(w *unit.Work) error {
		res := w.Tx.Model(&models.Notification{}).Scopes(Visible(p, "notifications").Scope).
			Where("id IN ? AND read_at IS NULL", uids).
			UpdateColumn("read_at", w.Now)
		n = int(res.RowsAffected)
		return res.Error
	})
	return n, err
}
