// Package devices keeps the push tokens of the users' app installs. A token is
// private: it is stored to reach the device and is never logged or returned.
package devices

import (
	"context"
	"crypto/sha256"
	"strings"
	"unicode"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/internal/clock"
	"mlp/internal/unit"
	"mlp/models"
)

// Limits of registerDevice.
const (
	// MinTokenLen and MaxTokenLen bound a token's length in bytes (APNs
	// tokens are 64 hex digits, FCM tokens about 150 characters).
	MinTokenLen = 8
	MaxTokenLen = 4096
	// MaxPerUser is how many devices a user keeps; registering one more drops
	// the least recently seen.
	MaxPerUser = 20
)

// Service registers devices.
type Service struct {
	db    *gorm.DB
	clock clock.Clock
}

// NewService returns the device service; clk is the application's clock
// (it stamps last_seen_at).
func NewService(db *gorm.DB, clk clock.Clock) *Service {
	return &Service{db: db, clock: clk}
}

// Register stores the caller's push token for this device. The same token
// again updates its row (platform, owner, session, last seen) and never adds
// one; a token another user registered moves to the caller (the device
// changed hands). A user keeps at most MaxPerUser devices: the least recently
// seen beyond that are dropped. The device belongs to the caller's session,
// and logging out drops it (auth.Service.Logout).
// Errors: UNAUTHENTICATED, BAD_USER_INPUT (platform, token).
func (s *Service) Register(ctx context.Context, platform models.DevicePlatform, token string) (bool, error) {
	p, err := Policy.Authorize(ctx, "Register")
	if err != nil {
		return false, err
	}
	if !platform.IsValid() {
		return false, models.InvalidField("platform", "Unknown device platform.")
	}
	token, err = validToken(token)
	if err != nil {
		return false, err
	}
	hash := sha256.Sum256([]byte(token))
	err = unit.Do(ctx, s.db, s.clock, p, func(w *unit.Work) error {
		tx, now := w.Tx, w.Now
		// One statement decides between insert and update, so two concurrent
		// registrations of one token never make two rows.
		if err := tx.Exec(`INSERT INTO devices (id, user_id, session_id, platform, token, token_hash, created_at, last_seen_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (token_hash) DO UPDATE SET user_id = excluded.user_id, session_id = excluded.session_id,
				platform = excluded.platform, token = excluded.token, last_seen_at = excluded.last_seen_at`,
			uuid.Must(uuid.NewV7()), p.ID, p.SessionID, platform, token, hash[:], now, now).Error; err != nil {
			return err
		}
		return tx.Exec(`DELETE FROM devices WHERE user_id = ? AND id NOT IN (
			SELECT id FROM devices WHERE user_id = ? ORDER BY last_seen_at DESC, id DESC LIMIT ?)`,
			p.ID, p.ID, MaxPerUser).Error
	})
	if err != nil {
		return false, err
	}
	return true, nil
}

// validToken trims token and checks it: MinTokenLen to MaxTokenLen bytes,
// no whitespace or control characters inside, valid UTF-8.
// Errors: BAD_USER_INPUT (token).
func validToken(token string) (string, error) {
	t := strings.TrimSpace(token)
	bad := func() (string, error) {
		return "", models.InvalidField("token", "A push token is %d to %d characters without spaces.", MinTokenLen, MaxTokenLen)
	}
	if len(t) < MinTokenLen || len(t) > MaxTokenLen {
		return bad()
	}
	for _, r := range t {
		if r == unicode.ReplacementChar || unicode.IsSpace(r) || unicode.IsControl(r) || !unicode.IsPrint(r) {
			return bad()
		}
	}
	return t, nil
}
