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
	"mlp/internal/database"
	"mlp/internal/live"
	"mlp/internal/page"
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
	db   *gorm.DB
	now  func() time.Time
	live *live.Listener // see UseLive
	log  *slog.Logger
}

// NewService returns the notification service; now stamps readAt.
func NewService(db *gorm.DB, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, now: now, log: slog.Default()}
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
	p, err := auth.Require(ctx)
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
	p, err := auth.Require(ctx)
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
	res := s.db.WithContext(ctx).Model(&models.Notification{}).Scopes(Visible(p, "notifications").Scope).
		Where("id IN ? AND read_at IS NULL", uids).
		UpdateColumn("read_at", s.now().UTC())
	return int(res.RowsAffected), res.Error
}
