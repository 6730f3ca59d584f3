package cases

import (
	"context"
	"errors"
	"fmt"
	"mlp/internal/i18n"
	"mlp/internal/notify"
	"mlp/internal/ratelimit"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"mlp/internal/audit"
	"mlp/internal/geo"
	"mlp/internal/unit"
	"mlp/models"
)

// Limits of a request for legal help.
const (
	MaxDescriptionLen    = 5000
	MaxIdempotencyKeyLen = 200
	MaxHouseholdSize     = 20
)

// OpenCase is what opening a case takes: a patient's request for legal help,
// or a referral the patient claims (then Category is the referral's first
// category and Description the patient's words). Field names in errors are
// those of RequestLegalHelpInput ("input.description").
type OpenCase struct {
	// IdempotencyKey identifies the submission: opening again with the same
	// key for the same patient returns the first case and creates nothing.
	IdempotencyKey     string
	Category           models.LegalCategory
	Description        string
	Jurisdiction       string
	Deadline           *models.Date
	PreferredContact   *models.ContactMethod
	ConsentToShare     bool
	HouseholdSize      *int
	MonthlyIncomeCents *int64
	ZipCode            *string
	// HealthSystemID is the health system whose partner routing tries first:
	// the referring clinician's for a claimed referral. Nil for self-intake,
	// where the patient's own health system is used.
	HealthSystemID *uuid.UUID
}

