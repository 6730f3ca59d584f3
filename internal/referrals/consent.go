package referrals

import (
	"context"
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"mlp/internal/audit"
	"mlp/internal/auth"
	"mlp/internal/cases"
	"mlp/models"
)

// RevokeConsent revokes the calling PATIENT's own consent. Revoking
// SHARE_STATUS_WITH_REFERRER hides the case's status from the referring
// clinician from the next read on. The SHARE_WITH_LEGAL_PARTNER consent of a
// case that is still open cannot be revoked: the partner needs it to work the
// case, and withdrawing the case is how the patient stops. Revoking a consent
// that is already revoked changes nothing and returns it.
// Errors: UNAUTHENTICATED, NOT_FOUND (also for another patient's consent),
// CONFLICT (SHARE_WITH_LEGAL_PARTNER of an open case).
func (s *Service) RevokeConsent(ctx context.Context, id string) (*models.Consent, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	cid, err := parseID(id, "Consent")
	if err != nil {
		return nil, err
	}
	var k models.Consent
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&k, "id = ? AND patient_id = ?", cid, p.ID).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return models.NotFound("Consent")
		}
		if err != nil || k.RevokedAt != nil {
			return err
		}
		if k.Scope == models.ConsentShareWithLegalPartner && k.CaseID != nil {
			// FOR SHARE: the case cannot close or reopen under us.
			var c models.Case
			if err := tx.Clauses(clause.Locking{Strength: "SHARE"}).Select("id", "reference", "status").Take(&c, "id = ?", *k.CaseID).Error; err != nil {
				return err
			}
			if !c.Status.IsFinal() {
				return models.Errorf(models.ECONFLICT,
					"Your case %s is still open and the legal aid partner needs this consent to work on it. To stop sharing, withdraw the case instead.",
					c.Reference)
			}
		}
		now := tx.NowFunc()
		k.RevokedAt = &now
		if err := tx.Model(&k).UpdateColumn("revoked_at", now).Error; err != nil {
			return err
		}
		return audit.Record(tx, p, audit.ActionUpdate, cases.EntityConsent, &k.ID)
	})
	if err != nil {
		return nil, err
	}
	return &k, nil
}
