package cases

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/internal/audit"
	"mlp/internal/auth"
	"mlp/models"
)

// What the referrals work needs from cases: a hook when a case reaches a
// final status (its referral closes) and the cases of many referrals, as the
// caller may see them.

// FinalHook runs in the transaction in which case c reaches a final status.
type FinalHook func(tx *gorm.DB, c *models.Case) error

// OnFinal registers h to run, in the same transaction, whenever a case enters
// a final status (RESOLVED, UNRESOLVED, DECLINED, WITHDRAWN). Register hooks
// while wiring the application, before it serves requests. An error from h
// rolls the change back.
func (s *Service) OnFinal(h FinalHook) { s.onFinal = append(s.onFinal, h) }

// enteredFinal runs the OnFinal hooks when c moved from status from into a
// final status; it is called in the transaction tx of the change.
func (s *Service) enteredFinal(tx *gorm.DB, from models.CaseStatus, c *models.Case) error {
	if from.IsFinal() || !c.Status.IsFinal() {
		return nil
	}
	for _, h := range s.onFinal {
		if err := h(tx, c); err != nil {
			return err
		}
	}
	return nil
}

// CasesByReferralID returns the cases opened from the given referrals that the
// caller may read (its patient, an advocate of its organization, an ADMIN),
// for the dataloader behind Referral.case. Anyone else, the referring
// clinician included, gets none, without a statement. Reads by anyone but the
// case's patient are audited, one statement for the batch.
func (s *Service) CasesByReferralID(ctx context.Context, referralIDs []uuid.UUID) ([]*models.Case, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	q := s.db.WithContext(ctx).Where("referral_id IN ?", referralIDs)
	switch {
	case p.Is(models.RolePatient):
		q = q.Where("patient_id = ?", p.ID)
	case p.Is(models.RoleAdvocate) && p.OrganizationID != nil:
		q = q.Where("organization_id = ?", *p.OrganizationID)
	case p.Is(models.RoleAdmin):
	default:
		return nil, nil
	}
	var out []*models.Case
	if err := q.Find(&out).Error; err != nil {
		return nil, err
	}
	if p.Is(models.RolePatient) || len(out) == 0 {
		return out, nil
	}
	ids := make([]uuid.UUID, len(out))
	for i, c := range out {
		ids[i] = c.ID
	}
	if err := audit.RecordEach(s.db.WithContext(ctx), p, audit.ActionRead, EntityCase, ids); err != nil {
		return nil, err
	}
	return out, nil
}
