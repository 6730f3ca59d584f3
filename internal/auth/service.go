// Package auth holds identity: password hashing, access tokens, refresh-token
// sessions with reuse detection, and the caller of a request.
package auth

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"mlp/internal/clock"
	"mlp/internal/database"
	"mlp/internal/metrics"
	"mlp/internal/ratelimit"
	"mlp/internal/unit"
	"mlp/models"
)

// Session is what a successful sign-in or refresh returns.
type Session struct {
	AccessToken          string
	AccessTokenExpiresAt time.Time
	RefreshToken         string
	User                 *models.User
}

// Service signs users in and out.
type Service struct {
	db      *gorm.DB
	tokens  *Tokens
	limiter *ratelimit.Limiter
	params  Argon2Params
	clock   clock.Clock
	// dummyHash is verified against when the email is unknown, so that a
	// wrong email costs as much time as a wrong password.
	dummyHash string
	// metrics counts refused sign-ins (nil: none).
	metrics *metrics.Metrics
}

// UseMetrics counts each refused sign-in in m (mlp_login_failures_total).
func (s *Service) UseMetrics(m *metrics.Metrics) { s.metrics = m }

// NewService returns the sign-in service; clk is the application's clock.
func NewService(db *gorm.DB, tokens *Tokens, limiter *ratelimit.Limiter, params Argon2Params, clk clock.Clock) *Service {
	dummy, _ := HashPassword("not a real password, only for timing", params)
	return &Service{db: db, tokens: tokens, limiter: limiter, params: params, clock: clk, dummyHash: dummy}
}

// Hash hashes a password with the service's parameters.
func (s *Service) Hash(pw string) (string, error) { return HashPassword(pw, s.params) }

var errInvalidLogin = models.Errorf(models.EUNAUTHENTICATED, "The email or password is not right.")

// Register creates a PATIENT account and signs it in.
// Errors: BAD_USER_INPUT (input.email, input.password, input.displayName,
// input.preferredLanguage), CONFLICT for a taken email, RATE_LIMITED after
// too many accounts from the client address (RegisterPerIP).
func (s *Service) Register(ctx context.Context, in models.RegisterInput) (*Session, error) {
	if _, err := SessionPolicy.Authorize(ctx, "Register"); err != nil {
		return nil, err
	}
	email := NormalizeEmail(in.Email)
	if err := ValidateEmail("input.email", email); err != nil {
		return nil, err
	}
	if err := ValidatePassword("input.password", in.Password); err != nil {
		return nil, err
	}
	name, err := ValidateDisplayName("input.displayName", in.DisplayName)
	if err != nil {
		return nil, err
	}
	lang, err := NormalizeLanguage("input.preferredLanguage", in.PreferredLanguage)
	if err != nil {
		return nil, err
	}
	// Counted per client address, valid attempts only (an invalid one costs
	// nothing): so that one address cannot make accounts by the hundred.
	if err := s.limiter.Take(ctx, s.limiter.Rules().RegisterPerIP.For(ratelimit.ClientFrom(ctx).Key())); err != nil {
		return nil, err
	}
	hash, err := HashPasswordContext(ctx, in.Password, s.params)
	if err != nil {
		return nil, err
	}
	u := &models.User{Email: email, PasswordHash: hash, DisplayName: name, Role: models.RolePatient, PreferredLanguage: lang}
	var sess *Session
	err = unit.Do(ctx, s.db, s.clock, nil, func(w *unit.Work) error {
		tx := w.Tx
		if err := tx.Create(u).Error; err != nil {
			if database.IsUniqueViolation(err, "users_email_key") {
				return models.Errorf(models.ECONFLICT, "An account with this email already exists.")
			}
			return err
		}
		sess, err = s.startSession(tx, u)
		return err
	})
	return sess, err
}

