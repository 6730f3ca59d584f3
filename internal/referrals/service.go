// Package referrals holds the rules of the closed referral loop: a clinician
// refers a patient and gets a one-time code, the patient claims it and a case
// opens, and the clinician follows the case's status only while the patient
// shares it (the consents themselves are the case service's).
package referrals

import (
	"context"
	"crypto/hmac"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"mlp/internal/audit"
	"mlp/internal/auth"
	"mlp/internal/cases"
	"mlp/internal/clock"
	"mlp/internal/database"
	"mlp/internal/notify"
	"mlp/internal/page"
	"mlp/internal/ratelimit"
	"mlp/internal/unit"
	"mlp/models"
)

// EntityReferral is the audit log's entity type for referrals.
const EntityReferral = "Referral"

// Limits of a referral.
const (
	MaxPatientLabelLen  = 60
	MaxNotesLen         = 2000
	MaxScreeningNoteLen = 500
	// MaxIdempotencyKeyLen is the longest idempotency key, in bytes.
	MaxIdempotencyKeyLen = 200
)

// GuideChecker checks the guides a clinician recommends (guides.Service).
type GuideChecker interface {
	// ValidatePublishedSlugs returns slugs trimmed and without repeats, in
	// order, when each names a published PATIENTS guide; nil for none.
	// Errors: BAD_USER_INPUT naming field.
	ValidatePublishedSlugs(ctx context.Context, field string, slugs []string) ([]string, error)
}

// errCodeNotFound is the one answer for an unknown, spent, cancelled or
// expired code, so that an answer never tells which.
var errCodeNotFound = models.Errorf(models.ENOTFOUND,
	"We could not find a referral with this code. Check the code with your care team: each code works once and only for 30 days.")

// Service is the referral service.
type Service struct {
	db      *gorm.DB
	cases   *cases.Service
	limiter *ratelimit.Limiter
	clock   clock.Clock
	codeKey []byte
	guides  GuideChecker
	// notifier writes the clinicians' notifications (UseNotifier).
	notifier *notify.Notifier
}

// UseNotifier gives the service the notifier of the clinicians'
// notifications (their push included).
func (s *Service) UseNotifier(n *notify.Notifier) { s.notifier = n }

// NewService returns the referral service. Claims open cases through cs and
// are rate limited by limiter; codeKey keys the hash of referral codes (see
// DeriveCodeKey); gc checks recommended guides; clk is the application's
// clock.
func NewService(db *gorm.DB, cs *cases.Service, limiter *ratelimit.Limiter, codeKey []byte, gc GuideChecker, clk clock.Clock) *Service {
	return &Service{db: db, cases: cs, limiter: limiter, clock: clk, codeKey: codeKey, guides: gc}
}

// ReferPatient records a referral by the calling CLINICIAN and returns it with
// its one-time code in PlainCode; only the code's keyed hash is stored. The
// code can be claimed for 30 days.
// Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT (input.patientLabel,
// input.categories, input.screening, input.notes, input.jurisdiction,
// input.deadline, input.recommendedGuideSlugs).
func (s *Service) ReferPatient(ctx context.Context, in models.ReferPatientInput) (*models.Referral, error) {
	p, err := Policy.Authorize(ctx, "ReferPatient")
	if err != nil {
		return nil, err
	}
	r, err := s.validate(in, s.clock.Now())
	if err != nil {
		return nil, err
	}
	if r.RecommendedGuideSlugs, err = s.guides.ValidatePublishedSlugs(ctx, "input.recommendedGuideSlugs", in.RecommendedGuideSlugs); err != nil {
		return nil, err
	}
	if r.RecommendedGuideSlugs == nil {
		r.RecommendedGuideSlugs = []string{}
	}
	r.ID, r.Status, r.ClinicianID, r.OrganizationID = uuid.Must(uuid.NewV7()), models.ReferralSent, p.ID, p.OrganizationID
	var first *models.Referral
	err = unit.Do(ctx, s.db, s.clock, p, func(w *unit.Work) error {
		tx := w.Tx
		r.CreatedAt, r.UpdatedAt, r.ExpiresAt = w.Now, w.Now, w.Now.Add(models.ReferralTTL)
		// A retry of the same submission: answer with the first referral.
		if r.IdempotencyKey != nil {
			if first, err = s.findByKey(w, p.ID, *r.IdempotencyKey); err != nil || first != nil {
				return err
			}
		}
		// A fresh code collides with a stored one about never; if it does, the
		// unique index says so and another code is drawn.
		for attempt := 1; ; attempt++ {
			code, err := s.drawCode(r, attempt)
			if err != nil {
				return err
			}
			norm, _ := normaliseCode(code)
			r.PlainCode, r.CodeHash, r.CodeHint = code, hashCode(s.codeKey, norm), codeHint(norm)
			err = tx.Transaction(func(sp *gorm.DB) error { return sp.Create(r).Error })
			if err == nil {
				break
			}
			if r.IdempotencyKey != nil && database.IsUniqueViolation(err, "referrals_clinician_idempotency_key") {
				// a concurrent twin won: answer with its referral
				if first, err = s.findByKey(w, p.ID, *r.IdempotencyKey); err == nil && first == nil {
					err = errors.New("referrals: idempotency key conflict without a referral")
				}
				return err
			}
			if !database.IsUniqueViolation(err, "referrals_code_hash_key") || attempt == 3 {
				return err
			}
		}
		return audit.Record(tx, p, audit.ActionCreate, EntityReferral, &r.ID)
	})
	if err != nil {
		return nil, err
	}
	if first != nil {
		return first, nil
	}
	return r, nil
}

