package cases

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"mlp/internal/notify"
	"mlp/internal/outbox"
	"mlp/internal/unit"
	"mlp/models"
)

// Who hears about a case, and when (the notification rules):
//   - its patient: a status change they may see, a message an advocate makes
//     visible to them, a recorded outcome, and deadline reminders 7 days and
//     1 day before the deadline at 9:00 in the case's state's time zone while
//     the case is open;
//   - the advocates of its organization: a case routed to them, a patient's
//     message, a withdrawal;
//   - the referring clinician: see package referrals (REFERRAL_CLAIMED, and
//     closure or withdrawal only while SHARE_STATUS_WITH_REFERRER stands).
// Each is written in the transaction of its cause (package notify).

// UseNotifier gives the service the notifier and the outbox of its
// reminders; without them nothing is notified (tests of other rules).
func (s *Service) UseNotifier(n *notify.Notifier, box *outbox.Outbox) {
	s.notifier, s.box = n, box
}

func (s *Service) notifyPatient(ctx context.Context, tx *gorm.DB, c *models.Case, m notify.Note) error {
	if s.notifier == nil {
		return nil
	}
	m.CaseID = &c.ID
	if m.Data == nil {
		m.Data = map[string]any{"Reference": c.Reference}
	}
	return s.notifier.To(ctx, tx, []uuid.UUID{c.PatientID}, m)
}

func (s *Service) notifyAdvocates(ctx context.Context, tx *gorm.DB, c *models.Case, kind string) error {
	if s.notifier == nil {
		return nil
	}
	return s.notifier.ToAdvocates(ctx, tx, c.OrganizationID, notify.Note{Kind: kind, CaseID: &c.ID,
		Data: map[string]any{"Reference": c.Reference}})
}

// statusNote is the patient's notification of c's move to its status.
func statusNote(c *models.Case) notify.Note {
	return notify.Note{Kind: notify.KindCaseStatusChanged, Body: "notify.CASE_STATUS_CHANGED." + string(c.Status) + ".body"}
}

// ReminderKind is the outbox job kind of deadline reminders.
const ReminderKind = "deadline_reminder"

// ReminderArgs is one deadline reminder of a case: sent DaysBefore days
// before Deadline unless the case closed or its deadline changed.
type ReminderArgs struct {
	CaseID     uuid.UUID `json:"case_id"`
	Deadline   string    `json:"deadline"`
	DaysBefore int       `json:"days_before"`
}

// Kind names the job's worker.
func (ReminderArgs) Kind() string { return ReminderKind }

// ReminderDays are how many days before a deadline the patient is reminded.
var ReminderDays = []int{7, 1}

// ReminderHour is the local hour of the reminders.
const ReminderHour = 9

// ReminderTime is when the reminder days before deadline is due: 9:00 in
// the main time zone of jurisdiction (a state code; US is Eastern time).
func ReminderTime(jurisdiction string, deadline models.Date, days int) time.Time {
	loc := models.StateLocation(jurisdiction)
	d := deadline.AddDate(0, 0, -days)
	return time.Date(d.Year(), d.Month(), d.Day(), ReminderHour, 0, 0, 0, loc)
}

// scheduleReminders drops c's pending reminders and, while c is open with a
// deadline, schedules those still ahead, inside tx: called when a case's
// deadline changes, and (dropping only) when it closes. A new case, which has
// none to drop, only enqueues them (enqueueReminders).
func (s *Service) scheduleReminders(ctx context.Context, tx *gorm.DB, c *models.Case) error {
	if s.box == nil {
		return nil
	}
	if _, err := s.box.CancelScheduled(tx, ReminderKind, "case_id", c.ID.String()); err != nil {
		return err
	}
	return s.enqueueReminders(ctx, tx, c)
}

// enqueueReminders schedules c's deadline reminders, while c is open with a
// deadline: scheduleReminders without the cancelling, for a new case, which
// has none yet.
func (s *Service) enqueueReminders(ctx context.Context, tx *gorm.DB, c *models.Case) error {
	if s.box == nil || c.Deadline == nil || c.Status.IsFinal() {
		return nil
	}
	now := tx.NowFunc()
	for _, days := range ReminderDays {
		at := ReminderTime(c.Jurisdiction, *c.Deadline, days)
		if !at.After(now) {
			continue
		}
		args := ReminderArgs{CaseID: c.ID, Deadline: c.Deadline.String(), DaysBefore: days}
		if err := s.box.Enqueue(ctx, tx, args, &outbox.InsertOpts{ScheduledAt: at}); err != nil {
			return err
		}
	}
	return nil
}

// ReminderWorker sends deadline reminders.
type ReminderWorker struct {
	outbox.WorkerDefaults[ReminderArgs]
	s *Service
}

// ReminderWorker returns the outbox worker of deadline reminders.
func (s *Service) ReminderWorker() *ReminderWorker { return &ReminderWorker{s: s} }

// Work notifies the patient, in one unit of work as the system, when the
// case is still open with the same deadline (a reminder of a closed case, or
// of a deadline since changed, is dropped with its case's change; this check
// is the second guard).
func (w *ReminderWorker) Work(ctx context.Context, job *outbox.Job[ReminderArgs]) error {
	return unit.Do(ctx, w.s.db, w.s.clock, nil, func(u *unit.Work) error {
		tx := u.Tx
		var c models.Case
		err := tx.Clauses(clause.Locking{Strength: "SHARE"}).Take(&c, "id = ?", job.Args.CaseID).Error
		if err == gorm.ErrRecordNotFound {
			return nil
		}
		if err != nil {
			return err
		}
		if c.Status.IsFinal() || c.Deadline == nil || c.Deadline.String() != job.Args.Deadline {
			return nil
		}
		return w.s.notifyPatient(ctx, tx, &c, notify.Note{Kind: notify.KindDeadlineReminder,
			Body: fmt.Sprintf("notify.DEADLINE_REMINDER.body.%d", job.Args.DaysBefore),
			Data: map[string]any{"Reference": c.Reference, "Date": c.Deadline.String()}})
	})
}