// Login checks an email and password and starts a session.
// Errors: UNAUTHENTICATED (one message for a wrong email and a wrong
// password), RATE_LIMITED after repeated failures (see loginLimits).
func (s *Service) Login(ctx context.Context, email, password string) (*Session, error) {
	if _, err := SessionPolicy.Authorize(ctx, "Login"); err != nil {
		return nil, err
	}
	email = NormalizeEmail(email)
	limits := s.loginLimits(ctx, email)
	// Every attempt takes a slot before the password is checked, so that a
	// burst of parallel guesses cannot pass the limit while the earlier ones
	// are still hashing; a successful sign-in gives its slots back, so only
	// failures count.
	if err := s.limiter.Take(ctx, limits...); err != nil {
		var derr *models.Error
		if errors.As(err, &derr) && derr.Code == models.ERATELIMITED {
			s.metrics.LoginFailed(metrics.LoginRateLimited)
		}
		return nil, err
	}
	var u models.User
	err := s.db.WithContext(ctx).Where("email = ?", email).Take(&u).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, err
	}
	hash := u.PasswordHash
	if hash == "" {
		hash = s.dummyHash
	}
	ok, verr := VerifyPasswordContext(ctx, password, hash)
	if ctx.Err() != nil && errors.Is(verr, ctx.Err()) {
		// no turn to hash came before the deadline (or the client left):
		// not a failed attempt, so its slots are given back
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_ = s.limiter.Undo(uctx, limits...)
		return nil, verr
	}
	if err != nil || verr != nil || !ok || u.Disabled() {
		s.metrics.LoginFailed(metrics.LoginInvalidCredentials)
		return nil, errInvalidLogin
	}
	if err := s.limiter.Undo(ctx, limits...); err != nil {
		return nil, err
	}
	var sess *Session
	err = unit.Do(ctx, s.db, s.clock, nil, func(w *unit.Work) error {
		sess, err = s.startSession(w.Tx, &u)
		return err
	})
	return sess, err
}

// loginLimits are the buckets a sign-in attempt for email counts in: failures
// per (email, client address), so that guesses from one address lock out
// that address and not the account's owner elsewhere; a higher ceiling per
// email against guesses from many addresses; and failures per client address
// whatever the email, against password spraying. An unknown email is limited
// as a known one. (The buckets are hashes: the table holds no emails or IPs.)
func (s *Service) loginLimits(ctx context.Context, email string) []ratelimit.Hit {
	r, ip := s.limiter.Rules(), ratelimit.ClientFrom(ctx).Key()
	return []ratelimit.Hit{
		r.LoginFailuresPerAccountIP.For(email + "|" + ip),
		r.LoginFailuresPerAccount.For(email),
		r.LoginFailuresPerIP.For(ip),
	}
}

var errSessionEnded = models.Errorf(models.EUNAUTHENTICATED, "Your session has ended. Please sign in again.")

