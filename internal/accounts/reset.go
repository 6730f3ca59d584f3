package accounts

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/internal/audit"
	"mlp/internal/auth"
	"mlp/internal/email"
	"mlp/internal/i18n"
	"mlp/internal/outbox"
	"mlp/internal/ratelimit"
	"mlp/internal/unit"
	"mlp/models"
)

// ResetTokenTTL is how long a password-reset link works.
const ResetTokenTTL = 30 * time.Minute

// ActionPasswordReset is the audit action of a completed password reset (the
// entity is the User, the actor the account's owner).
const ActionPasswordReset = "PASSWORD_RESET"

// ResetEmailKind is the outbox job kind of a password-reset email.
const ResetEmailKind = "email.password_reset"

// ResetEmailArgs is the job of one password-reset email: the token row's id
// only (the worker reads the address and language, and mints the link).
type ResetEmailArgs struct {
	TokenID uuid.UUID `json:"token_id"`
}

// Kind names the job's worker.
func (ResetEmailArgs) Kind() string { return ResetEmailKind }

// Recovery is what password reset needs beside the accounts service.
type Recovery struct {
	// Outbox takes the email job in the request's transaction.
	Outbox *outbox.Outbox
	// Limiter counts requests (PasswordResetPerEmail, PasswordResetPerIP).
	Limiter *ratelimit.Limiter
	// Key keys the tokens (DeriveResetKey).
	Key []byte
	// AppURL is the base of the link: {AppURL}/reset-password?token=...
	AppURL string
	// Now is the application's clock.
	Now func() time.Time
}

// DeriveResetKey derives the password-reset token key from the access-token
// secret (JWT_SECRET), apart from every other use of it.
func DeriveResetKey(jwtSecret []byte) []byte {
	m := hmac.New(sha256.New, jwtSecret)
	m.Write([]byte("mlp password reset token v1"))
	return m.Sum(nil)
}

// UseRecovery gives the service what password reset needs. Call it while
// wiring the application.
func (s *Service) UseRecovery(r Recovery) {
	r.AppURL = strings.TrimRight(r.AppURL, "/")
	s.recovery = r
}

