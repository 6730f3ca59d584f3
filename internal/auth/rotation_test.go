package auth_test

import (
	"testing"
	"time"

	"mlp/internal/app"
	"mlp/internal/apptest"
	"mlp/internal/auth"
	"mlp/models"
)

// Rotating JWT_SECRET with JWT_PREVIOUS_SECRET: tokens signed with the
// previous secret keep working until they expire; new ones are signed with
// the current secret; a token of any other secret is refused.
func TestJWTSecretRotation(t *testing.T) {
	t.Parallel()
	previous := []byte("the-secret-before-the-rotation-0123456789")
	rotating := apptest.New(t, func(o *app.Options) { o.JWTPreviousSecret = previous })
	u, current := rotating.User(t, models.RoleAdmin, nil)
	var sess models.Session
	if err := rotating.DB.Where("user_id = ?", u.ID).Take(&sess).Error; err != nil {
		t.Fatal(err)
	}
	sign := func(secret []byte, now time.Time) string {
		tok, _, err := auth.NewTokens(secret, func() time.Time { return now }).Issue(u, sess.ID)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	const protected = `{ organizations { id } }`
	t.Run("CurrentSecretWorks", func(t *testing.T) {
		rotating.Do(t, current, protected, nil).MustOK(t)
	})
	t.Run("PreviousSecretAcceptedDuringGrace", func(t *testing.T) {
		rotating.Do(t, sign(previous, time.Now()), protected, nil).MustOK(t)
	})
	t.Run("PreviousSecretStillExpires", func(t *testing.T) {
		rotating.Do(t, sign(previous, time.Now().Add(-auth.AccessTokenTTL-time.Minute)), protected, nil).MustCode(t, "UNAUTHENTICATED")
	})
	t.Run("OtherSecretRefused", func(t *testing.T) {
		rotating.Do(t, sign([]byte("some-other-secret-nobody-configured-000"), time.Now()), protected, nil).MustCode(t, "UNAUTHENTICATED")
	})
	t.Run("NewTokensUseTheCurrentSecret", func(t *testing.T) {
		if _, err := auth.NewTokens([]byte(apptest.JWTSecret), time.Now).Parse(current); err != nil {
			t.Fatalf("a new token does not verify with the current secret alone: %v", err)
		}
		if _, err := auth.NewTokens(previous, time.Now).Parse(current); err == nil {
			t.Fatal("a new token verifies with the previous secret")
		}
	})
	t.Run("WithoutPreviousSecretRefused", func(t *testing.T) {
		plain := apptest.New(t)
		pu, _ := plain.User(t, models.RoleAdmin, nil)
		var ps models.Session
		if err := plain.DB.Where("user_id = ?", pu.ID).Take(&ps).Error; err != nil {
			t.Fatal(err)
		}
		tok, _, _ := auth.NewTokens(previous, time.Now).Issue(pu, ps.ID)
		plain.Do(t, tok, protected, nil).MustCode(t, "UNAUTHENTICATED")
	})
}