// Refresh rotates a refresh token: the presented one is spent and a new pair is
// returned. Presenting a spent token revokes the whole session (reuse
// detection). Errors: UNAUTHENTICATED.
func (s *Service) Refresh(ctx context.Context, refreshToken string) (*Session, error) {
	if _, err := SessionPolicy.Authorize(ctx, "Refresh"); err != nil {
		return nil, err
	}
	var (
		sess   *Session
		reused bool
	)
	err := unit.Do(ctx, s.db, s.clock, nil, func(w *unit.Work) error {
		tx := w.Tx
		var rt models.RefreshToken
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("token_hash = ?", hashRefreshToken(refreshToken)).Take(&rt).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return errSessionEnded
		}
		if err != nil {
			return err
		}
		now := w.Now
		if rt.UsedAt != nil {
			reused = true
			return s.revoke(tx, rt.SessionID)
		}
		var ss models.Session
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&ss, "id = ?", rt.SessionID).Error; err != nil {
			return err
		}
		if ss.RevokedAt != nil || !now.Before(ss.ExpiresAt) || !now.Before(rt.ExpiresAt) {
			return errSessionEnded
		}
		var u models.User
		if err := tx.Take(&u, "id = ?", ss.UserID).Error; err != nil {
			return err
		}
		if u.Disabled() {
			return errSessionEnded
		}
		if err := tx.Model(&rt).Update("used_at", now).Error; err != nil {
			return err
		}
		sess, err = s.issue(tx, &u, ss.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	if reused {
		// The revocation is committed; the caller is told the session ended.
		return nil, errSessionEnded
	}
	return sess, nil
}

// Logout revokes the session the refresh token belongs to. An unknown token
// is not an error: the session is ended either way.
func (s *Service) Logout(ctx context.Context, refreshToken string) error {
	if _, err := SessionPolicy.Authorize(ctx, "Logout"); err != nil {
		return err
	}
	return unit.Do(ctx, s.db, s.clock, nil, func(w *unit.Work) error {
		var rt models.RefreshToken
		tx := w.Tx
		err := tx.Where("token_hash = ?", hashRefreshToken(refreshToken)).Take(&rt).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return s.revoke(tx, rt.SessionID)
	})
}

// revoke ends a session and drops the push devices registered in it, so a
// signed-out (or stolen) install stops receiving the user's notifications.
// Revoking also ends the session's live subscriptions, on every server
// instance (a trigger notifies them; see package live).
func (s *Service) revoke(tx *gorm.DB, sessionID uuid.UUID) error {
	if err := tx.Model(&models.Session{}).Where("id = ? AND revoked_at IS NULL", sessionID).
		Update("revoked_at", tx.NowFunc()).Error; err != nil {
		return err
	}
	return tx.Where("session_id = ?", sessionID).Delete(&models.Device{}).Error
}

func (s *Service) startSession(tx *gorm.DB, u *models.User) (*Session, error) {
	ss := models.Session{UserID: u.ID, ExpiresAt: tx.NowFunc().Add(RefreshTokenTTL)}
	if err := tx.Create(&ss).Error; err != nil {
		return nil, err
	}
	return s.issue(tx, u, ss.ID)
}

// issue stores a new refresh token of the session and signs an access token.
func (s *Service) issue(tx *gorm.DB, u *models.User, sessionID uuid.UUID) (*Session, error) {
	raw, hash, err := newRefreshToken()
	if err != nil {
		return nil, err
	}
	rt := models.RefreshToken{SessionID: sessionID, TokenHash: hash, ExpiresAt: tx.NowFunc().Add(RefreshTokenTTL)}
	if err := tx.Create(&rt).Error; err != nil {
		return nil, err
	}
	access, exp, err := s.tokens.Issue(u, sessionID)
	if err != nil {
		return nil, err
	}
	return &Session{AccessToken: access, AccessTokenExpiresAt: exp, RefreshToken: raw, User: u}, nil
}

// Authenticate verifies an access token and checks, in one statement, that
// its user is enabled and its session not revoked. The principal carries the
// user's current role and organization.
func (s *Service) Authenticate(ctx context.Context, token string) (*Principal, error) {
	c, err := s.tokens.Parse(token)
	if err != nil {
		return nil, err
	}
	p := &Principal{ID: uuid.MustParse(c.Subject), SessionID: uuid.MustParse(c.SID), ExpiresAt: c.ExpiresAt.Time}
	if err := s.current(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// CheckSession checks again, in one statement, that p's user is enabled and
// its session not revoked, as Authenticate did; long-lived streams call it
// after registering, so that a revocation racing their start is not missed.
// Errors: UNAUTHENTICATED.
func (s *Service) CheckSession(ctx context.Context, p *Principal) error {
	return s.current(ctx, &Principal{ID: p.ID, SessionID: p.SessionID})
}

// current fills p's role and organization from the database when p's user
// is enabled and its session live; else models.ErrUnauthenticated.
func (s *Service) current(ctx context.Context, p *Principal) error {
	var row struct {
		Role              models.Role
		OrganizationID    *uuid.UUID
		PreferredLanguage string
	}
	res := s.db.WithContext(ctx).Raw(`
		SELECT u.role, u.organization_id, u.preferred_language
		FROM users u JOIN sessions s ON s.user_id = u.id
		WHERE u.id = ? AND s.id = ? AND u.disabled_at IS NULL AND s.revoked_at IS NULL AND s.expires_at > ?`,
		p.ID, p.SessionID, s.clock.Now()).Scan(&row)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return models.ErrUnauthenticated
	}
	p.Role, p.OrganizationID, p.Language = row.Role, row.OrganizationID, row.PreferredLanguage
	return nil
}