// drawCode returns the code of r's attempt: a random one, or for a
// submission with an idempotency key the one derived from it (keyedCode).
func (s *Service) drawCode(r *models.Referral, attempt int) (string, error) {
	if r.IdempotencyKey == nil {
		return newCode()
	}
	return keyedCode(s.codeKey, r.ClinicianID.String(), *r.IdempotencyKey, attempt), nil
}

// findByKey returns the clinician's referral with the idempotency key, or
// nil; while it is SENT, with its code in full again (recomputed from the key:
// only its hash is stored).
func (s *Service) findByKey(w *unit.Work, clinician uuid.UUID, key string) (*models.Referral, error) {
	var r models.Referral
	err := w.Tx.Take(&r, "clinician_id = ? AND idempotency_key = ?", clinician, key).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if r.StatusAt(w.Now) != models.ReferralSent {
		return &r, nil
	}
	for attempt := 1; attempt <= 3; attempt++ {
		code := keyedCode(s.codeKey, clinician.String(), key, attempt)
		norm, _ := normaliseCode(code)
		if hmac.Equal(hashCode(s.codeKey, norm), r.CodeHash) {
			r.PlainCode = code
			break
		}
	}
	return &r, nil
}

// validate checks a referral made at now and returns it, normalised.
func (s *Service) validate(in models.ReferPatientInput, now time.Time) (*models.Referral, error) {
	label := strings.TrimSpace(in.PatientLabel)
	if n := utf8.RuneCountInString(label); n < 1 || n > MaxPatientLabelLen {
		return nil, models.InvalidField("input.patientLabel", "Enter the patient's first name or initials, 1 to %d characters.", MaxPatientLabelLen)
	}
	if strings.ContainsFunc(label, func(r rune) bool { return unicode.IsDigit(r) || r == '@' }) {
		return nil, models.InvalidField("input.patientLabel", "Use a first name or initials only: no numbers, dates or email addresses.")
	}
	key := models.Trimmed(in.IdempotencyKey)
	if in.IdempotencyKey != nil && (key == nil || len(*key) > MaxIdempotencyKeyLen) {
		return nil, models.InvalidField("input.idempotencyKey", "The submission key is 1 to %d characters long.", MaxIdempotencyKeyLen)
	}
	if len(in.Categories) == 0 {
		return nil, models.InvalidField("input.categories", "Choose at least one legal category.")
	}
	var cats []models.LegalCategory
	for _, c := range in.Categories {
		if !c.IsValid() {
			return nil, models.InvalidField("input.categories", "Choose from the legal categories.")
		}
		if !slices.Contains(cats, c) {
			cats = append(cats, c)
		}
	}
	screening := make([]*models.ScreeningAnswer, 0, len(in.Screening))
	seen := map[models.ScreeningDomain]bool{}
	for _, a := range in.Screening {
		if a == nil || !a.Domain.IsValid() {
			return nil, models.InvalidField("input.screening", "Choose one of the I-HELP screening domains.")
		}
		if seen[a.Domain] {
			return nil, models.InvalidField("input.screening", "Answer each screening domain at most once (%s is there twice).", a.Domain)
		}
		seen[a.Domain] = true
		note := models.Trimmed(a.Note)
		if note != nil && utf8.RuneCountInString(*note) > MaxScreeningNoteLen {
			return nil, models.InvalidField("input.screening", "Keep each screening note under %d characters.", MaxScreeningNoteLen)
		}
		screening = append(screening, &models.ScreeningAnswer{Domain: a.Domain, Positive: a.Positive, Note: note})
	}
	notes := models.Trimmed(in.Notes)
	if notes != nil && utf8.RuneCountInString(*notes) > MaxNotesLen {
		return nil, models.InvalidField("input.notes", "Keep the notes for the legal team under %d characters.", MaxNotesLen)
	}
	jur := strings.ToUpper(strings.TrimSpace(in.Jurisdiction))
	if !models.IsStateCode(jur) {
		return nil, models.InvalidField("input.jurisdiction", "Choose a US state, DC or Puerto Rico, by its two-letter code.")
	}
	if in.Deadline != nil {
		// The case opened on claim, up to 30 days later, accepts deadlines
		// up to a year old; a referral's must still be acceptable then.
		earliest := models.NewDate(now).AddDate(-1, 0, 0).Add(models.ReferralTTL)
		if in.Deadline.Before(earliest) {
			return nil, models.InvalidField("input.deadline", "The deadline cannot be more than 11 months ago.")
		}
	}
	return &models.Referral{PatientLabel: label, Categories: cats, Screening: screening, Notes: notes,
		Jurisdiction: jur, Deadline: in.Deadline, IdempotencyKey: key}, nil
}