// RequestLegalHelp opens a case for the calling PATIENT in a transaction of its
// own; see Open.
// Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT (input.consentToShare,
// input.idempotencyKey, input.category, input.description, input.jurisdiction,
// input.deadline, input.preferredContact, input.householdSize,
// input.monthlyIncomeCents, input.zipCode), RATE_LIMITED when the patient
// opened their RequestLegalHelpPerUser cases already (20 a day by default; a
// retry with the same idempotency key returns the first case and counts
// nothing).
func (s *Service) RequestLegalHelp(ctx context.Context, in models.RequestLegalHelpInput) (*models.Case, error) {
	p, err := Policy.Authorize(ctx, "RequestLegalHelp")
	if err != nil {
		return nil, err
	}
	var hits []ratelimit.Hit
	if s.limiter != nil {
		hits = append(hits, s.limiter.Rules().RequestLegalHelpPerUser.For(p.ID.String()))
	}
	var c *models.Case
	err = unit.Do(ctx, s.db, s.clock, p, func(w *unit.Work) error {
		c, err = s.open(w, OpenCase{
			IdempotencyKey: in.IdempotencyKey, Category: in.Category, Description: in.Description,
			Jurisdiction: in.Jurisdiction, Deadline: in.Deadline, PreferredContact: in.PreferredContact,
			ConsentToShare: in.ConsentToShare, HouseholdSize: in.HouseholdSize,
			MonthlyIncomeCents: in.MonthlyIncomeCents, ZipCode: in.ZipCode,
		}, hits...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Open opens a case for the unit's principal, a patient, inside the caller's
// unit of work w (RequestLegalHelp's own, or claimReferral's). It validates in,
// returns the patient's earlier case with the same idempotency key if there is
// one, routes the case to a legal-aid partner, gives it the next reference of
// the year, and records the SHARE_WITH_LEGAL_PARTNER consent, the CREATED
// event (which tells the patient in plain words when no partner was found) and
// the audit entries.
//
// The reference comes from the year's sequence (case_reference_next in
// migrations/00019_hot_rows.sql), which holds no lock until w ends (but for
// the year's first case, which creates the sequence): numbers are unique and
// rise within the year in the order they are taken, and a creation that
// rolls back leaves a gap. Two concurrent calls with the same key open one
// case; the unique index on (patient_id, idempotency_key) decides, and the
// loser returns the winner's case.
//
// Errors: UNAUTHENTICATED, FORBIDDEN when w's principal is not a PATIENT;
// BAD_USER_INPUT (see RequestLegalHelp).
func (s *Service) Open(w *unit.Work, in OpenCase) (*models.Case, error) {
	return s.open(w, in)
}

// open is Open, counting a new case against the limits of hits (through the
// service's limiter; none for a claimed referral, whose claim the referrals
// service limits). Their buckets are locked first (until w ends): the
// patient's requests then take turns, so that a retry sent while its first
// try still runs finds that case once it committed, counting nothing; and the
// case is counted (or refused, RATE_LIMITED) before its reference number is
// taken, since a number is not given back.
func (s *Service) open(w *unit.Work, in OpenCase, hits ...ratelimit.Hit) (*models.Case, error) {
	p := w.By
	if err := Policy.Check(p, "Open"); err != nil {
		return nil, err
	}
	c, err := s.validate(in, w.Now)
	if err != nil {
		return nil, err
	}
	c.PatientID = p.ID
	tx := w.Tx

	limited := s.limiter != nil && len(hits) > 0
	if limited {
		if err := s.limiter.LockTx(tx, hits...); err != nil {
			return nil, err
		}
	}
	// A retry of the same submission: answer with the first case.
	if first, err := findByKey(tx, p.ID, c.IdempotencyKey); err != nil || first != nil {
		return first, err
	}
	if limited {
		if err := s.limiter.CountTx(tx, hits...); err != nil {
			return nil, err
		}
	}
	r, err := route(tx, c, in.HealthSystemID, p.ID)
	if err != nil {
		return nil, err
	}
	c.HealthSystemID, c.OrganizationID = r.HealthSystemID, r.OrganizationID
	year := w.Now.Year()
	var n int
	if err := tx.Raw(`SELECT case_reference_next(?)`, year).Scan(&n).Error; err != nil {
		return nil, err
	}
	c.Reference = fmt.Sprintf("MLP-%04d-%06d", year, n)
	// A concurrent twin (the same key: a retry while its first try still
	// runs, where no limit made them take turns) makes the insert wait for it
	// and, once it committed, do nothing: answer with the twin's case (the
	// number taken is a gap).
	created := tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "patient_id"}, {Name: "idempotency_key"}},
		DoNothing: true,
	}).Create(c)
	if created.Error != nil {
		return nil, created.Error
	}
	if created.RowsAffected == 0 {
		first, err := findByKey(tx, p.ID, c.IdempotencyKey)
		if err == nil && first == nil {
			err = errors.New("cases: idempotency key conflict without a case")
		}
		return first, err
	}

	if _, err := grantConsent(w, models.ConsentShareWithLegalPartner, &c.ID); err != nil {
		return nil, err
	}
	status := models.CaseSubmitted
	role := p.Role
	// The note is the patient's: in their language.
	note := createdNote(i18n.Match(p.Language), c, r)
	ev := &models.CaseEvent{ID: newID(), CaseID: c.ID, Kind: models.EventCreated, ToStatus: &status,
		Message: &note, ActorID: &p.ID, ActorRole: &role, VisibleToPatient: true}
	if err := tx.Create(ev).Error; err != nil {
		return nil, err
	}
	if err := audit.Record(tx, p, audit.ActionCreate, EntityCase, &c.ID); err != nil {
		return nil, err
	}
	if err := s.notifyAdvocates(w.Ctx, tx, c, notify.KindCaseRouted); err != nil {
		return nil, err
	}
	if err := s.enqueueReminders(w.Ctx, tx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// findByKey returns the patient's case with the idempotency key, or nil.
func findByKey(tx *gorm.DB, patientID uuid.UUID, key string) (*models.Case, error) {
	var c models.Case
	err := tx.Take(&c, "patient_id = ? AND idempotency_key = ?", patientID, key).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// openCondition selects open cases. It is written out (not bound) so that the
// planner matches it with the predicate of the partial index cases_open_queue_idx.
var openCondition = func() string {
	quoted := make([]string, len(models.FinalCaseStatuses))
	for i, st := range models.FinalCaseStatuses {
		quoted[i] = "'" + string(st) + "'"
	}
	return "status NOT IN (" + strings.Join(quoted, ", ") + ")"
}()

// validate checks a request made at now and returns the case it describes,
// normalised.
func (s *Service) validate(in OpenCase, now time.Time) (*models.Case, error) {
	if !in.ConsentToShare {
		return nil, models.InvalidField("input.consentToShare", "We need your consent to share your request with a legal aid partner.")
	}
	key := strings.TrimSpace(in.IdempotencyKey)
	if key == "" || len(key) > MaxIdempotencyKeyLen {
		return nil, models.InvalidField("input.idempotencyKey", "The submission key is 1 to %d characters long.", MaxIdempotencyKeyLen)
	}
	if !in.Category.IsValid() {
		return nil, models.InvalidField("input.category", "Choose one of the legal categories.")
	}
	desc := strings.TrimSpace(in.Description)
	if n := utf8.RuneCountInString(desc); n < 1 || n > MaxDescriptionLen {
		return nil, models.InvalidField("input.description", "Tell us about your problem in 1 to %d characters.", MaxDescriptionLen)
	}
	jur := strings.ToUpper(strings.TrimSpace(in.Jurisdiction))
	if !models.IsStateCode(jur) {
		return nil, models.InvalidField("input.jurisdiction", "Choose a US state, DC or Puerto Rico, by its two-letter code.")
	}
	if in.Deadline != nil {
		today := models.NewDate(now)
		if in.Deadline.Before(today.AddDate(-1, 0, 0)) {
			return nil, models.InvalidField("input.deadline", "The deadline cannot be more than a year ago.")
		}
	}
	if in.PreferredContact != nil && !in.PreferredContact.IsValid() {
		return nil, models.InvalidField("input.preferredContact", "Choose how we should contact you.")
	}
	if in.HouseholdSize != nil && (*in.HouseholdSize < 1 || *in.HouseholdSize > MaxHouseholdSize) {
		return nil, models.InvalidField("input.householdSize", "Household size is 1 to %d people.", MaxHouseholdSize)
	}
	if in.MonthlyIncomeCents != nil && *in.MonthlyIncomeCents < 0 {
		return nil, models.InvalidField("input.monthlyIncomeCents", "Monthly income cannot be negative.")
	}
	place, err := geo.PlaceOf(jur, zipCode(in.ZipCode))
	switch {
	case errors.Is(err, geo.ErrZIPUnknown):
		return nil, models.InvalidField("input.zipCode", "We do not know this ZIP code. Check its 5 digits, or leave it out.")
	case errors.Is(err, geo.ErrZIPOutsideState):
		return nil, models.InvalidField("input.zipCode", "This ZIP code is not in %s. Check the ZIP code and the state.", jur)
	case err != nil:
		return nil, err
	}
	var zip *string
	if place.ZIP != "" {
		zip = &place.ZIP
	}
	return &models.Case{
		ID: newID(), IdempotencyKey: key, Category: in.Category, Description: desc, Status: models.CaseSubmitted,
		Jurisdiction: jur, Deadline: in.Deadline, PreferredContact: in.PreferredContact,
		HouseholdSize: in.HouseholdSize, MonthlyIncomeCents: in.MonthlyIncomeCents, Version: 1,
		ZipCode: zip, Counties: place.Counties,
	}, nil
}

// zipCode returns the trimmed ZIP code of a request, "" for none.
func zipCode(z *string) string {
	if t := models.Trimmed(z); t != nil {
		return *t
	}
	return ""
}
