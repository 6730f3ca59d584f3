package auth_test

import (
	"sync"
	"testing"
	"time"

	"mlp/internal/apptest"
	"mlp/models"
)

func TestSessionLifecycle(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	const password = "a long enough passphrase"
	email := freshEmail("lifecycle")

	reg := register(t, s, "  "+email+"  ", password)
	t.Run("RegisterCreatesPatient", func(t *testing.T) {
		if reg.User.Role != "PATIENT" || reg.User.Email != email || reg.User.PreferredLanguage != "en" {
			t.Fatalf("user = %+v", reg.User)
		}
		if d := time.Until(reg.AccessTokenExpiresAt); d < 14*time.Minute || d > 15*time.Minute+time.Second {
			t.Fatalf("access token expires in %v, want 15 minutes", d)
		}
		var stored models.RefreshToken
		if err := s.DB.Joins("JOIN sessions ON sessions.id = refresh_tokens.session_id").
			Where("sessions.user_id = ?", reg.User.ID).Take(&stored).Error; err != nil {
			t.Fatal(err)
		}
		if string(stored.TokenHash) == reg.RefreshToken || len(stored.TokenHash) != 32 {
			t.Fatalf("refresh token is not stored as a SHA-256 hash")
		}
	})
	t.Run("MeReturnsTheCaller", func(t *testing.T) {
		if got := meID(t, s, reg.AccessToken); got != reg.User.ID {
			t.Fatalf("me = %s, want %s", got, reg.User.ID)
		}
	})
	t.Run("MeWithoutTokenIsNull", func(t *testing.T) {
		r := s.Do(t, "", `{ me { id } }`, nil).MustOK(t)
		if string(r.Data) != `{"me":null}` {
			t.Fatalf("data = %s", r.Data)
		}
	})

	// A second session of the same user, from a login with the email in
	// another case.
	first := decodeSession(t, login(t, s, " "+upper(email), password), "login")
	t.Run("LoginStartsAnotherSession", func(t *testing.T) {
		if first.User.ID != reg.User.ID || first.RefreshToken == reg.RefreshToken {
			t.Fatalf("login = %+v", first)
		}
		if got := meID(t, s, first.AccessToken); got != reg.User.ID {
			t.Fatalf("me = %s", got)
		}
	})

	second := decodeSession(t, refresh(t, s, first.RefreshToken), "refreshSession")
	t.Run("RefreshRotates", func(t *testing.T) {
		if second.RefreshToken == first.RefreshToken || second.AccessToken == first.AccessToken {
			t.Fatal("refresh returned the same tokens")
		}
		if got := meID(t, s, second.AccessToken); got != reg.User.ID {
			t.Fatalf("me = %s", got)
		}
	})
	third := decodeSession(t, refresh(t, s, second.RefreshToken), "refreshSession")

	t.Run("ReuseOfSpentRefreshTokenRevokesTheFamily", func(t *testing.T) {
		refresh(t, s, first.RefreshToken).MustCode(t, "UNAUTHENTICATED")
		// The newest refresh token of the family is dead too ...
		refresh(t, s, third.RefreshToken).MustCode(t, "UNAUTHENTICATED")
		// ... and so is every access token of the session.
		for _, tok := range []string{first.AccessToken, second.AccessToken, third.AccessToken} {
			mustBeRefused(t, s, tok)
		}
	})
	t.Run("OtherSessionsLiveOn", func(t *testing.T) {
		if got := meID(t, s, reg.AccessToken); got != reg.User.ID {
			t.Fatalf("me = %s", got)
		}
	})
	t.Run("LogoutRevokesTheFamily", func(t *testing.T) {
		next := decodeSession(t, refresh(t, s, reg.RefreshToken), "refreshSession")
		r := logout(t, s, next.RefreshToken).MustOK(t)
		if apptest.Str(t, r, "logout") != "true" {
			t.Fatalf("logout = %s", r.Raw)
		}
		mustBeRefused(t, s, reg.AccessToken)
		mustBeRefused(t, s, next.AccessToken)
		refresh(t, s, next.RefreshToken).MustCode(t, "UNAUTHENTICATED")
		refresh(t, s, reg.RefreshToken).MustCode(t, "UNAUTHENTICATED")
	})
	t.Run("LogoutOfUnknownTokenIsTrue", func(t *testing.T) {
		logout(t, s, "no-such-token").MustOK(t)
	})
	t.Run("RefreshWithUnknownTokenIsUnauthenticated", func(t *testing.T) {
		refresh(t, s, "no-such-token").MustCode(t, "UNAUTHENTICATED")
	})
	t.Run("LoginStillWorks", func(t *testing.T) {
		p := decodeSession(t, login(t, s, email, password), "login")
		if got := meID(t, s, p.AccessToken); got != reg.User.ID {
			t.Fatalf("me = %s", got)
		}
	})
}

