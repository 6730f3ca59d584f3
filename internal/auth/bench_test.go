package auth_test

import (
	"testing"

	"github.com/google/uuid"

	"mlp/internal/app"
	"mlp/internal/apptest"
	"mlp/internal/auth"
	"mlp/models"
)

// productionArgon2 runs the test server with the production password-hash
// costs, so that login figures are the real ones.
func productionArgon2(o *app.Options) {
	p := auth.DefaultArgon2
	o.Argon2 = &p
}

// BenchmarkLogin signs in over HTTP with the production argon2 parameters.
// The three cases should cost about the same: a wrong email verifies against
// a dummy hash so that it cannot be told from a wrong password by time.
func BenchmarkLogin(b *testing.B) {
	s := apptest.New(b, productionArgon2)
	const password = "a long enough passphrase"
	hash, err := auth.HashPassword(password, auth.DefaultArgon2)
	if err != nil {
		b.Fatal(err)
	}
	newUser := func() *models.User {
		u := &models.User{Email: "bench-" + uuid.NewString() + "@example.test", PasswordHash: hash, DisplayName: "Bench",
			Role: models.RolePatient, PreferredLanguage: "en"}
		if err := s.DB.Create(u).Error; err != nil {
			b.Fatal(err)
		}
		return u
	}
	const op = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`

	b.Run("OK", func(b *testing.B) {
		u := newUser()
		b.ReportAllocs()
		for b.Loop() {
			s.Do(b, "", op, map[string]any{"e": u.Email, "p": password}).MustOK(b)
		}
	})
	b.Run("WrongPassword", func(b *testing.B) {
		// A user per attempt, so that the rate limit never answers first.
		users := make([]*models.User, 0, 64)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			b.StopTimer()
			if i == len(users) {
				users = append(users, newUser())
			}
			u := users[i]
			i++
			b.StartTimer()
			s.Do(b, "", op, map[string]any{"e": u.Email, "p": "not the password"}).MustCode(b, "UNAUTHENTICATED")
		}
	})
	b.Run("UnknownEmail", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s.Do(b, "", op, map[string]any{"e": "nobody-" + uuid.NewString() + "@example.test", "p": password}).MustCode(b, "UNAUTHENTICATED")
		}
	})
}

// BenchmarkMe is the cheapest authenticated request: token check, session
// lookup and one user read.
func BenchmarkMe(b *testing.B) {
	s := apptest.New(b)
	_, tok := s.User(b, models.RolePatient, nil)
	const op = `{ me { id email displayName role } }`
	_, n := s.DoCounted(b, tok, op, nil)
	b.ReportAllocs()
	for b.Loop() {
		s.Do(b, tok, op, nil).MustOK(b)
	}
	b.ReportMetric(float64(n), "stmts/op")
}
