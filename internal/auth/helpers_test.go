package auth_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"mlp/internal/apptest"
)

const sessionFields = `accessToken accessTokenExpiresAt refreshToken user { id email displayName role preferredLanguage }`

// payload is an AuthPayload.
type payload struct {
	AccessToken          string
	AccessTokenExpiresAt time.Time
	RefreshToken         string
	User                 struct {
		ID, Email, DisplayName, Role, PreferredLanguage string
	}
}

// decodeSession reads the AuthPayload under field of a response.
func decodeSession(t *testing.T, r *apptest.Response, field string) payload {
	t.Helper()
	var data map[string]json.RawMessage
	r.Decode(t, &data)
	var p payload
	if err := json.Unmarshal(data[field], &p); err != nil {
		t.Fatalf("decode %s: %v", r.Raw, err)
	}
	if p.AccessToken == "" || p.RefreshToken == "" || p.User.ID == "" {
		t.Fatalf("incomplete session: %s", r.Raw)
	}
	return p
}

// freshEmail returns an address no other test uses.
func freshEmail(prefix string) string {
	return fmt.Sprintf("%s-%s@example.test", prefix, strings.ReplaceAll(uuid.NewString(), "-", "")[:16])
}

func register(t *testing.T, s *apptest.Server, email, password string) payload {
	t.Helper()
	r := s.Do(t, "", `mutation($in: RegisterInput!) { register(input: $in) { `+sessionFields+` } }`,
		map[string]any{"in": map[string]any{"email": email, "password": password, "displayName": "Pat Patient"}})
	return decodeSession(t, r, "register")
}

func login(t *testing.T, s *apptest.Server, email, password string) *apptest.Response {
	t.Helper()
	return s.Do(t, "", `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { `+sessionFields+` } }`,
		map[string]any{"e": email, "p": password})
}

func refresh(t *testing.T, s *apptest.Server, refreshToken string) *apptest.Response {
	t.Helper()
	return s.Do(t, "", `mutation($t: String!) { refreshSession(refreshToken: $t) { `+sessionFields+` } }`,
		map[string]any{"t": refreshToken})
}

func logout(t *testing.T, s *apptest.Server, refreshToken string) *apptest.Response {
	t.Helper()
	return s.Do(t, "", `mutation($t: String!) { logout(refreshToken: $t) }`, map[string]any{"t": refreshToken})
}

// meID returns the id `me` answers with token, failing on errors.
func meID(t *testing.T, s *apptest.Server, token string) string {
	t.Helper()
	return apptest.Str(t, s.Do(t, token, `{ me { id } }`, nil), "me.id")
}

// mustBeRefused checks that token no longer works: `me` answers
// UNAUTHENTICATED with no data.
func mustBeRefused(t *testing.T, s *apptest.Server, token string) {
	t.Helper()
	r := s.Do(t, token, `{ me { id } }`, nil).MustCode(t, "UNAUTHENTICATED")
	if string(r.Data) != "" && string(r.Data) != "null" && string(r.Data) != `{"me":null}` {
		t.Fatalf("refused token read data: %s", r.Raw)
	}
}

func upper(s string) string { return strings.ToUpper(s) }
