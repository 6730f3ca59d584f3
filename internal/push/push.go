// Package push sends notifications to phones: one outbox job per device of
// the recipient (Args), enqueued with the notification in the transaction
// that causes it, and run by Worker through the provider of the device's
// platform: FCM HTTP v1, APNs (token auth over HTTP/2), or the log sender
// when no provider is configured.
//
// Push texts never carry PHI: the title and body come from the catalog
// ("You have an update about your request", or the discreet text) in the
// recipient's language, and the only data is the case id under "caseId".
package push

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/internal/i18n"
	"mlp/internal/outbox"
	"mlp/models"
)

// Kind is the outbox job kind of a push.
const Kind = "push"

// Args is the job of one push to one device: ids only.
type Args struct {
	NotificationID uuid.UUID `json:"notification_id"`
	DeviceID       uuid.UUID `json:"device_id"`
}

// Kind names the job's worker.
func (Args) Kind() string { return Kind }

// Message is what a provider shows on the lock screen: catalog texts and
// the case id, nothing else.
type Message struct {
	Title, Body string
	// Data is sent as the push's data ("caseId").
	Data map[string]string
}

// ErrGone is returned by a Sender when the provider says the device's token
// is no longer valid (FCM UNREGISTERED, APNs 410): the device is removed.
var ErrGone = errors.New("push: the device is gone")

// PermanentError is a refusal that retrying cannot change (a malformed
// request): the job is not retried.
type PermanentError struct{ Status int }

func (e *PermanentError) Error() string { return fmt.Sprintf("push: refused with HTTP %d", e.Status) }

// Sender delivers one message to one device token.
type Sender interface {
	Send(ctx context.Context, token string, m Message) error
	// Name says which provider it is, for logs ("fcm", "apns", "log").
	Name() string
}

// Senders are the senders by platform.
type Senders map[models.DevicePlatform]Sender

// SafeHours is what decides when a push may reach a user: a patient's safe
// hours (nil without), read in the time zone they chose or else the main
// time zone of the state of their latest case.
type SafeHours struct {
	SafeHoursStart, SafeHoursEnd, TimeZone *string
	// State is the jurisdiction of the user's latest case ("" when not
	// needed: no hours, or a time zone of their own).
	State string
}

// SafeHoursSQL selects the SafeHours columns of the users row u (for Scan
// into a struct that embeds SafeHours).
const SafeHoursSQL = `u.safe_hours_start, u.safe_hours_end, u.time_zone,
	CASE WHEN u.safe_hours_start IS NULL OR u.time_zone IS NOT NULL THEN '' ELSE COALESCE((SELECT c.jurisdiction FROM cases c
		WHERE c.patient_id = u.id ORDER BY c.created_at DESC, c.id DESC LIMIT 1), '') END AS state`

// SendAt is when a push to the user may go out: now inside their safe hours
// (or without any), else the next opening of the window. The notifier
// schedules a push at it, and the worker asks again at send time (the hours
// may have changed meanwhile).
func (h SafeHours) SendAt(now time.Time) time.Time {
	if h.SafeHoursStart == nil || h.SafeHoursEnd == nil {
		return now
	}
	sc := &models.SafeContact{SafeHoursStart: h.SafeHoursStart, SafeHoursEnd: h.SafeHoursEnd}
	return sc.SafeFrom(now, models.UserLocation(h.TimeZone, h.State))
}

// Worker is the outbox worker of push jobs.
type Worker struct {
	outbox.WorkerDefaults[Args]
	db      *gorm.DB
	senders Senders
	now     func() time.Time
	log     *slog.Logger
	sent    atomic.Pointer[func(Args)] // see OnSent
}

// OnSent makes the worker call f after each delivery (benchmarks measure
// commit-to-push latency with it).
func (w *Worker) OnSent(f func(Args)) { w.sent.Store(&f) }

// NewWorker returns the push worker; a platform without a sender uses the
// log sender; now is the application's clock (safe hours).
func NewWorker(db *gorm.DB, senders Senders, now func() time.Time, log *slog.Logger) *Worker {
	if log == nil {
		log = slog.Default()
	}
	s := Senders{}
	for _, p := range models.AllDevicePlatforms {
		if senders[p] != nil {
			s[p] = senders[p]
		} else {
			s[p] = &LogSender{Log: log}
		}
	}
	if now == nil {
		now = time.Now
	}
	return &Worker{db: db, senders: s, now: now, log: log}
}

// Timeout bounds one push.
func (w *Worker) Timeout(*outbox.Job[Args]) time.Duration { return 30 * time.Second }

