package notify

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/internal/i18n"
	"mlp/internal/outbox"
	"mlp/internal/push"
	"mlp/models"
)

// The notification kinds.
const (
	KindCaseStatusChanged = "CASE_STATUS_CHANGED"
	KindCaseMessage       = "CASE_MESSAGE"
	KindCaseOutcome       = "CASE_OUTCOME"
	KindDeadlineReminder  = "DEADLINE_REMINDER"
	KindDeadlineChanged   = "DEADLINE_CHANGED"
	KindCaseRouted        = "CASE_ROUTED"
	KindPatientMessage    = "PATIENT_MESSAGE"
	KindCaseWithdrawn     = "CASE_WITHDRAWN"
	KindReferralClaimed   = models.NotificationReferralClaimed
	KindReferralClosed    = models.NotificationReferralClosed
	KindReferralWithdrawn = "REFERRAL_WITHDRAWN"
)

// Note is a notification to write: its kind, the catalog ids of its texts
// and their data, and what it is about.
type Note struct {
	Kind string
	// Title and Body are catalog ids; "" means notify.<Kind>.title and
	// notify.<Kind>.body.
	Title, Body string
	Data        map[string]any
	CaseID      *uuid.UUID
	ReferralID  *uuid.UUID
}

// Notifier writes notifications inside the transaction of their cause, each
// in its reader's language (one generic text when they chose discreet
// notifications), and enqueues in the same transaction one push job per
// device of each reader, so a push exists exactly when its notification
// committed.
type Notifier struct{ box *outbox.Outbox }

// NewNotifier returns the notifier that pushes through box.
func NewNotifier(box *outbox.Outbox) *Notifier { return &Notifier{box: box} }

// To notifies users (disabled accounts are skipped) inside tx.
func (n *Notifier) To(ctx context.Context, tx *gorm.DB, users []uuid.UUID, m Note) error {
	if len(users) == 0 {
		return nil
	}
	var readers []reader
	if err := tx.Raw(`SELECT u.id, u.preferred_language, u.discreet_notifications, `+push.SafeHoursSQL+` FROM users u
		WHERE u.id IN ? AND u.disabled_at IS NULL ORDER BY u.id`, users).Scan(&readers).Error; err != nil {
		return err
	}
	return n.write(ctx, tx, readers, m)
}

// ToAdvocates notifies the enabled ADVOCATEs of organization org inside tx.
func (n *Notifier) ToAdvocates(ctx context.Context, tx *gorm.DB, org *uuid.UUID, m Note) error {
	if org == nil {
		return nil
	}
	var readers []reader
	if err := tx.Raw(`SELECT u.id, u.preferred_language, u.discreet_notifications, `+push.SafeHoursSQL+` FROM users u
		WHERE u.organization_id = ? AND u.role = ? AND u.disabled_at IS NULL ORDER BY u.id`, *org, models.RoleAdvocate).Scan(&readers).Error; err != nil {
		return err
	}
	return n.write(ctx, tx, readers, m)
}

type reader struct {
	ID                    uuid.UUID
	PreferredLanguage     string
	DiscreetNotifications bool
	push.SafeHours
}

// Texts returns the title and body of m in lang, or the discreet text.
func Texts(m Note, lang string, discreet bool) (title, body string) {
	if discreet {
		t := i18n.T(lang, "discreet.body", nil)
		return t, t
	}
	tid, bid := m.Title, m.Body
	if tid == "" {
		tid = "notify." + m.Kind + ".title"
	}
	if bid == "" {
		bid = "notify." + m.Kind + ".body"
	}
	return i18n.T(lang, tid, m.Data), i18n.T(lang, bid, m.Data)
}

func (n *Notifier) write(ctx context.Context, tx *gorm.DB, readers []reader, m Note) error {
	if len(readers) == 0 {
		return nil
	}
	now := tx.NowFunc()
	rows := make([]*models.Notification, len(readers))
	ids := make([]uuid.UUID, len(readers))
	byUser := make(map[uuid.UUID]uuid.UUID, len(readers))
	for i, r := range readers {
		title, body := Texts(m, r.PreferredLanguage, r.DiscreetNotifications)
		rows[i] = &models.Notification{ID: uuid.Must(uuid.NewV7()), UserID: r.ID, Kind: m.Kind, Title: title, Body: body,
			CaseID: m.CaseID, ReferralID: m.ReferralID, CreatedAt: now}
		ids[i] = r.ID
		byUser[r.ID] = rows[i].ID
	}
	if err := tx.Create(&rows).Error; err != nil {
		return err
	}
	if n == nil || n.box == nil {
		return nil
	}
	var devices []struct{ ID, UserID uuid.UUID }
	if err := tx.Raw(`SELECT id, user_id FROM devices WHERE user_id IN ? ORDER BY id`, ids).Scan(&devices).Error; err != nil {
		return err
	}
	// A push outside the reader's safe hours waits in the outbox until the
	// window opens (the in-app row above is there at once).
	sendAt := make(map[uuid.UUID]time.Time, len(readers))
	for _, r := range readers {
		sendAt[r.ID] = r.SendAt(now)
	}
	jobs := make([]outbox.JobArgs, 0, len(devices))
	for _, d := range devices {
		args := push.Args{NotificationID: byUser[d.UserID], DeviceID: d.ID}
		if at := sendAt[d.UserID]; at.After(now) {
			if err := n.box.Enqueue(ctx, tx, args, &outbox.InsertOpts{ScheduledAt: at}); err != nil {
				return err
			}
			continue
		}
		jobs = append(jobs, args)
	}
	return n.box.EnqueueMany(ctx, tx, jobs, nil)
}
