package auth_test

import (
	"testing"

	"mlp/internal/apptest"
	"mlp/models"
)

const changePasswordDoc = `mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }`

func TestChangePassword(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	const old, next = "a long enough passphrase", "another long passphrase"

	t.Run("RevokesTheOtherSessions", func(t *testing.T) {
		email := freshEmail("change")
		reg := register(t, s, email, old)
		other := decodeSession(t, login(t, s, email, old), "login")
		r := s.Do(t, reg.AccessToken, changePasswordDoc, map[string]any{"c": old, "n": next}).MustOK(t)
		if string(r.Data) != `{"changePassword":true}` {
			t.Fatalf("data %s", r.Data)
		}
		// this session goes on; the other one ends, tokens and refresh alike
		if meID(t, s, reg.AccessToken) != reg.User.ID {
			t.Fatal("the changing session was signed out")
		}
		mustBeRefused(t, s, other.AccessToken)
		refresh(t, s, other.RefreshToken).MustCode(t, "UNAUTHENTICATED")
		login(t, s, email, old).MustCode(t, "UNAUTHENTICATED")
		decodeSession(t, login(t, s, email, next), "login")
		var audits int64
		s.DB.Model(&models.AuditEntry{}).Where("entity_type = 'User' AND action = 'UPDATE' AND entity_id = ?", reg.User.ID).Count(&audits)
		if audits != 1 {
			t.Fatalf("%d audit entries", audits)
		}
	})
	t.Run("WrongCurrentPasswordChangesNothing", func(t *testing.T) {
		email := freshEmail("wrong")
		reg := register(t, s, email, old)
		other := decodeSession(t, login(t, s, email, old), "login")
		r := s.Do(t, reg.AccessToken, changePasswordDoc, map[string]any{"c": "not the password at all", "n": next}).MustCode(t, "BAD_USER_INPUT")
		if r.Field() != "currentPassword" {
			t.Fatalf("field %q", r.Field())
		}
		decodeSession(t, login(t, s, email, old), "login")
		if meID(t, s, other.AccessToken) != reg.User.ID {
			t.Fatal("a refused change revoked a session")
		}
	})
	t.Run("NewPasswordIsValidated", func(t *testing.T) {
		reg := register(t, s, freshEmail("short"), old)
		for _, n := range []string{"short", old} {
			r := s.Do(t, reg.AccessToken, changePasswordDoc, map[string]any{"c": old, "n": n}).MustCode(t, "BAD_USER_INPUT")
			if r.Field() != "newPassword" {
				t.Fatalf("%q: field %q", n, r.Field())
			}
		}
	})
	t.Run("RepeatedWrongPasswordsAreRateLimited", func(t *testing.T) {
		email := freshEmail("guess")
		reg := register(t, s, email, old)
		var last *apptest.Response
		for range 11 {
			last = s.Do(t, reg.AccessToken, changePasswordDoc, map[string]any{"c": "a wrong guess, again", "n": next})
		}
		last.MustCode(t, "RATE_LIMITED")
		s.Do(t, reg.AccessToken, changePasswordDoc, map[string]any{"c": old, "n": next}).MustCode(t, "RATE_LIMITED")
	})
	t.Run("AnonymousIsUnauthenticated", func(t *testing.T) {
		s.Do(t, "", changePasswordDoc, map[string]any{"c": old, "n": next}).MustCode(t, "UNAUTHENTICATED")
	})
	t.Run("StaffToo", func(t *testing.T) {
		u, tok := s.User(t, models.RoleAdvocate, s.Org(t, models.OrgLegalAid, []string{"WY"}))
		s.Do(t, tok, changePasswordDoc, map[string]any{"c": apptest.Password, "n": next}).MustOK(t)
		decodeSession(t, login(t, s, u.Email, next), "login")
	})
}
