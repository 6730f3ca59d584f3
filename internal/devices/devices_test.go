package devices_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/internal/devices"
	"mlp/models"
)

const registerDoc = `mutation($p: DevicePlatform!, $t: String!) { registerDevice(platform: $p, token: $t) }`

func register(t *testing.T, s *apptest.Server, tok, platform, token string) *apptest.Response {
	t.Helper()
	return s.Do(t, tok, registerDoc, map[string]any{"p": platform, "t": token})
}

// newToken returns a push token no other test uses.
func newToken() string { return "tok-" + strings.ReplaceAll(uuid.NewString(), "-", "") }

// rows returns the devices stored under token.
func rows(t *testing.T, s *apptest.Server, token string) []models.Device {
	t.Helper()
	var out []models.Device
	if err := s.DB.Where("token = ?", token).Find(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

func countFor(t *testing.T, s *apptest.Server, u *models.User) int64 {
	t.Helper()
	var n int64
	if err := s.DB.Model(&models.Device{}).Where("user_id = ?", u.ID).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRegisterDevice stores one row per token: registering it again updates
// that row, and a token another user registered moves to the caller.
func TestRegisterDevice(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)

	t.Run("SameTokenTwiceIsOneRow", func(t *testing.T) {
		t.Parallel()
		u, tok := s.User(t, models.RolePatient, nil)
		token := newToken()
		register(t, s, tok, "IOS", token).MustOK(t)
		first := rows(t, s, token)
		register(t, s, tok, "ANDROID", "  "+token+"\n").MustOK(t) // trimmed: the same token
		got := rows(t, s, token)
		if len(first) != 1 || len(got) != 1 || got[0].ID != first[0].ID || got[0].UserID != u.ID ||
			got[0].Platform != models.PlatformAndroid || got[0].LastSeenAt.Before(first[0].LastSeenAt) {
			t.Fatalf("rows after two registrations = %+v (first %+v)", got, first)
		}
	})

	t.Run("TokenMovesToTheNewUser", func(t *testing.T) {
		t.Parallel()
		a, aTok := s.User(t, models.RolePatient, nil)
		b, bTok := s.User(t, models.RoleAdvocate, s.Org(t, models.OrgLegalAid, []string{"CA"}))
		token := newToken()
		register(t, s, aTok, "IOS", token).MustOK(t)
		register(t, s, bTok, "IOS", token).MustOK(t)
		got := rows(t, s, token)
		if len(got) != 1 || got[0].UserID != b.ID || countFor(t, s, a) != 0 {
			t.Fatalf("rows = %+v, want one of user %s", got, b.ID)
		}
	})

	t.Run("CapDropsTheLeastRecentlySeen", func(t *testing.T) {
		t.Parallel()
		u, tok := s.User(t, models.RolePatient, nil)
		tokens := make([]string, devices.MaxPerUser+1)
		for i := range tokens {
			tokens[i] = newToken()
			register(t, s, tok, "ANDROID", tokens[i]).MustOK(t)
		}
		if n := countFor(t, s, u); n != devices.MaxPerUser {
			t.Fatalf("%d devices, want %d", n, devices.MaxPerUser)
		}
		if len(rows(t, s, tokens[0])) != 0 || len(rows(t, s, tokens[devices.MaxPerUser])) != 1 {
			t.Fatal("the cap dropped another device than the least recently seen")
		}
	})

	t.Run("TokenIsNeverLoggedOrReturned", func(t *testing.T) {
		t.Parallel()
		_, tok := s.User(t, models.RolePatient, nil)
		token := newToken()
		r := register(t, s, tok, "IOS", token).MustOK(t)
		if strings.Contains(r.Raw, token) || strings.Contains(s.LogText(), token) {
			t.Fatal("the token was returned or logged")
		}
	})
}

// TestRegisterDeviceValidation refuses malformed tokens with BAD_USER_INPUT
// naming token, and writes nothing.
func TestRegisterDeviceValidation(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	u, tok := s.User(t, models.RolePatient, nil)
	for name, token := range map[string]string{
		"Empty":          "",
		"Blank":          "         ",
		"TooShort":       "abc1234",
		"TooLong":        strings.Repeat("a", devices.MaxTokenLen+1),
		"SpaceInside":    "abcd efgh1234",
		"TabInside":      "abcd\tefgh1234",
		"ControlChar":    "abcd\x01efgh1234",
		"InvalidUTF8":    "abcd\xffefgh1234",
		"LineSeparator":  "abcd\u2028efgh1234",
		"NoBreakSpace":   "abcd\u00a0efgh1234",
		"ZeroWidthSpace": "abcd\u200befgh1234",
	} {
		t.Run(name, func(t *testing.T) {
			r := register(t, s, tok, "IOS", token).MustCode(t, "BAD_USER_INPUT")
			if r.Field() != "token" {
				t.Fatalf("field = %q", r.Field())
			}
		})
	}
	t.Run("OKAtTheLimits", func(t *testing.T) {
		register(t, s, tok, "IOS", "a"+newToken()[:devices.MinTokenLen-1]).MustOK(t)
		register(t, s, tok, "IOS", strings.Repeat("b", devices.MaxTokenLen)).MustOK(t)
	})
	if n := countFor(t, s, u); n != 2 {
		t.Fatalf("%d devices stored, want only the 2 valid ones", n)
	}
	t.Run("UnknownPlatform", func(t *testing.T) {
		register(t, s, tok, "WINDOWS", newToken()).MustCode(t, "BAD_USER_INPUT")
	})
}

// TestRegisterDeviceRoles lets every signed-in role register a device and
// nobody else.
func TestRegisterDeviceRoles(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	org := s.Org(t, models.OrgLegalAid, []string{"CA"})
	health := s.Org(t, models.OrgHealthSystem, []string{"CA"})
	register(t, s, "", "IOS", newToken()).MustCode(t, "UNAUTHENTICATED")
	register(t, s, "not-a-jwt", "IOS", newToken()).MustCode(t, "UNAUTHENTICATED")
	for _, role := range models.AllRoles {
		t.Run(fmt.Sprint(role), func(t *testing.T) {
			var o *models.Organization
			switch role {
			case models.RoleAdvocate:
				o = org
			case models.RoleClinician, models.RoleEditor:
				o = health
			}
			_, tok := s.User(t, role, o)
			var got struct{ RegisterDevice bool }
			register(t, s, tok, "ANDROID", newToken()).Decode(t, &got)
			if !got.RegisterDevice {
				t.Fatal("registerDevice answered false")
			}
		})
	}
}

// TestLogoutDropsTheSessionsDevices: a signed-out install stops receiving the
// user's pushes; the devices of the user's other sessions stay.
func TestLogoutDropsTheSessionsDevices(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	u, otherSession := s.User(t, models.RolePatient, nil)
	kept := newToken()
	register(t, s, otherSession, "IOS", kept).MustOK(t)
	var login struct {
		Login struct{ AccessToken, RefreshToken string }
	}
	s.Do(t, "", `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }`,
		map[string]any{"e": u.Email, "p": apptest.Password}).Decode(t, &login)
	dropped := newToken()
	register(t, s, login.Login.AccessToken, "ANDROID", dropped).MustOK(t)
	s.Do(t, login.Login.AccessToken, `mutation($r: String!) { logout(refreshToken: $r) }`,
		map[string]any{"r": login.Login.RefreshToken}).MustOK(t)
	if len(rows(t, s, dropped)) != 0 || len(rows(t, s, kept)) != 1 {
		t.Fatal("logout must drop the devices of its session and only those")
	}
}

func TestDisablingAUserDropsTheirDevices(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	u, tok := s.User(t, models.RolePatient, nil)
	other, otherTok := s.User(t, models.RolePatient, nil)
	_, admin := s.User(t, models.RoleAdmin, nil)
	mine, theirs := newToken(), newToken()
	register(t, s, tok, "IOS", mine).MustOK(t)
	register(t, s, otherTok, "ANDROID", theirs).MustOK(t)
	s.Do(t, admin, `mutation($id: ID!) { disableUser(id: $id) { id } }`, map[string]any{"id": u.ID.String()}).MustOK(t)
	s.Do(t, admin, `mutation($id: ID!) { enableUser(id: $id) { id } }`, map[string]any{"id": u.ID.String()}).MustOK(t)
	if len(rows(t, s, mine)) != 0 {
		t.Error("a disabled account's devices must be dropped (and not come back when it is enabled)")
	}
	if len(rows(t, s, theirs)) != 1 {
		t.Errorf("another user's (%s) device must stay", other.ID)
	}
}
