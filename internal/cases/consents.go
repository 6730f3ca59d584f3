package cases

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"mlp/internal/audit"
	"mlp/internal/database"
	"mlp/internal/unit"
	"mlp/models"
)

// Consents live here, all of them: granting (with a case, at request and
// claim time, and again by the patient), listing, revoking, and the check
// every reader of shared data uses (SharesStatusWithReferrer).

// EntityConsent is the audit log's entity type for consents.
const EntityConsent = "Consent"

// MyConsents lists the calling PATIENT's consents, revoked ones included,
// newest first.
// Errors: UNAUTHENTICATED, FORBIDDEN (not a PATIENT).
func (s *Service) MyConsents(ctx context.Context) ([]*models.Consent, error) {
	p, err := Policy.Authorize(ctx, "MyConsents")
	if err != nil {
		return nil, err
	}
	var out []*models.Consent
	return out, s.db.WithContext(ctx).Where("patient_id = ?", p.ID).Order("granted_at DESC, id DESC").Find(&out).Error
}

// GrantConsent records that the calling PATIENT agrees to share under scope
// about their case caseID, with today's text of that consent; it is how a
// patient who revoked a consent shares again. Every scope is about one case,
// so caseID is required; SHARE_STATUS_WITH_REFERRER needs a case opened from
// a referral. A consent that already stands is returned as it is (nothing is
// written twice).
// Errors: UNAUTHENTICATED, FORBIDDEN (not a PATIENT), BAD_USER_INPUT (scope,
// caseId), NOT_FOUND (a case the caller may not see).
func (s *Service) GrantConsent(ctx context.Context, scope models.ConsentScope, caseID *string) (*models.Consent, error) {
	p, err := Policy.Authorize(ctx, "GrantConsent")
	if err != nil {
		return nil, err
	}
	if !scope.IsValid() {
		return nil, models.InvalidField("scope", "Unknown consent scope.")
	}
	if caseID == nil {
		return nil, models.InvalidField("caseId", "Choose the case this consent is about.")
	}
	cid, err := parseCaseID(*caseID)
	if err != nil {
		return nil, err
	}
	var k *models.Consent
	err = unit.Do(ctx, s.db, s.clock, p, func(w *unit.Work) error {
		c, err := lockCase(w, cid, "SHARE")
		if err != nil {
			return err
		}
		if scope == models.ConsentShareStatusWithReferrer && c.ReferralID == nil {
			return models.InvalidField("caseId", "This case did not come from a referral, so there is no one to share its status with.")
		}
		k, err = s.RecordConsent(w, scope, &c.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return k, nil
}

// RecordConsent records, in the caller's unit of work w, that w's principal
// (a PATIENT) agrees to share under scope about case caseID, with today's
// text version, and audits it; when that consent already stands it returns
// it and writes nothing. The callers have read the case through the
// principal's scope (they are opening it, or GrantConsent locked it).
// Errors: UNAUTHENTICATED, FORBIDDEN (not a PATIENT), BAD_USER_INPUT (scope).
func (s *Service) RecordConsent(w *unit.Work, scope models.ConsentScope, caseID *uuid.UUID) (*models.Consent, error) {
	if err := Policy.Check(w.By, "RecordConsent"); err != nil {
		return nil, err
	}
	return grantConsent(w, scope, caseID)
}

func grantConsent(w *unit.Work, scope models.ConsentScope, caseID *uuid.UUID) (*models.Consent, error) {
	if !scope.IsValid() {
		return nil, models.InvalidField("scope", "Unknown consent scope.")
	}
	k := &models.Consent{ID: newID(), PatientID: w.By.ID, Scope: scope, TextVersion: models.ConsentTextVersions[scope],
		CaseID: caseID, GrantedAt: w.Now}
	// The unique index on standing consents decides, so two grants at the
	// same moment write one row.
	res := w.Tx.Clauses(clause.OnConflict{
		Columns:     []clause.Column{{Name: "patient_id"}, {Name: "scope"}, {Name: "case_id"}},
		TargetWhere: clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "revoked_at IS NULL AND case_id IS NOT NULL"}}},
		DoNothing:   true,
	}).Create(k)
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected == 0 {
		var standing models.Consent
		err := w.Tx.Take(&standing, "patient_id = ? AND scope = ? AND case_id = ? AND revoked_at IS NULL", w.By.ID, scope, caseID).Error
		return &standing, err
	}
	if err := audit.Record(w.Tx, w.By, audit.ActionCreate, EntityConsent, &k.ID); err != nil {
		return nil, err
	}
	return k, nil
}

// RevokeConsent revokes the calling PATIENT's own consent. Revoking
// SHARE_STATUS_WITH_REFERRER hides the case's status from the referring
// clinician from the next read on. The SHARE_WITH_LEGAL_PARTNER consent of a
// case that is still open cannot be revoked: the partner needs it to work the
// case, and withdrawing the case is how the patient stops. Revoking a consent
// that is already revoked changes nothing and returns it; GrantConsent shares
// again.
// Errors: UNAUTHENTICATED, FORBIDDEN (not a PATIENT), NOT_FOUND (also for
// another patient's consent), CONFLICT (SHARE_WITH_LEGAL_PARTNER of an open
// case).
func (s *Service) RevokeConsent(ctx context.Context, id string) (*models.Consent, error) {
	p, err := Policy.Authorize(ctx, "RevokeConsent")
	if err != nil {
		return nil, err
	}
	kid, err := uuid.Parse(id)
	if err != nil {
		return nil, models.NotFound("Consent")
	}
	var k models.Consent
	err = unit.Do(ctx, s.db, s.clock, p, func(w *unit.Work) error {
		err := w.Tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&k, "id = ? AND patient_id = ?", kid, p.ID).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return models.NotFound("Consent")
		}
		if err != nil || k.RevokedAt != nil {
			return err
		}
		if k.Scope == models.ConsentShareWithLegalPartner && k.CaseID != nil {
			// FOR SHARE: the case cannot close or reopen under us.
			c, err := lockCase(w, *k.CaseID, "SHARE")
			if err != nil {
				return err
			}
			if !c.Status.IsFinal() {
				return models.Errorf(models.ECONFLICT,
					"Your case %s is still open and the legal aid partner needs this consent to work on it. To stop sharing, withdraw the case instead.",
					c.Reference)
			}
		}
		k.RevokedAt = &w.Now
		if err := w.Tx.Model(&k).UpdateColumn("revoked_at", w.Now).Error; err != nil {
			return err
		}
		return audit.Record(w.Tx, p, audit.ActionUpdate, EntityConsent, &k.ID)
	})
	if err != nil {
		return nil, err
	}
	return &k, nil
}

// SharesStatusWithReferrer is the consent check of the referral loop: a
// condition on the cases table under alias that holds while the case's
// patient's SHARE_STATUS_WITH_REFERRER consent for that case stands. Every
// read of a shared status uses it, on every read (never cached), so a
// revocation shows at the next read.
func SharesStatusWithReferrer(alias string) database.Cond {
	return database.Cond{
		SQL: "EXISTS (SELECT 1 FROM consents k WHERE k.case_id = " + alias + ".id AND k.patient_id = " + alias +
			".patient_id AND k.scope = ? AND k.revoked_at IS NULL)",
		Args: []any{models.ConsentShareStatusWithReferrer},
	}
}
