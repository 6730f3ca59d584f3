package auth

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"mlp/models"
)

// Forged is an access token that Parse must refuse.
type Forged struct {
	Name  string
	Token string
}

// ForgeTokens returns one token per way of forging or breaking an access token
// for user sub in session sid: another algorithm, a bad signature, a tampered
// payload, wrong claims, and plain garbage. The tests of this package and the
// HTTP tests share it.
func ForgeTokens(tb testing.TB, secret []byte, now time.Time, sub, sid uuid.UUID, role models.Role) []Forged {
	tb.Helper()
	now = now.UTC().Truncate(time.Second)
	claims := func(edit func(*Claims)) *Claims {
		c := &Claims{
			Role: role,
			SID:  sid.String(),
			RegisteredClaims: jwt.RegisteredClaims{
				Subject:   sub.String(),
				Issuer:    Issuer,
				Audience:  jwt.ClaimStrings{Audience},
				IssuedAt:  jwt.NewNumericDate(now),
				ExpiresAt: jwt.NewNumericDate(now.Add(AccessTokenTTL)),
				ID:        uuid.NewString(),
			},
		}
		if edit != nil {
			edit(c)
		}
		return c
	}
	sign := func(m jwt.SigningMethod, key any, c *Claims) string {
		s, err := jwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			tb.Fatal(err)
		}
		return s
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	// A valid token whose payload is rewritten to claim ADMIN, keeping the
	// original signature.
	valid := sign(jwt.SigningMethodHS256, secret, claims(nil))
	parts := strings.Split(valid, ".")
	payload, _ := json.Marshal(claims(func(c *Claims) { c.Role = models.RoleAdmin }))
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2]

	return []Forged{
		{"AlgNone", sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(nil))},
		{"AlgNoneEmptySignature", base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."},
		{"HS512", sign(jwt.SigningMethodHS512, secret, claims(nil))},
		{"HS384", sign(jwt.SigningMethodHS384, secret, claims(nil))},
		{"RS256", sign(jwt.SigningMethodRS256, rsaKey, claims(nil))},
		{"BadSignature", sign(jwt.SigningMethodHS256, []byte("another-secret-another-secret-another"), claims(nil))},
		{"TamperedPayload", tampered},
		{"WrongIssuer", sign(jwt.SigningMethodHS256, secret, claims(func(c *Claims) { c.Issuer = "someone-else" }))},
		{"NoIssuer", sign(jwt.SigningMethodHS256, secret, claims(func(c *Claims) { c.Issuer = "" }))},
		{"WrongAudience", sign(jwt.SigningMethodHS256, secret, claims(func(c *Claims) { c.Audience = jwt.ClaimStrings{"other-apps"} }))},
		{"NoAudience", sign(jwt.SigningMethodHS256, secret, claims(func(c *Claims) { c.Audience = nil }))},
		{"Expired", sign(jwt.SigningMethodHS256, secret, claims(func(c *Claims) {
			c.IssuedAt = jwt.NewNumericDate(now.Add(-time.Hour))
			c.ExpiresAt = jwt.NewNumericDate(now.Add(-time.Second))
		}))},
		{"MissingExp", sign(jwt.SigningMethodHS256, secret, claims(func(c *Claims) { c.ExpiresAt = nil }))},
		{"IssuedInTheFuture", sign(jwt.SigningMethodHS256, secret, claims(func(c *Claims) {
			c.IssuedAt = jwt.NewNumericDate(now.Add(time.Hour))
			c.ExpiresAt = jwt.NewNumericDate(now.Add(2 * time.Hour))
		}))},
		{"SubjectNotAUUID", sign(jwt.SigningMethodHS256, secret, claims(func(c *Claims) { c.Subject = "admin" }))},
		{"MissingSession", sign(jwt.SigningMethodHS256, secret, claims(func(c *Claims) { c.SID = "" }))},
		{"Garbage", "not-a-jwt"},
		{"GarbageThreeParts", "aaa.bbb.ccc"},
		{"SignatureOnly", "." + "." + parts[2]},
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	secret := []byte("unit-secret-unit-secret-unit-secret!")
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tokens := NewTokens(secret, func() time.Time { return now })
	org := uuid.New()
	u := &models.User{ID: uuid.New(), Role: models.RoleAdvocate, OrganizationID: &org}
	sid := uuid.New()

	t.Run("IssuedTokenParses", func(t *testing.T) {
		tok, exp, err := tokens.Issue(u, sid)
		if err != nil {
			t.Fatal(err)
		}
		if !exp.Equal(now.Add(AccessTokenTTL)) {
			t.Errorf("expiry = %v, want %v", exp, now.Add(AccessTokenTTL))
		}
		c, err := tokens.Parse(tok)
		if err != nil {
			t.Fatal(err)
		}
		if c.Subject != u.ID.String() || c.Role != models.RoleAdvocate || c.Org != org.String() || c.SID != sid.String() ||
			c.Issuer != Issuer || len(c.Audience) != 1 || c.Audience[0] != Audience || c.ID == "" ||
			!c.IssuedAt.Equal(now) || !c.ExpiresAt.Equal(now.Add(AccessTokenTTL)) {
			t.Fatalf("claims = %+v", c)
		}
		header, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
		if !strings.Contains(string(header), `"alg":"HS256"`) {
			t.Fatalf("header = %s", header)
		}
	})
	t.Run("PatientTokenHasNoOrg", func(t *testing.T) {
		tok, _, err := tokens.Issue(&models.User{ID: uuid.New(), Role: models.RolePatient}, sid)
		if err != nil {
			t.Fatal(err)
		}
		payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
		if strings.Contains(string(payload), `"org"`) {
			t.Fatalf("payload = %s", payload)
		}
	})
	t.Run("ExpiresAfterFifteenMinutes", func(t *testing.T) {
		tok, _, err := tokens.Issue(u, sid)
		if err != nil {
			t.Fatal(err)
		}
		later := NewTokens(secret, func() time.Time { return now.Add(AccessTokenTTL) })
		if _, err := later.Parse(tok); !errors.Is(err, models.ErrUnauthenticated) {
			t.Fatalf("Parse at expiry = %v, want UNAUTHENTICATED", err)
		}
	})
	t.Run("OtherSecretRefuses", func(t *testing.T) {
		tok, _, err := tokens.Issue(u, sid)
		if err != nil {
			t.Fatal(err)
		}
		other := NewTokens([]byte("other-secret-other-secret-other-secret"), func() time.Time { return now })
		if _, err := other.Parse(tok); !errors.Is(err, models.ErrUnauthenticated) {
			t.Fatalf("Parse = %v, want UNAUTHENTICATED", err)
		}
	})
	for _, f := range ForgeTokens(t, secret, now, u.ID, sid, models.RolePatient) {
		t.Run("Refuses"+f.Name, func(t *testing.T) {
			c, err := tokens.Parse(f.Token)
			if !errors.Is(err, models.ErrUnauthenticated) || c != nil {
				t.Fatalf("Parse = %+v, %v; want UNAUTHENTICATED", c, err)
			}
		})
	}
}

func TestBearerToken(t *testing.T) {
	t.Parallel()
	for h, want := range map[string]string{
		"Bearer abc":    "abc",
		"bearer abc":    "abc",
		"BEARER  abc  ": "abc",
	} {
		if got, ok := BearerToken(h); !ok || got != want {
			t.Errorf("BearerToken(%q) = %q, %v; want %q", h, got, ok, want)
		}
	}
	for _, h := range []string{"", "Bearer", "Bearer ", "Basic YWxhZGRpbjpvcGVuc2VzYW1l", "Token abc", "abc", "Bearerabc"} {
		if got, ok := BearerToken(h); ok {
			t.Errorf("BearerToken(%q) = %q, true; want refused", h, got)
		}
	}
}