// Work sends the push. A device removed meanwhile (logout, a new owner) or
// a notification gone gets nothing; a push outside the patient's safe hours
// (as they are now: they may have changed since it was scheduled) is snoozed
// until the window opens; a device the provider reports gone is removed;
// other failures are retried by the outbox with backoff.
func (w *Worker) Work(ctx context.Context, job *outbox.Job[Args]) error {
	var row struct {
		UserID                uuid.UUID
		Platform              models.DevicePlatform
		Token                 string
		Role                  models.Role
		PreferredLanguage     string
		DiscreetNotifications bool
		CaseID                *uuid.UUID
		CreatedAt             time.Time
		Channels              string // the safe contact's channels, comma-separated ("" without one)
		SafeHours
	}
	// The device must still belong to the notification's user.
	res := w.db.WithContext(ctx).Raw(`SELECT d.user_id, d.platform, d.token, u.role, u.preferred_language,
			u.discreet_notifications, n.case_id, n.created_at,
			array_to_string(u.safe_contact_channels, ',') AS channels, `+SafeHoursSQL+`
		FROM notifications n JOIN devices d ON d.user_id = n.user_id JOIN users u ON u.id = n.user_id
		WHERE n.id = ? AND d.id = ? AND u.disabled_at IS NULL`, job.Args.NotificationID, job.Args.DeviceID).Scan(&row)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return nil
	}
	if !appContactAllowed(row.Channels) {
		// A patient whose safe contact leaves out the app (someone else may
		// see their phone) gets no push; the in-app row waits for them.
		w.log.InfoContext(ctx, "push: not sent, the safe contact leaves out the app", "device", job.Args.DeviceID)
		return nil
	}
	if now := w.now(); row.SendAt(now).After(now) {
		w.log.InfoContext(ctx, "push: held for safe hours", "device", job.Args.DeviceID)
		return outbox.JobSnooze(row.SendAt(now).Sub(now))
	}
	m := Text(row.PreferredLanguage, row.Role, row.DiscreetNotifications, row.CaseID)
	sender := w.senders[row.Platform]
	err := sender.Send(ctx, row.Token, m)
	var perm *PermanentError
	switch {
	case errors.Is(err, ErrGone):
		w.log.InfoContext(ctx, "push: device gone, removed", "provider", sender.Name(), "device", job.Args.DeviceID)
		return w.db.WithContext(ctx).Where("id = ? AND token = ?", job.Args.DeviceID, row.Token).Delete(&models.Device{}).Error
	case errors.As(err, &perm):
		w.log.WarnContext(ctx, "push: refused", "provider", sender.Name(), "device", job.Args.DeviceID, "status", perm.Status)
		return outbox.JobCancel(err)
	case err != nil:
		return err
	}
	if f := w.sent.Load(); f != nil {
		(*f)(job.Args)
	}
	return nil
}

// appContactAllowed reads the safe contact's channels (comma-separated, as
// the worker selects them) and answers models.SafeContact.Allows for the app.
func appContactAllowed(channels string) bool {
	if channels == "" {
		return true
	}
	sc := &models.SafeContact{}
	for _, c := range strings.Split(channels, ",") {
		sc.Channels = append(sc.Channels, models.ContactMethod(c))
	}
	return sc.Allows(models.ContactApp)
}

// Text is the lock-screen text of a push to a user: the catalog's, in their
// language, one generic text in discreet mode, and the case id as data.
func Text(lang string, role models.Role, discreet bool, caseID *uuid.UUID) Message {
	m := Message{Data: map[string]string{}}
	switch {
	case discreet:
		m.Title, m.Body = i18n.T(lang, "discreet.title", nil), i18n.T(lang, "discreet.body", nil)
	case role == models.RolePatient:
		m.Title, m.Body = i18n.T(lang, "push.title", nil), i18n.T(lang, "push.update", nil)
	default:
		m.Title, m.Body = i18n.T(lang, "push.title", nil), i18n.T(lang, "push.staff", nil)
	}
	if caseID != nil {
		m.Data["caseId"] = caseID.String()
	}
	return m
}

// LogSender writes one line per push, without any text of the message or
// the token: for development and for servers without a provider.
type LogSender struct{ Log *slog.Logger }

// Name is "log".
func (s *LogSender) Name() string { return "log" }

// Send logs that a push would have been sent.
func (s *LogSender) Send(ctx context.Context, _ string, m Message) error {
	s.Log.InfoContext(ctx, "push (log sender)", "has_case", m.Data["caseId"] != "")
	return nil
}

// classify maps a provider's HTTP status to the sender's error: 5xx and 429
// are retried, other 4xx are permanent.
func classify(status int) error {
	switch {
	case status >= 200 && status < 300:
		return nil
	case status == http.StatusTooManyRequests || status >= 500 || status == http.StatusUnauthorized || status == http.StatusForbidden:
		return fmt.Errorf("push: provider answered HTTP %d", status)
	default:
		return &PermanentError{Status: status}
	}
}
