package privacy

import (
	"context"
	"errors"
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

// MaxHoldReason is the longest legal hold reason, in characters.
const MaxHoldReason = 500

// SetLegalHold places (or updates) an ADMIN's legal hold on a case: erasing
// its patient then keeps its description and messages. Audited.
// Errors: UNAUTHENTICATED, FORBIDDEN (not an ADMIN), NOT_FOUND,
// BAD_USER_INPUT (reason: 1 to 500 characters).
func (s *Service) SetLegalHold(ctx context.Context, caseID, reason string) (*models.Case, error) {
	p, err := Policy.Authorize(ctx, "SetLegalHold")
	if err != nil {
		return nil, err
	}
	why := strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(why); n < 1 || n > MaxHoldReason {
		return nil, models.InvalidField("reason", "Give the reason for the hold in 1 to %d characters.", MaxHoldReason)
	}
	return s.holdChange(ctx, p, caseID, ActionHold, func(w *unit.Work, c *models.Case) error {
		tx, now := w.Tx, w.Now
		c.LegalHoldReason, c.LegalHoldAt, c.LegalHoldByID = &why, &now, &p.ID
		return tx.Model(c).Updates(map[string]any{"legal_hold_reason": why, "legal_hold_at": now, "legal_hold_by": p.ID}).Error
	})
}

// ReleaseLegalHold lifts the legal hold on a case (ADMIN). When its patient
// has erased their account meanwhile, the case's texts are erased now, as
// they would have been then. Audited.
// Errors: UNAUTHENTICATED, FORBIDDEN (not an ADMIN), NOT_FOUND.
func (s *Service) ReleaseLegalHold(ctx context.Context, caseID string) (*models.Case, error) {
	p, err := Policy.Authorize(ctx, "ReleaseLegalHold")
	if err != nil {
		return nil, err
	}
	return s.holdChange(ctx, p, caseID, ActionReleaseHold, func(w *unit.Work, c *models.Case) error {
		tx := w.Tx
		if c.LegalHoldAt == nil {
			return nil
		}
		c.LegalHoldReason, c.LegalHoldAt, c.LegalHoldByID = nil, nil, nil
		if err := tx.Model(c).Updates(map[string]any{"legal_hold_reason": nil, "legal_hold_at": nil, "legal_hold_by": nil}).Error; err != nil {
			return err
		}
		var erased int64
		if err := tx.Model(&models.User{}).Where("id = ? AND erased_at IS NOT NULL", c.PatientID).Count(&erased).Error; err != nil || erased == 0 {
			return err
		}
		if err := eraseCases(tx, tx.Model(&models.Case{}).Select("id").Where("id = ?", c.ID)); err != nil {
			return err
		}
		return tx.Take(c, "id = ?", c.ID).Error
	})
}

// holdChange runs fn on case id, locked, in one unit of work with its audit
// entry.
func (s *Service) holdChange(ctx context.Context, p *auth.Principal, id, action string, fn func(w *unit.Work, c *models.Case) error) (*models.Case, error) {
	cid, err := uuid.Parse(id)
	if err != nil {
		return nil, models.NotFound("Case")
	}
	var c models.Case
	err = unit.Do(ctx, s.db, s.clock, p, func(w *unit.Work) error {
		tx := w.Tx
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&c, "id = ?", cid).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return models.NotFound("Case")
		}
		if err != nil {
			return err
		}
		if err := fn(w, &c); err != nil {
			return err
		}
		return audit.Record(tx, p, action, entityCase, &c.ID)
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// LegalHold returns case c's legal hold to an ADMIN; nil for everyone else
// and for a case not on hold.
func (s *Service) LegalHold(ctx context.Context, c *models.Case) *models.LegalHold {
	p, _ := auth.UserFrom(ctx)
	if !p.Is(models.RoleAdmin) || c.LegalHoldAt == nil || c.LegalHoldReason == nil {
		return nil
	}
	return &models.LegalHold{Reason: *c.LegalHoldReason, Since: *c.LegalHoldAt}
}
