package auth

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/models"
)

// VerifyCurrentPassword checks that password is p's current password, for an
// operation that changes the account (changePassword). Failures are limited
// per account like logins, so a stolen access token cannot be used to guess
// the password; a success does not count. They share the login's failure
// limits of the account (loginLimits): guessing here or at login draws from
// one budget.
// Errors: UNAUTHENTICATED (the account is disabled or gone), BAD_USER_INPUT
// on field (a wrong password), RATE_LIMITED.
func (s *Service) VerifyCurrentPassword(ctx context.Context, p *Principal, field, password string) (*models.User, error) {
	var u models.User
	err := s.db.WithContext(ctx).Take(&u, "id = ?", p.ID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && u.Disabled()) {
		return nil, errSessionEnded
	}
	if err != nil {
		return nil, err
	}
	limits := s.loginLimits(ctx, u.Email)
	if err := s.limiter.Take(ctx, limits...); err != nil {
		return nil, err
	}
	ok, err := VerifyPassword(password, u.PasswordHash)
	if err != nil || !ok {
		return nil, models.InvalidField(field, "The current password is not right.")
	}
	return &u, s.limiter.Undo(ctx, limits...)
}

// SetPassword stores a new password hash for the user inside tx and revokes
// every session of theirs but keep (nil: every one), dropping those sessions'
// push devices and ending their subscriptions: whoever knew the old password
// is signed out.
func (s *Service) SetPassword(tx *gorm.DB, userID uuid.UUID, hash string, keep *uuid.UUID) error {
	if err := tx.Model(&models.User{}).Where("id = ?", userID).
		Updates(map[string]any{"password_hash": hash, "updated_at": tx.NowFunc()}).Error; err != nil {
		return err
	}
	q := tx.Model(&models.Session{}).Where("user_id = ? AND revoked_at IS NULL", userID)
	if keep != nil {
		q = q.Where("id <> ?", *keep)
	}
	var ids []uuid.UUID
	if err := q.Pluck("id", &ids).Error; err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.revoke(tx, id); err != nil {
			return err
		}
	}
	return nil
}