// parseID parses a GraphQL ID; a malformed one is NOT_FOUND (what), like any
// object the caller cannot see.
func parseID(id, what string) (uuid.UUID, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return uuid.Nil, models.NotFound(what)
	}
	return u, nil
}

// CancelReferral cancels the calling CLINICIAN's own referral while it waits
// to be claimed (SENT and not expired).
// Errors: UNAUTHENTICATED, NOT_FOUND (also for another clinician's referral),
// CONFLICT (claimed, closed, cancelled or expired).
func (s *Service) CancelReferral(ctx context.Context, id string) (*models.Referral, error) {
	p, err := Policy.Authorize(ctx, "CancelReferral")
	if err != nil {
		return nil, err
	}
	rid, err := parseID(id, "Referral")
	if err != nil {
		return nil, err
	}
	var r models.Referral
	err = unit.Do(ctx, s.db, s.clock, p, func(w *unit.Work) error {
		tx := w.Tx
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&r, "id = ? AND clinician_id = ?", rid, p.ID).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return models.NotFound("Referral")
		}
		if err != nil {
			return err
		}
		now := w.Now
		if st := r.StatusAt(now); st != models.ReferralSent {
			return models.Errorf(models.ECONFLICT, "Only a referral that is waiting to be claimed can be cancelled; this one is %s.", st)
		}
		r.Status, r.CancelledAt, r.UpdatedAt = models.ReferralCancelled, &now, now
		if err := tx.Model(&r).UpdateColumns(map[string]any{"status": r.Status, "cancelled_at": now, "updated_at": now}).Error; err != nil {
			return err
		}
		return audit.Record(tx, p, audit.ActionUpdate, EntityReferral, &r.ID)
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// ClaimReferral claims a referral code for the calling PATIENT: it opens a case
// exactly as requestLegalHelp does (routing, reference, the
// SHARE_WITH_LEGAL_PARTNER consent) with the referral's first category,
// jurisdiction and deadline and the patient's description, links it to the
// referral, records the SHARE_STATUS_WITH_REFERRER consent when the patient
// shares the status, and tells the clinician, all in one transaction. Each
// patient has the limiter's ClaimReferralPerUser claims (10 an hour by default),
// successful or not, so that codes cannot be guessed. Of two claims
// of one code at the same moment exactly one wins: the row's conditional
// update decides, and the other finds the code spent.
// Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT (input.consentToShare,
// input.description, input.zipCode), RATE_LIMITED, NOT_FOUND (one answer for an unknown,
// spent, cancelled or expired code).
func (s *Service) ClaimReferral(ctx context.Context, in models.ClaimReferralInput) (*models.Case, error) {
	p, err := Policy.Authorize(ctx, "ClaimReferral")
	if err != nil {
		return nil, err
	}
	if !in.ConsentToShare {
		return nil, models.InvalidField("input.consentToShare", "We need your consent to share your request with a legal aid partner.")
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(in.Description)); n < 1 || n > cases.MaxDescriptionLen {
		return nil, models.InvalidField("input.description", "Tell us about your problem in 1 to %d characters.", cases.MaxDescriptionLen)
	}
	if err := s.limiter.Take(ctx, s.limiter.Rules().ClaimReferralPerUser.For(p.ID.String())); err != nil {
		return nil, err
	}
	norm, ok := normaliseCode(in.Code)
	if !ok {
		return nil, errCodeNotFound
	}
	hash := hashCode(s.codeKey, norm)
	var c *models.Case
	err = unit.Do(ctx, s.db, s.clock, p, func(w *unit.Work) error {
		tx, now := w.Tx, w.Now
		var r models.Referral
		// The winner of two concurrent claims takes the row lock here; the
		// other waits, then finds the row no longer SENT and updates nothing.
		res := tx.Model(&r).Clauses(clause.Returning{}).
			Where("code_hash = ? AND status = ? AND expires_at > ?", hash, models.ReferralSent, now).
			UpdateColumns(map[string]any{"status": models.ReferralClaimed, "claimed_by": p.ID, "claimed_at": now, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return errCodeNotFound
		}
		c, err = s.cases.Open(w, cases.OpenCase{
			IdempotencyKey: "referral:" + r.ID.String(),
			Category:       r.Categories[0],
			Description:    in.Description,
			Jurisdiction:   r.Jurisdiction,
			Deadline:       r.Deadline,
			ConsentToShare: in.ConsentToShare,
			ZipCode:        in.ZipCode,
			HealthSystemID: r.OrganizationID,
		})
		if err != nil {
			return err
		}
		// The patient now comes through the referring clinician's health
		// system: their own requests go to its partner first.
		if r.OrganizationID != nil {
			if err := tx.Model(&models.User{}).Where("id = ?", p.ID).Update("health_system_id", r.OrganizationID).Error; err != nil {
				return err
			}
		}
		if err := tx.Model(c).UpdateColumn("referral_id", r.ID).Error; err != nil {
			return err
		}
		c.ReferralID = &r.ID
		if in.ShareStatusWithReferrer {
			if _, err := s.cases.RecordConsent(w, models.ConsentShareStatusWithReferrer, &c.ID); err != nil {
				return err
			}
		}
		// That the referral was taken up is the clinician's to know; what
		// follows only while the patient shares it.
		body := "notify.REFERRAL_CLAIMED.body.private"
		if in.ShareStatusWithReferrer {
			body = "notify.REFERRAL_CLAIMED.body.shared"
		}
		if err := s.notifier.To(ctx, tx, []uuid.UUID{r.ClinicianID}, notify.Note{Kind: notify.KindReferralClaimed, Body: body,
			ReferralID: &r.ID, Data: map[string]any{"Patient": r.PatientLabel}}); err != nil {
			return err
		}
		return audit.Record(tx, p, audit.ActionUpdate, EntityReferral, &r.ID)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// CloseForCase tells the referring clinician that case c, opened from their
// referral, ended, and marks the referral CLOSED, but only while the
// patient's SHARE_STATUS_WITH_REFERRER consent for c stands: without it
// (never given, or revoked) the clinician is told nothing after the claim and
// the referral stays CLAIMED for them. A withdrawal by the patient is told as
// one (REFERRAL_WITHDRAWN), not as a closure by the legal team. The case
// service calls it in the unit of work w in which c reaches a final status
// (see cases.Service.OnFinal).
func (s *Service) CloseForCase(w *unit.Work, c *models.Case) error {
	tx, now := w.Tx, w.Now
	var closed []struct {
		ID           uuid.UUID
		ClinicianID  uuid.UUID
		PatientLabel string
	}
	err := tx.Raw(`UPDATE referrals r SET status = ?, closed_at = ?, updated_at = ?
		FROM cases c WHERE c.id = ? AND r.id = c.referral_id AND r.status = ?
			AND EXISTS (SELECT 1 FROM consents k WHERE k.case_id = c.id AND k.patient_id = c.patient_id
				AND k.scope = ? AND k.revoked_at IS NULL)
		RETURNING r.id, r.clinician_id, r.patient_label`,
		models.ReferralClosed, now, now, c.ID, models.ReferralClaimed, models.ConsentShareStatusWithReferrer).Scan(&closed).Error
	if err != nil {
		return err
	}
	kind := notify.KindReferralClosed
	if c.Status == models.CaseWithdrawn {
		kind = notify.KindReferralWithdrawn
	}
	for _, r := range closed {
		if err := s.notifier.To(tx.Statement.Context, tx, []uuid.UUID{r.ClinicianID}, notify.Note{Kind: kind,
			ReferralID: &r.ID, Data: map[string]any{"Patient": r.PatientLabel}}); err != nil {
			return err
		}
		if err := audit.Record(tx, nil, audit.ActionUpdate, EntityReferral, &r.ID); err != nil {
			return err
		}
	}
	return nil
}

// MyReferrals lists the referrals the calling CLINICIAN made, newest first.
// Errors: UNAUTHENTICATED, FORBIDDEN (not a CLINICIAN), BAD_USER_INPUT
// (first, after).
func (s *Service) MyReferrals(ctx context.Context, args page.Args) (page.Page[*models.Referral], error) {
	var none page.Page[*models.Referral]
	p, err := Policy.Authorize(ctx, "MyReferrals")
	if err != nil {
		return none, err
	}
	q := s.db.WithContext(ctx).Model(&models.Referral{}).Scopes(Mine(p, "referrals").Scope)
	return page.Newest(q, args, "created_at", func(r *models.Referral) (time.Time, uuid.UUID) { return r.CreatedAt, r.ID })
}

// ReferralsByID loads the referrals among ids that the caller may see
// (Visible), for the referral dataloader (a case's referral).
// Errors: UNAUTHENTICATED.
func (s *Service) ReferralsByID(ctx context.Context, ids []uuid.UUID) ([]*models.Referral, error) {
	p, err := Policy.Authorize(ctx, "ReferralsByID")
	if err != nil {
		return nil, err
	}
	var out []*models.Referral
	return out, s.db.WithContext(ctx).Scopes(Visible(p, "referrals").Scope).Where("id IN ?", ids).Find(&out).Error
}

// SharedCaseStatuses returns, by referral id, the status of the case opened
// from each referral the caller may see (Visible) whose patient's
// SHARE_STATUS_WITH_REFERRER consent for that case stands
// (cases.SharesStatusWithReferrer); referrals without one are missing. It
// reads the consent on every call, so a revocation shows at the next read.
// Errors: UNAUTHENTICATED.
func (s *Service) SharedCaseStatuses(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*models.CaseStatus, error) {
	p, err := Policy.Authorize(ctx, "SharedCaseStatuses")
	if err != nil {
		return nil, err
	}
	visible, shares := Visible(p, "r"), cases.SharesStatusWithReferrer("c")
	var rows []struct {
		ReferralID uuid.UUID
		Status     models.CaseStatus
	}
	vars := append(append([]any{ids}, visible.Args...), shares.Args...)
	err = s.db.WithContext(ctx).Raw(`SELECT c.referral_id, c.status FROM cases c JOIN referrals r ON r.id = c.referral_id
		WHERE c.referral_id IN ? AND `+visible.SQL+` AND `+shares.SQL, vars...).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]*models.CaseStatus, len(rows))
	for _, r := range rows {
		out[r.ReferralID] = &r.Status
	}
	return out, nil
}

// Status returns the referral's status now: EXPIRED for a SENT referral past
// its expiry.
func (s *Service) Status(r *models.Referral) models.ReferralStatus { return r.StatusAt(s.clock.Now()) }

// Code returns the code as the caller may see it: in full only in the answer
// to referPatient, masked with its last four characters for the referring
// clinician afterwards, fully masked for anyone else.
func (s *Service) Code(ctx context.Context, r *models.Referral) string {
	if r.PlainCode != "" {
		return r.PlainCode
	}
	if p, _ := auth.UserFrom(ctx); p != nil && p.ID == r.ClinicianID {
		return maskCode(r.CodeHint)
	}
	return MaskedCode
}

// Notes returns the clinician's notes to the referring clinician, and to the
// ADVOCATEs and ADMINs who reach a claimed referral through its case; nil for
// everyone else (the patient included).
func (s *Service) Notes(ctx context.Context, r *models.Referral) *string {
	if p, _ := auth.UserFrom(ctx); maySeeNotes(p, r) {
		return r.Notes
	}
	return nil
}
