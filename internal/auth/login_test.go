package auth_test

import (
	"sync"
	"testing"

	"mlp/internal/apptest"
	"mlp/models"
)

func TestLogin(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	u, _ := s.User(t, models.RolePatient, nil)

	t.Run("OK", func(t *testing.T) {
		p := decodeSession(t, login(t, s, u.Email, apptest.Password), "login")
		if p.User.ID != u.ID.String() || p.User.Role != "PATIENT" {
			t.Fatalf("user = %+v", p.User)
		}
	})
	t.Run("OneMessageForWrongEmailAndWrongPassword", func(t *testing.T) {
		wrongPassword := login(t, s, u.Email, "not the right password").MustCode(t, "UNAUTHENTICATED")
		wrongEmail := login(t, s, freshEmail("nobody"), apptest.Password).MustCode(t, "UNAUTHENTICATED")
		malformedEmail := login(t, s, "not an email", apptest.Password).MustCode(t, "UNAUTHENTICATED")
		if wrongPassword.Errors[0].Message != wrongEmail.Errors[0].Message ||
			wrongEmail.Errors[0].Message != malformedEmail.Errors[0].Message {
			t.Fatalf("messages differ: %q, %q, %q", wrongPassword.Errors[0].Message, wrongEmail.Errors[0].Message, malformedEmail.Errors[0].Message)
		}
		if wrongPassword.Data != nil && string(wrongPassword.Data) != "null" {
			t.Fatalf("data = %s", wrongPassword.Data)
		}
	})
}

func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	u, _ := s.User(t, models.RolePatient, nil)

	t.Run("AfterTenFailures", func(t *testing.T) {
		for range 10 {
			login(t, s, u.Email, "not the right password").MustCode(t, "UNAUTHENTICATED")
		}
		r := login(t, s, u.Email, "not the right password").MustCode(t, "RATE_LIMITED")
		secs, ok := r.Errors[0].Extensions["retryAfterSeconds"].(float64)
		if !ok || secs < 1 || secs > 15*60 {
			t.Fatalf("retryAfterSeconds = %v in %s", r.Errors[0].Extensions["retryAfterSeconds"], r.Raw)
		}
		// The right password waits too: the limit protects the account.
		login(t, s, u.Email, apptest.Password).MustCode(t, "RATE_LIMITED")
		// The limit is per email (case and spaces do not matter).
		login(t, s, "  "+upper(u.Email), apptest.Password).MustCode(t, "RATE_LIMITED")
	})
	t.Run("OtherEmailsAreNotLimited", func(t *testing.T) {
		other, _ := s.User(t, models.RolePatient, nil)
		decodeSession(t, login(t, s, other.Email, apptest.Password), "login")
	})
	t.Run("SuccessesDoNotCount", func(t *testing.T) {
		v, _ := s.User(t, models.RolePatient, nil)
		for range 9 {
			login(t, s, v.Email, "not the right password").MustCode(t, "UNAUTHENTICATED")
		}
		for range 3 {
			decodeSession(t, login(t, s, v.Email, apptest.Password), "login")
		}
		login(t, s, v.Email, "not the right password").MustCode(t, "UNAUTHENTICATED")
		login(t, s, v.Email, apptest.Password).MustCode(t, "RATE_LIMITED")
	})
	t.Run("UnknownEmailIsLimitedLikeAKnownOne", func(t *testing.T) {
		email := freshEmail("unknown")
		for range 10 {
			login(t, s, email, "not the right password").MustCode(t, "UNAUTHENTICATED")
		}
		login(t, s, email, "not the right password").MustCode(t, "RATE_LIMITED")
	})
	t.Run("ConcurrentGuessesCannotOvershoot", func(t *testing.T) {
		// A burst of parallel guesses must not slip past the limit while
		// earlier guesses are still being checked.
		v, _ := s.User(t, models.RolePatient, nil)
		const n = 40
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			codes = map[string]int{}
		)
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := login(t, s, v.Email, "not the right password")
				mu.Lock()
				codes[r.Code()]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if codes["UNAUTHENTICATED"] != 10 || codes["RATE_LIMITED"] != n-10 {
			t.Fatalf("answers = %v; want 10 UNAUTHENTICATED and %d RATE_LIMITED", codes, n-10)
		}
	})
	t.Run("BucketsHoldNoEmail", func(t *testing.T) {
		var n int64
		if err := s.DB.Model(&models.RateLimitEvent{}).Where("bucket LIKE ?", "%"+u.Email+"%").Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("%d rate-limit rows carry the email", n)
		}
	})
}