// Concurrent refreshes of one token: exactly one wins; the others are reuse
// and end the session, so the winner's new tokens stop working as well.
func TestConcurrentRefreshIsReuse(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	p := register(t, s, freshEmail("race"), "a long enough passphrase")
	const n = 8
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		winners  []payload
		refusals int
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := s.Do(t, "", `mutation($t: String!) { refreshSession(refreshToken: $t) { `+sessionFields+` } }`,
				map[string]any{"t": p.RefreshToken})
			mu.Lock()
			defer mu.Unlock()
			switch r.Code() {
			case "":
				winners = append(winners, decodeSession(t, r, "refreshSession"))
			case "UNAUTHENTICATED":
				refusals++
			default:
				t.Errorf("refresh answered %s", r.Raw)
			}
		}()
	}
	wg.Wait()
	if len(winners) != 1 || refusals != n-1 {
		t.Fatalf("%d refreshes succeeded and %d were refused; want 1 and %d", len(winners), refusals, n-1)
	}
	mustBeRefused(t, s, winners[0].AccessToken)
	mustBeRefused(t, s, p.AccessToken)
	refresh(t, s, winners[0].RefreshToken).MustCode(t, "UNAUTHENTICATED")
}

func TestDisabledUser(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	admin, adminTok := s.User(t, models.RoleAdmin, nil)
	_, clinicianTok := s.User(t, models.RoleClinician, s.Org(t, models.OrgHealthSystem, []string{"CA"}))
	const password = "a long enough passphrase"
	email := freshEmail("disabled")
	p := register(t, s, email, password)
	const disable = `mutation($id: ID!) { disableUser(id: $id) { id disabledAt } }`
	const enable = `mutation($id: ID!) { enableUser(id: $id) { id disabledAt } }`
	vars := map[string]any{"id": p.User.ID}

	t.Run("ForbiddenForNonAdmins", func(t *testing.T) {
		s.Do(t, clinicianTok, disable, vars).MustCode(t, "FORBIDDEN")
		s.Do(t, p.AccessToken, disable, vars).MustCode(t, "FORBIDDEN")
		s.Do(t, "", disable, vars).MustCode(t, "UNAUTHENTICATED")
		if got := meID(t, s, p.AccessToken); got != p.User.ID {
			t.Fatalf("me = %s", got)
		}
	})
	t.Run("UnknownUserIsNotFound", func(t *testing.T) {
		s.Do(t, adminTok, disable, map[string]any{"id": "2b7c1d4e-0000-4000-8000-000000000000"}).MustCode(t, "NOT_FOUND")
		s.Do(t, adminTok, disable, map[string]any{"id": "not-an-id"}).MustCode(t, "NOT_FOUND")
	})
	t.Run("AdminCannotDisableThemself", func(t *testing.T) {
		s.Do(t, adminTok, disable, map[string]any{"id": admin.ID.String()}).MustCode(t, "CONFLICT")
	})
	t.Run("DisableStopsTokensAtOnce", func(t *testing.T) {
		r := s.Do(t, adminTok, disable, vars).MustOK(t)
		if apptest.Str(t, r, "disableUser.disabledAt") == "" {
			t.Fatalf("disabledAt not set: %s", r.Raw)
		}
		mustBeRefused(t, s, p.AccessToken)
		refresh(t, s, p.RefreshToken).MustCode(t, "UNAUTHENTICATED")
	})
	t.Run("DisabledUserCannotLogIn", func(t *testing.T) {
		r := login(t, s, email, password).MustCode(t, "UNAUTHENTICATED")
		wrong := login(t, s, email, "not the password at all").MustCode(t, "UNAUTHENTICATED")
		if r.Errors[0].Message != wrong.Errors[0].Message {
			t.Fatalf("a disabled account answers %q, a wrong password %q", r.Errors[0].Message, wrong.Errors[0].Message)
		}
	})
	t.Run("EnableLetsThemLogInAgain", func(t *testing.T) {
		r := s.Do(t, adminTok, enable, vars).MustOK(t)
		if apptest.Str(t, r, "enableUser.disabledAt") != "" {
			t.Fatalf("disabledAt still set: %s", r.Raw)
		}
		again := decodeSession(t, login(t, s, email, password), "login")
		if got := meID(t, s, again.AccessToken); got != p.User.ID {
			t.Fatalf("me = %s", got)
		}
	})
	t.Run("OldSessionsStayEnded", func(t *testing.T) {
		// Disabling ended the sessions the account had; enabling it again
		// does not bring back tokens that may have been stolen.
		mustBeRefused(t, s, p.AccessToken)
		refresh(t, s, p.RefreshToken).MustCode(t, "UNAUTHENTICATED")
	})
	t.Run("AuditTrail", func(t *testing.T) {
		var n int64
		if err := s.DB.Model(&models.AuditEntry{}).
			Where("entity_type = 'User' AND entity_id = ? AND actor_id = ? AND action = 'UPDATE'", p.User.ID, admin.ID).
			Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Fatalf("%d audit entries for disable and enable, want 2", n)
		}
	})
}
