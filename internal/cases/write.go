package cases

import (
	"context"
	"errors"
	"mlp/internal/i18n"
	"mlp/internal/notify"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"mlp/internal/audit"
	"mlp/internal/auth"
	"mlp/internal/unit"
	"mlp/models"
)

// MaxMessageLen is the longest note, message, reason or outcome note, in characters.
const MaxMessageLen = 5000

// optionalText trims s and checks its length; blank is nil.
// Errors: BAD_USER_INPUT (field).
func optionalText(field string, s *string) (*string, error) {
	t := models.Trimmed(s)
	if t != nil && utf8.RuneCountInString(*t) > MaxMessageLen {
		return nil, models.InvalidField(field, "Keep it under %d characters.", MaxMessageLen)
	}
	return t, nil
}

// errUnchanged is returned by a change's fn when there is nothing to change:
// the call answers the case as it is (and audits the read).
var errUnchanged = errors.New("cases: unchanged")

// change runs fn on case id, locked and read through p's visibility scope,
// in one unit of work; then it bumps the case's version, appends ev (when fn
// returns one) and audits the change, all in the same transaction and at the
// unit's one Now.
func (s *Service) change(ctx context.Context, p *auth.Principal, id string, fn func(w *unit.Work, c *models.Case) (*models.CaseEvent, map[string]any, error)) (*models.Case, error) {
	cid, err := parseCaseID(id)
	if err != nil {
		return nil, err
	}
	var c *models.Case
	err = unit.Do(ctx, s.db, s.clock, p, func(w *unit.Work) error {
		if c, err = lockCase(w, cid, "UPDATE"); err != nil {
			return err
		}
		from := c.Status
		ev, updates, err := fn(w, c)
		if errors.Is(err, errUnchanged) {
			return audit.Record(w.Tx, p, audit.ActionRead, EntityCase, &c.ID)
		}
		if err != nil {
			return err
		}
		if updates == nil {
			updates = map[string]any{}
		}
		c.Version++
		c.UpdatedAt = w.Now
		updates["version"], updates["updated_at"] = c.Version, c.UpdatedAt
		if err := w.Tx.Model(c).Updates(updates).Error; err != nil {
			return err
		}
		if ev != nil {
			role := p.Role
			ev.ID, ev.CaseID, ev.ActorID, ev.ActorRole = newID(), c.ID, &p.ID, &role
			if err := w.Tx.Create(ev).Error; err != nil {
				return err
			}
		}
		if err := s.enteredFinal(w, from, c); err != nil {
			return err
		}
		if err := s.changed(ctx, w.Tx, c, ev); err != nil {
			return err
		}
		return audit.Record(w.Tx, p, audit.ActionUpdate, EntityCase, &c.ID)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// changed notifies who must hear of the change ev of case c, inside its
// transaction tx: the patient of a status change they may see (not of their
// own withdrawal), of an outcome and of a changed deadline, the advocates of
// a withdrawal; a case that closed loses its pending deadline reminders, one
// whose deadline changed gets those of the new one instead.
func (s *Service) changed(ctx context.Context, tx *gorm.DB, c *models.Case, ev *models.CaseEvent) error {
	if ev == nil {
		return nil
	}
	var err error
	switch {
	case ev.Kind == models.EventStatusChanged && c.Status == models.CaseWithdrawn:
		err = s.notifyAdvocates(ctx, tx, c, notify.KindCaseWithdrawn)
	case ev.Kind == models.EventStatusChanged && ev.VisibleToPatient:
		err = s.notifyPatient(ctx, tx, c, statusNote(c))
	case ev.Kind == models.EventOutcomeRecorded:
		err = s.notifyPatient(ctx, tx, c, notify.Note{Kind: notify.KindCaseOutcome})
	case ev.Kind == models.EventTransferred:
		// The new partner's advocates get the case; the patient is told it
		// moved (no partner's name: push texts carry no organization).
		err = s.notifyAdvocates(ctx, tx, c, notify.KindCaseRouted)
		if err == nil {
			err = s.notifyPatient(ctx, tx, c, notify.Note{Kind: notify.KindCaseStatusChanged, Body: "notify.CASE_TRANSFERRED.body"})
		}
	case ev.Kind == models.EventRouted:
		err = s.notifyAdvocates(ctx, tx, c, notify.KindCaseRouted)
	case ev.Kind == models.EventDeadlineChanged:
		note := notify.Note{Kind: notify.KindDeadlineChanged, Body: "notify.DEADLINE_CHANGED.body.cleared"}
		if c.Deadline != nil {
			note.Body, note.Data = "notify.DEADLINE_CHANGED.body.set", map[string]any{"Reference": c.Reference, "Date": c.Deadline.String()}
		}
		err = s.notifyPatient(ctx, tx, c, note)
	}
	if err != nil {
		return err
	}
	if (ev.Kind == models.EventStatusChanged && c.Status.IsFinal()) || ev.Kind == models.EventDeadlineChanged {
		return s.scheduleReminders(ctx, tx, c)
	}
	return nil
}

// UpdateStatus moves a case to another status, by the transition table of
// models.CaseStatus.CanMoveTo, for an ADVOCATE of the case's organization or an
// ADMIN. It appends a STATUS_CHANGED event with the note (seen by the patient
// unless visibleToPatient is false) and bumps the version.
// Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (also for a case of another
// organization), BAD_USER_INPUT (input.status, input.note), CONFLICT (stale
// input.expectedVersion, a move the table does not allow).
func (s *Service) UpdateStatus(ctx context.Context, in models.UpdateCaseStatusInput) (*models.Case, error) {
	p, err := Policy.Authorize(ctx, "UpdateStatus")
	if err != nil {
		return nil, err
	}
	if !in.Status.IsValid() {
		return nil, models.InvalidField("input.status", "Unknown case status.")
	}
	note, err := optionalText("input.note", in.Note)
	if err != nil {
		return nil, err
	}
	visible := in.VisibleToPatient == nil || *in.VisibleToPatient
	return s.change(ctx, p, in.CaseID, func(_ *unit.Work, c *models.Case) (*models.CaseEvent, map[string]any, error) {
		if in.ExpectedVersion != nil && *in.ExpectedVersion != c.Version {
			return nil, nil, models.Errorf(models.ECONFLICT, "The case changed since you loaded it (version %d, now %d). Reload and try again.", *in.ExpectedVersion, c.Version)
		}
		return s.move(c, in.Status, p.Role, note, visible)
	})
}

// move checks and makes the status change of c, for change.
// Errors: CONFLICT.
func (s *Service) move(c *models.Case, next models.CaseStatus, role models.Role, note *string, visible bool) (*models.CaseEvent, map[string]any, error) {
	from := c.Status
	if !from.CanMoveTo(next, role) {
		switch {
		case from.IsFinal():
			return nil, nil, models.Errorf(models.ECONFLICT, "This case is closed (%s).", from)
		case next == models.CaseWithdrawn && role != models.RolePatient:
			return nil, nil, models.Errorf(models.ECONFLICT, "Only the patient can withdraw a case.")
		default:
			return nil, nil, models.Errorf(models.ECONFLICT, "A case cannot move from %s to %s.", from, next)
		}
	}
	c.Status = next
	ev := &models.CaseEvent{Kind: models.EventStatusChanged, FromStatus: &from, ToStatus: &next, Message: note, VisibleToPatient: visible}
	return ev, map[string]any{"status": next}, nil
}

// Withdraw withdraws the calling PATIENT's own open case, with their reason
// on the timeline.
// Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (also for another patient's
// case), BAD_USER_INPUT (reason), CONFLICT (a closed case).
func (s *Service) Withdraw(ctx context.Context, caseID string, reason *string) (*models.Case, error) {
	p, err := Policy.Authorize(ctx, "Withdraw")
	if err != nil {
		return nil, err
	}
	why, err := optionalText("reason", reason)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, p, caseID, func(_ *unit.Work, c *models.Case) (*models.CaseEvent, map[string]any, error) {
		return s.move(c, models.CaseWithdrawn, p.Role, why, true)
	})
}

// Assign assigns a case to an ADVOCATE of the case's organization, for an
// ADVOCATE of that organization or an ADMIN, and appends an ASSIGNED event.
// Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (also for a case of another
// organization), BAD_USER_INPUT (advocateId: not an active advocate of the
// case's organization), CONFLICT (a closed case).
func (s *Service) Assign(ctx context.Context, caseID, advocateID string) (*models.Case, error) {
	p, err := Policy.Authorize(ctx, "Assign")
	if err != nil {
		return nil, err
	}
	return s.change(ctx, p, caseID, func(w *unit.Work, c *models.Case) (*models.CaseEvent, map[string]any, error) {
		if c.Status.IsFinal() {
			return nil, nil, models.Errorf(models.ECONFLICT, "This case is closed (%s).", c.Status)
		}
		var adv models.User
		aid, perr := uuid.Parse(advocateID)
		err := w.Tx.Take(&adv, "id = ? AND role = ? AND disabled_at IS NULL", aid, models.RoleAdvocate).Error
		if perr != nil || errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && (c.OrganizationID == nil || adv.OrganizationID == nil || *adv.OrganizationID != *c.OrganizationID)) {
			return nil, nil, models.InvalidField("advocateId", "Choose an advocate of the organization that has this case.")
		}
		if err != nil {
			return nil, nil, err
		}
		c.AssignedAdvocateID = &adv.ID
		// The note is the patient's: in their language.
		var lang string
		if err := w.Tx.Raw(`SELECT preferred_language FROM users WHERE id = ?`, c.PatientID).Scan(&lang).Error; err != nil {
			return nil, nil, err
		}
		msg := i18n.T(lang, "note.assigned", map[string]any{"Advocate": adv.DisplayName})
		ev := &models.CaseEvent{Kind: models.EventAssigned, Message: &msg, VisibleToPatient: true}
		return ev, map[string]any{"assigned_advocate_id": adv.ID}, nil
	})
}

// AddMessage appends a MESSAGE event to a case, from its patient or from an
// ADVOCATE of its organization; an advocate may mark it internal
// (visibleToPatient false), a patient may not. ADMINs do not post: messages
// are between the patient and the legal team working the case (Policy; the
// schema says the same). The case's version is unchanged: a message does not
// change the case.
// Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (also for a case the caller
// may not see), BAD_USER_INPUT (body, visibleToPatient).
func (s *Service) AddMessage(ctx context.Context, caseID, body string, visibleToPatient *bool) (*models.CaseEvent, error) {
	p, err := Policy.Authorize(ctx, "AddMessage")
	if err != nil {
		return nil, err
	}
	cid, err := parseCaseID(caseID)
	if err != nil {
		return nil, err
	}
	text := strings.TrimSpace(body)
	if n := utf8.RuneCountInString(text); n < 1 || n > MaxMessageLen {
		return nil, models.InvalidField("body", "Messages are 1 to %d characters long.", MaxMessageLen)
	}
	visible := visibleToPatient == nil || *visibleToPatient
	if !visible && !mayMarkInternal(p) {
		return nil, models.InvalidField("visibleToPatient", "Your messages are always visible to you.")
	}
	role := p.Role
	ev := &models.CaseEvent{ID: newID(), CaseID: cid, Kind: models.EventMessage, Message: &text,
		ActorID: &p.ID, ActorRole: &role, VisibleToPatient: visible}
	err = unit.Do(ctx, s.db, s.clock, p, func(w *unit.Work) error {
		c, err := lockCase(w, cid, "SHARE")
		if err != nil {
			return err
		}
		if err := w.Tx.Create(ev).Error; err != nil {
			return err
		}
		switch {
		case p.Is(models.RolePatient):
			err = s.notifyAdvocates(ctx, w.Tx, c, notify.KindPatientMessage)
		case visible:
			err = s.notifyPatient(ctx, w.Tx, c, notify.Note{Kind: notify.KindCaseMessage})
		}
		if err != nil {
			return err
		}
		return audit.Record(w.Tx, p, audit.ActionUpdate, EntityCase, &c.ID)
	})
	if err != nil {
		return nil, err
	}
	return ev, nil
}

// RecordOutcome records (or corrects) the outcome of a RESOLVED or UNRESOLVED
// case, for an ADVOCATE of its organization or an ADMIN, and appends an
// OUTCOME_RECORDED event. The notes stay internal to staff unless
// in.NotesVisibleToPatient is true.
// Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (also for a case of another
// organization), BAD_USER_INPUT (input.code, input.benefitAmountCents,
// input.notes), CONFLICT (a case that is not RESOLVED or UNRESOLVED).
func (s *Service) RecordOutcome(ctx context.Context, in models.CaseOutcomeInput) (*models.Case, error) {
	p, err := Policy.Authorize(ctx, "RecordOutcome")
	if err != nil {
		return nil, err
	}
	if !in.Code.IsValid() {
		return nil, models.InvalidField("input.code", "Unknown outcome code.")
	}
	if in.BenefitAmountCents != nil && *in.BenefitAmountCents < 0 {
		return nil, models.InvalidField("input.benefitAmountCents", "The benefit amount cannot be negative.")
	}
	notes, err := optionalText("input.notes", in.Notes)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, p, in.CaseID, func(w *unit.Work, c *models.Case) (*models.CaseEvent, map[string]any, error) {
		if c.Status != models.CaseResolved && c.Status != models.CaseUnresolved {
			return nil, nil, models.Errorf(models.ECONFLICT, "Record an outcome once the case is RESOLVED or UNRESOLVED.")
		}
		o := &models.CaseOutcome{CaseID: c.ID, Code: in.Code, BenefitAmountCents: in.BenefitAmountCents, Notes: notes,
			NotesVisibleToPatient: in.NotesVisibleToPatient != nil && *in.NotesVisibleToPatient,
			RecordedByID:          &p.ID, RecordedAt: w.Now}
		err := w.Tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "case_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"code", "benefit_amount_cents", "notes", "notes_visible_to_patient", "recorded_by_id", "recorded_at"}),
		}).Create(o).Error
		if err != nil {
			return nil, nil, err
		}
		return &models.CaseEvent{Kind: models.EventOutcomeRecorded, VisibleToPatient: true}, nil, nil
	})
}

