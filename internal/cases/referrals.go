package cases

import (
	"context"

	"github.com/google/uuid"

	"mlp/internal/audit"
	"mlp/internal/auth"
	"mlp/internal/unit"
	"mlp/models"
)

// What the referrals work needs from cases: a hook when a case reaches a
// final status (its referral closes) and the cases of many referrals, as the
// caller may see them.

// FinalHook runs in the unit of work in which case c reaches a final status.
type FinalHook func(w *unit.Work, c *models.Case) error

// OnFinal registers h to run, in the same transaction, whenever a case enters
// a final status (RESOLVED, UNRESOLVED, DECLINED, WITHDRAWN). Register hooks
// while wiring the application, before it serves requests. An error from h
// rolls the change back.
func (s *Service) OnFinal(h FinalHook) { s.onFinal = append(s.onFinal, h) }

// enteredFinal runs the OnFinal hooks when c moved from status from into a
// final status; it is called in the unit of work w of the change.
func (s *Service) enteredFinal(w *unit.Work, from models.CaseStatus, c *models.Case) error {
	if from.IsFinal() || !c.Status.IsFinal() {
		return nil
	}
	for _, h := range s.onFinal {
		if err := h(w, c); err != nil {
			return err
		}
	}
	return nil
}

// CasesByReferralID returns the cases opened from the given referrals that the
// caller may read (Visible), for the dataloader behind Referral.case. Anyone
// who sees no case, the referring clinician included, gets none, without a
// statement. Reads by anyone but the case's patient are audited in the same
// transaction, one statement for the batch.
// Errors: UNAUTHENTICATED.
func (s *Service) CasesByReferralID(ctx context.Context, referralIDs []uuid.UUID) ([]*models.Case, error) {
	p, err := Policy.Authorize(ctx, "CasesByReferralID")
	if err != nil {
		return nil, err
	}
	scope := Visible(p, "cases")
	if scope.IsFalse() {
		return nil, nil
	}
	var out []*models.Case
	err = s.read(ctx, p, func(w *unit.Work) error {
		if err := w.Tx.Scopes(scope.Scope).Where("referral_id IN ?", referralIDs).Find(&out).Error; err != nil {
			return err
		}
		ids := make([]uuid.UUID, len(out))
		for i, c := range out {
			ids[i] = c.ID
		}
		return audit.RecordEach(w.Tx, p, audit.ActionRead, EntityCase, ids)
	})
	return out, err
}

// read runs fn as p: in a unit of work (a transaction, for the audit entries
// of the read) when p's reads are audited, without one for a patient.
func (s *Service) read(ctx context.Context, p *auth.Principal, fn func(w *unit.Work) error) error {
	if auditsReads(p) {
		return unit.Do(ctx, s.db, s.clock, p, fn)
	}
	return unit.Read(ctx, s.db, s.clock, p, fn)
}
