package privacy

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"mlp/internal/audit"
	"mlp/internal/auth"
	"mlp/internal/unit"
	"mlp/models"
)

// CaseWithdrawer withdraws a patient's open cases inside the erasure's
// transaction (cases.Service.WithdrawOpenFor).
type CaseWithdrawer func(ctx context.Context, tx *gorm.DB, p *auth.Principal) ([]*models.Case, error)

// UseCases gives the service the case service's withdrawal (wiring).
func (s *Service) UseCases(w CaseWithdrawer) { s.withdraw = w }

// Audit actions and entity types of this package.
const (
	ActionErase         = "ERASE"
	ActionHold          = "LEGAL_HOLD"
	ActionReleaseHold   = "LEGAL_HOLD_RELEASED"
	entityUser          = "User"
	erasedDisplayName   = "Erased user"
	erasedReferralLabel = "[erased]"
)

var errWrongPassword = &models.Error{Code: models.EUNAUTHENTICATED, Message: "That password is not right."}

// DeleteMyAccount erases the calling PATIENT, who confirms with their
// password, in one transaction: their open cases are withdrawn first (their
// legal-aid organizations told, with the case's reference only); then their
// email, name, password, sessions (every token stops at once), push devices,
// notifications, safe contact, and on each case not on legal hold the
// description, ZIP code, income, household size, every timeline message and the
// outcome notes, and the texts of the referrals they claimed (the label and
// screening notes of the clinician, whose notifications about them lose
// their text). What reports and the audit trail count stays: the rows, their
// categories, statuses, codes, amounts and dates; audit entries hold no
// personal data and are not touched. A case on legal hold keeps its
// description and messages (and its referral) and is counted in
// CasesKeptOnLegalHold; releasing the hold later erases them.
// Errors: UNAUTHENTICATED (also a wrong password: nothing is erased),
// FORBIDDEN (not a PATIENT).
func (s *Service) DeleteMyAccount(ctx context.Context, password string) (*models.AccountDeletion, error) {
	p, err := Policy.Authorize(ctx, "DeleteMyAccount")
	if err != nil {
		return nil, err
	}
	var out models.AccountDeletion
	err = unit.Do(ctx, s.db, s.clock, p, func(w *unit.Work) error {
		tx, now := w.Tx, w.Now
		var u models.User
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&u, "id = ? AND erased_at IS NULL", p.ID).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return models.ErrUnauthenticated
		}
		if err != nil {
			return err
		}
		if ok, _ := auth.VerifyPassword(password, u.PasswordHash); !ok {
			return errWrongPassword
		}
		if s.withdraw != nil {
			if _, err := s.withdraw(ctx, tx, p); err != nil {
				return err
			}
		}
		var held int64
		if err := tx.Model(&models.Case{}).Where("patient_id = ? AND legal_hold_at IS NOT NULL", p.ID).Count(&held).Error; err != nil {
			return err
		}
		if err := eraseCases(tx, tx.Model(&models.Case{}).Select("id").Where("patient_id = ? AND legal_hold_at IS NULL", p.ID)); err != nil {
			return err
		}
		if err := eraseAccount(tx, u.ID); err != nil {
			return err
		}
		out = models.AccountDeletion{ErasedAt: now, CasesKeptOnLegalHold: int(held)}
		return audit.Record(tx, p, ActionErase, entityUser, &u.ID)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// eraseCases erases the texts of the cases that ids (a subquery of case ids)
// selects and of the referrals they were opened from.
func eraseCases(tx *gorm.DB, ids *gorm.DB) error {
	steps := []struct {
		sql  string
		args []any
	}{
		{`UPDATE cases SET description = ?, monthly_income_cents = NULL, household_size = NULL, preferred_contact = NULL,
				zip_code = NULL, counties = '{}' WHERE id IN (?)`, []any{models.ErasedText, ids}},
		{`UPDATE case_events SET message = NULL WHERE case_id IN (?) AND message IS NOT NULL`, []any{ids}},
		{`UPDATE case_outcomes SET notes = NULL WHERE case_id IN (?) AND notes IS NOT NULL`, []any{ids}},
	}
	for _, st := range steps {
		if err := tx.Exec(st.sql, st.args...).Error; err != nil {
			return err
		}
	}
	return eraseReferrals(tx, tx.Model(&models.Case{}).Select("referral_id").Where("id IN (?) AND referral_id IS NOT NULL", ids))
}

// eraseReferrals erases the clinician's texts about the patient on the
// referrals that ids selects, and the texts of the notifications about them.
func eraseReferrals(tx *gorm.DB, ids *gorm.DB) error {
	if err := tx.Exec(`UPDATE referrals SET patient_label = ?, notes = NULL,
			screening = (SELECT coalesce(jsonb_agg(a.v - 'note'), '[]'::jsonb) FROM jsonb_array_elements(screening) AS a(v))
		WHERE id IN (?)`, erasedReferralLabel, ids).Error; err != nil {
		return err
	}
	return tx.Exec(`UPDATE notifications SET title = ?, body = ? WHERE referral_id IN (?)`,
		"Referral update", "The details of this referral were erased at the patient's request.", ids).Error
}

// eraseAccount erases user id's own rows: the referrals they claimed (but
// those of cases on hold), notifications, devices, sessions and refresh
// tokens, and the user row's personal fields; the row itself stays, disabled,
// for the rows that refer to it.
func eraseAccount(tx *gorm.DB, id uuid.UUID) error {
	claimed := tx.Model(&models.Referral{}).Select("id").
		Where("claimed_by = ? AND id NOT IN (?)", id,
			tx.Model(&models.Case{}).Select("referral_id").Where("patient_id = ? AND legal_hold_at IS NOT NULL AND referral_id IS NOT NULL", id))
	if err := eraseReferrals(tx, claimed); err != nil {
		return err
	}
	now := tx.NowFunc()
	steps := []struct {
		sql  string
		args []any
	}{
		{`DELETE FROM notifications WHERE user_id = ?`, []any{id}},
		{`DELETE FROM devices WHERE user_id = ?`, []any{id}},
		{`DELETE FROM refresh_tokens WHERE session_id IN (SELECT id FROM sessions WHERE user_id = ?)`, []any{id}},
		{`DELETE FROM password_reset_tokens WHERE user_id = ?`, []any{id}},
		// Revoking ends the sessions' subscriptions on every instance (trigger).
		{`UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, []any{now, id}},
		{`UPDATE users SET email = ?, display_name = ?, password_hash = '!', disabled_at = coalesce(disabled_at, ?),
			erased_at = ?, updated_at = ?, safe_contact_channels = '{}', safe_hours_start = NULL, safe_hours_end = NULL,
			safe_voicemail_ok = false, safe_contact_note = NULL, time_zone = NULL WHERE id = ?`,
			[]any{fmt.Sprintf("erased-%s@erased.invalid", id), erasedDisplayName, now, now, now, id}},
	}
	for _, st := range steps {
		if err := tx.Exec(st.sql, st.args...).Error; err != nil {
			return err
		}
	}
	return nil
}
