package auth

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"mlp/models"
)

// FuzzParseToken parses any text as an access token: no panic; a refusal is
// always UNAUTHENTICATED; and the only text accepted is a token this secret
// issued (its claims), spelled as it was issued (canonical base64url). The seeds are a valid token, the forged
// ones of ForgeTokens and the valid one cut and edited.
func FuzzParseToken(f *testing.F) {
	secret := []byte("fuzz-secret-fuzz-secret-fuzz-secret!")
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	tokens := NewTokens(secret, func() time.Time { return now })
	sub, sid := uuid.MustParse("7c9e6679-7425-40de-944b-e07fc1f90ae7"), uuid.MustParse("0b4b0a52-7a4c-4cf8-9e43-0a1a5d3e3a7e")
	valid, _, err := tokens.Issue(&models.User{ID: sub, Role: models.RolePatient}, sid)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add(valid[:len(valid)-1] + "x")
	f.Add(strings.Replace(valid, ".", "..", 1))
	f.Add(valid + "=")
	f.Add(" " + valid)
	for _, forged := range ForgeTokens(f, secret, now, sub, sid, models.RolePatient) {
		f.Add(forged.Token)
	}
	f.Fuzz(func(t *testing.T, token string) {
		c, err := tokens.Parse(token)
		if err != nil {
			if !errors.Is(err, models.ErrUnauthenticated) {
				t.Fatalf("Parse(%q) = %v, want UNAUTHENTICATED", token, err)
			}
			return
		}
		// (each fuzz worker issues its own valid token, with its own jti)
		parts := strings.Split(token, ".")
		if len(parts) != 3 {
			t.Fatalf("Parse accepted %q, not three parts", token)
		}
		for _, p := range parts {
			raw, err := base64.RawURLEncoding.DecodeString(p)
			if err != nil || base64.RawURLEncoding.EncodeToString(raw) != p {
				t.Fatalf("Parse accepted %q, a second spelling of a token", token)
			}
		}
		if c.Subject != sub.String() || c.SID != sid.String() || c.Role != models.RolePatient {
			t.Fatalf("Parse gave claims %+v", c)
		}
	})
}