// SetDeadline records, moves or (deadline nil) clears the deadline of an open
// case, for an ADVOCATE of the case's organization: the legal team learns the
// court date after the patient asked for help, and courts move hearings. In
// the change's one transaction it appends a DEADLINE_CHANGED event the
// patient sees (in their language), tells the patient, drops the case's
// pending deadline reminders and schedules those of the new deadline (9:00
// in the state's main time zone, 7 days and 1 day before), bumps the version
// and audits. Setting the deadline the case already has changes nothing and
// answers the case (a retried call is not a conflict).
// Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (also for a case of another
// organization), BAD_USER_INPUT (deadline: before today in the case's
// state), CONFLICT (stale expectedVersion, a closed case).
func (s *Service) SetDeadline(ctx context.Context, caseID string, deadline *models.Date, expectedVersion int) (*models.Case, error) {
	p, err := Policy.Authorize(ctx, "SetDeadline")
	if err != nil {
		return nil, err
	}
	return s.change(ctx, p, caseID, func(w *unit.Work, c *models.Case) (*models.CaseEvent, map[string]any, error) {
		if sameDate(c.Deadline, deadline) {
			return nil, nil, errUnchanged
		}
		if expectedVersion != c.Version {
			return nil, nil, models.Errorf(models.ECONFLICT, "The case changed since you loaded it (version %d, now %d). Reload and try again.", expectedVersion, c.Version)
		}
		if c.Status.IsFinal() {
			return nil, nil, models.Errorf(models.ECONFLICT, "This case is closed (%s).", c.Status)
		}
		if deadline != nil && deadline.Before(models.NewDate(w.Now.In(models.StateLocation(c.Jurisdiction))).Time) {
			return nil, nil, models.InvalidField("deadline", "The deadline cannot be in the past.")
		}
		var lang string
		if err := w.Tx.Raw(`SELECT preferred_language FROM users WHERE id = ?`, c.PatientID).Scan(&lang).Error; err != nil {
			return nil, nil, err
		}
		msg := i18n.T(lang, "note.deadline.cleared", nil)
		if deadline != nil {
			msg = i18n.T(lang, "note.deadline.set", map[string]any{"Date": deadline.String()})
		}
		c.Deadline = deadline
		return &models.CaseEvent{Kind: models.EventDeadlineChanged, Message: &msg, VisibleToPatient: true},
			map[string]any{"deadline": deadline}, nil
	})
}

func sameDate(a, b *models.Date) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && a.String() == b.String())
}
