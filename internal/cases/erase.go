package cases

import (
	"context"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"mlp/internal/audit"
	"mlp/internal/auth"
	"mlp/internal/unit"
	"mlp/models"
)

// WithdrawOpenFor withdraws every open case of the PATIENT p inside tx, the
// transaction of their account's erasure: each gets a STATUS_CHANGED event
// without a note, its version bumped, its referral closed, its advocates told
// (a CASE_WITHDRAWN notification naming only the case's reference), its
// reminders cancelled and an audit entry, as a withdrawal by the patient
// does. It returns the cases it withdrew.
// Errors: FORBIDDEN (p is not a PATIENT).
func (s *Service) WithdrawOpenFor(ctx context.Context, tx *gorm.DB, p *auth.Principal) ([]*models.Case, error) {
	if !p.Is(models.RolePatient) {
		return nil, models.ErrForbidden
	}
	var open []*models.Case
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).
		Where("patient_id = ? AND status NOT IN ?", p.ID, models.FinalCaseStatuses).Order("created_at, id").Find(&open).Error; err != nil {
		return nil, err
	}
	for _, c := range open {
		from := c.Status
		ev, updates, err := s.move(c, models.CaseWithdrawn, p.Role, nil, true)
		if err != nil {
			return nil, err
		}
		c.Version++
		c.UpdatedAt = tx.NowFunc()
		updates["version"], updates["updated_at"] = c.Version, c.UpdatedAt
		if err := tx.Model(c).Updates(updates).Error; err != nil {
			return nil, err
		}
		role := p.Role
		ev.ID, ev.CaseID, ev.ActorID, ev.ActorRole = newID(), c.ID, &p.ID, &role
		if err := tx.Create(ev).Error; err != nil {
			return nil, err
		}
		if err := s.enteredFinal(unit.In(ctx, tx, s.clock, p), from, c); err != nil {
			return nil, err
		}
		if err := s.changed(ctx, tx, c, ev); err != nil {
			return nil, err
		}
		if err := audit.Record(tx, p, audit.ActionUpdate, EntityCase, &c.ID); err != nil {
			return nil, err
		}
	}
	return open, nil
}
