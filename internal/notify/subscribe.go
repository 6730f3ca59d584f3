package notify

import (
	"context"
	"errors"
	"log/slog"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/internal/live"
	"mlp/models"
)

// UseLive gives the service the process's listener, for Subscribe.
func (s *Service) UseLive(l *live.Listener, log *slog.Logger) {
	s.live, s.log = l, log
}

// Subscribe streams the caller's own new notifications as their transactions
// commit on any server instance. The stream ends when ctx ends (the client
// unsubscribed, or the websocket closed at the access token's expiry), when
// the caller's session is revoked or account disabled, when the caller falls
// live.Buffer notifications behind. With after (the id of a notification the
// client has), it first replays the caller's notifications since that one;
// when the listener reconnects, it catches up from the database and stays
// open.
// Errors: UNAUTHENTICATED, BAD_USER_INPUT (after: not one of the caller's
// notifications).
func (s *Service) Subscribe(ctx context.Context, after *string) (<-chan *models.Notification, error) {
	p, err := Policy.Authorize(ctx, "Subscribe")
	if err != nil {
		return nil, err
	}
	if s.live == nil {
		return nil, errors.New("notify: no live listener")
	}
	floor := s.clock.Now()
	var from uuid.UUID
	if after != nil {
		var n models.Notification
		id, perr := uuid.Parse(*after)
		if perr != nil || s.db.WithContext(ctx).Take(&n, "id = ? AND user_id = ?", id, p.ID).Error != nil {
			return nil, models.InvalidField("after", "This cursor is not valid.")
		}
		from, floor = n.ID, n.CreatedAt
	}
	since := live.SinceTable(s.db, "notifications", "user_id = ?", []any{p.ID}, floor, 500)
	sub, err := s.live.Subscribe(ctx, live.UserTopic(p.ID), live.SessionKey(p.SessionID), live.UserKey(p.ID))
	if err != nil {
		return nil, err
	}
	out := make(chan *models.Notification)
	go live.Forward(ctx, sub, out, from, since,
		func(ctx context.Context, id uuid.UUID) (*models.Notification, error) {
			var n models.Notification
			// Only the caller's own: the user id of the signal is checked again here.
			err := s.db.WithContext(ctx).Take(&n, "id = ? AND user_id = ?", id, p.ID).Error
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return nil, nil
			}
			if err != nil {
				return nil, err
			}
			return &n, nil
		},
		func(err error) {
			s.log.ErrorContext(ctx, "notificationAdded: loading a notification failed; stream ended", "err", err)
		})
	return out, nil
}