// resetToken is the link's token of a nonce: HMAC-SHA256 under the key,
// base64url (43 characters).
func (r *Recovery) resetToken(nonce []byte) string {
	m := hmac.New(sha256.New, r.Key)
	m.Write(nonce)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// hashResetToken is what the table stores of a token.
func hashResetToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// RequestPasswordReset sends the account with this email, when there is an
// enabled one, a link that sets a new password (ResetPassword): a one-time
// token valid for ResetTokenTTL, stored hashed, and an email job in the
// same transaction. Anyone may ask (Policy: public), and the answer is the
// same whether the account exists or not: an unknown address runs the same
// statements (the insert selects no row and the job it enqueues finds no
// token, so nothing is sent). Requests are limited per email and per client
// address whether the account exists or not.
// Errors: BAD_USER_INPUT (email: not an address), RATE_LIMITED.
func (s *Service) RequestPasswordReset(ctx context.Context, address string) error {
	if _, err := Policy.Authorize(ctx, "RequestPasswordReset"); err != nil {
		return err
	}
	address = auth.NormalizeEmail(address)
	if err := auth.ValidateEmail("email", address); err != nil {
		return err
	}
	r := &s.recovery
	nonce := make([]byte, 32)
	if _, err := rand.Read(nonce); err != nil {
		return err
	}
	id, hash, now := uuid.New(), hashResetToken(r.resetToken(nonce)), r.Now()
	rules := r.Limiter.Rules()
	return unit.Do(ctx, s.db, s.clock, nil, func(w *unit.Work) error {
		tx := w.Tx
		if err := r.Limiter.TakeTx(tx, rules.PasswordResetPerEmail.For(address),
			rules.PasswordResetPerIP.For(ratelimit.ClientFrom(ctx).Key())); err != nil {
			return err
		}
		// Spent and expired tokens are kept a day (for support), then go.
		if err := tx.Exec(`DELETE FROM password_reset_tokens WHERE expires_at < ?`, now.Add(-24*time.Hour)).Error; err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO password_reset_tokens (id, user_id, nonce, token_hash, created_at, expires_at)
			SELECT ?, u.id, ?, ?, ?, ? FROM users u WHERE u.email = ? AND u.disabled_at IS NULL`,
			id, nonce, hash, now, now.Add(ResetTokenTTL), address).Error; err != nil {
			return err
		}
		return r.Outbox.Enqueue(ctx, tx, ResetEmailArgs{TokenID: id}, nil)
	})
}

var errResetToken = models.InvalidField("token", "This reset link does not work any more. Ask for a new one.")

// ResetPassword sets a new password with the token of a reset link, once:
// the token is spent (with every other outstanding one of the account) and
// every session of the account is revoked, in one transaction with its audit
// row (ActionPasswordReset). Anyone may call it (Policy: public); the token
// is the authorization.
// Errors: BAD_USER_INPUT (newPassword: its length; token: unknown, spent,
// expired, or of a disabled account).
func (s *Service) ResetPassword(ctx context.Context, token, newPassword string) error {
	if _, err := Policy.Authorize(ctx, "ResetPassword"); err != nil {
		return err
	}
	if err := auth.ValidatePassword("newPassword", newPassword); err != nil {
		return err
	}
	if len(token) != base64.RawURLEncoding.EncodedLen(sha256.Size) {
		return errResetToken
	}
	hash := hashResetToken(token)
	r := &s.recovery
	var row struct {
		ID     uuid.UUID
		UserID uuid.UUID
	}
	// Found and checked before the password is hashed, so that a guessed
	// token costs the server one indexed read, not an Argon2 hash.
	res := s.db.WithContext(ctx).Raw(`SELECT t.id, t.user_id FROM password_reset_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = ? AND t.used_at IS NULL AND t.expires_at > ? AND u.disabled_at IS NULL`, hash, r.Now()).Scan(&row)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return errResetToken
	}
	pwHash, err := s.auth.Hash(newPassword)
	if err != nil {
		return err
	}
	return unit.Do(ctx, s.db, s.clock, nil, func(w *unit.Work) error {
		tx := w.Tx
		now := r.Now()
		// Spend the token; a twin request that spent it first wins.
		spent := tx.Exec(`UPDATE password_reset_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?`,
			now, row.ID, now)
		if spent.Error != nil {
			return spent.Error
		}
		if spent.RowsAffected == 0 {
			return errResetToken
		}
		if err := tx.Exec(`UPDATE password_reset_tokens SET used_at = ? WHERE user_id = ? AND used_at IS NULL`, now, row.UserID).Error; err != nil {
			return err
		}
		var u models.User
		if err := tx.Take(&u, "id = ? AND disabled_at IS NULL", row.UserID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return errResetToken
			}
			return err
		}
		if err := s.auth.SetPassword(tx, u.ID, pwHash, nil); err != nil {
			return err
		}
		owner := &auth.Principal{ID: u.ID, Role: u.Role, OrganizationID: u.OrganizationID}
		return audit.Record(tx, owner, ActionPasswordReset, "User", &u.ID)
	})
}

// ResetEmailWorker returns the outbox worker of password-reset emails,
// which sends through sender.
func (s *Service) ResetEmailWorker(sender email.Sender, log *slog.Logger) outbox.Worker[ResetEmailArgs] {
	return &resetEmailWorker{s: s, sender: sender, log: log}
}

type resetEmailWorker struct {
	outbox.WorkerDefaults[ResetEmailArgs]
	s      *Service
	sender email.Sender
	log    *slog.Logger
}

// Timeout bounds one email.
func (w *resetEmailWorker) Timeout(*outbox.Job[ResetEmailArgs]) time.Duration {
	return 45 * time.Second
}

// Work mints the link again from the token's nonce and sends it in the
// account's language. A token that matches no row (an unknown address's
// request), is spent or expired, or of an account disabled meanwhile, sends
// nothing. A refusal the SMTP server calls permanent is not retried.
func (w *resetEmailWorker) Work(ctx context.Context, job *outbox.Job[ResetEmailArgs]) error {
	r := &w.s.recovery
	var row struct {
		Nonce             []byte
		Email             string
		PreferredLanguage string
	}
	res := w.s.db.WithContext(ctx).Raw(`SELECT t.nonce, u.email, u.preferred_language
		FROM password_reset_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.id = ? AND t.used_at IS NULL AND t.expires_at > ? AND u.disabled_at IS NULL`,
		job.Args.TokenID, r.Now()).Scan(&row)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return nil
	}
	link := r.AppURL + "/reset-password?token=" + url.QueryEscape(r.resetToken(row.Nonce))
	lang := row.PreferredLanguage
	m := email.Message{
		Kind:    "password_reset",
		To:      row.Email,
		Subject: i18n.T(lang, "email.password_reset.subject", nil),
		Text:    i18n.T(lang, "email.password_reset.body", map[string]any{"Link": link, "Minutes": int(ResetTokenTTL.Minutes())}),
	}
	err := w.sender.Send(ctx, m)
	switch {
	case errors.Is(err, email.ErrPermanent):
		w.log.WarnContext(ctx, "email refused", "kind", m.Kind, "sender", w.sender.Name(), "job", job.ID)
		return outbox.JobCancel(err)
	case err != nil:
		return err
	}
	return nil
}
