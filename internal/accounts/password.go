package accounts

import (
	"context"

	"mlp/internal/audit"
	"mlp/internal/auth"
	"mlp/internal/unit"
	"mlp/models"
)

// ChangePassword replaces the caller's password, for any signed-in user,
// once current is their password; every other session of theirs is revoked
// (the one making the change stays signed in). Wrong current passwords are
// limited per account like logins.
// Errors: UNAUTHENTICATED, BAD_USER_INPUT (newPassword: its length, or the
// same as the current one; currentPassword: not right), RATE_LIMITED.
func (s *Service) ChangePassword(ctx context.Context, current, next string) error {
	p, err := Policy.Authorize(ctx, "ChangePassword")
	if err != nil {
		return err
	}
	if err := auth.ValidatePassword("newPassword", next); err != nil {
		return err
	}
	u, err := s.auth.VerifyCurrentPassword(ctx, p, "currentPassword", current)
	if err != nil {
		return err
	}
	if next == current {
		return models.InvalidField("newPassword", "Choose a new password different from the current one.")
	}
	hash, err := s.auth.Hash(next)
	if err != nil {
		return err
	}
	return unit.Do(ctx, s.db, s.clock, p, func(w *unit.Work) error {
		tx := w.Tx
		if err := s.auth.SetPassword(tx, u.ID, hash, &p.SessionID); err != nil {
			return err
		}
		return audit.Record(tx, p, audit.ActionUpdate, "User", &u.ID)
	})
}
