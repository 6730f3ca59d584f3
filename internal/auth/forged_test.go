package auth_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"mlp/internal/apptest"
	"mlp/internal/auth"
	"mlp/models"
)

// Every forged or broken access token, on a real admin's session: a protected
// operation answers UNAUTHENTICATED without running a single SQL statement
// (the token fails before the session lookup), and `me` answers
// UNAUTHENTICATED, not null.
func TestForgedTokens(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	admin, adminTok := s.User(t, models.RoleAdmin, nil)
	var sess models.Session
	if err := s.DB.Where("user_id = ?", admin.ID).Take(&sess).Error; err != nil {
		t.Fatal(err)
	}
	const protected = `{ organizations { id name } }`

	t.Run("RealTokenWorks", func(t *testing.T) {
		s.Do(t, adminTok, protected, nil).MustOK(t)
	})
	for _, f := range auth.ForgeTokens(t, []byte(apptest.JWTSecret), time.Now(), admin.ID, sess.ID, models.RoleAdmin) {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			r, n := s.DoCounted(t, f.Token, protected, nil)
			r.MustCode(t, "UNAUTHENTICATED")
			if n != 0 {
				t.Errorf("%d SQL statements ran for a forged token, want 0", n)
			}
			if string(r.Data) != "null" {
				t.Errorf("data = %s, want null", r.Data)
			}
			r, n = s.DoCounted(t, f.Token, `{ me { id email } }`, nil)
			r.MustCode(t, "UNAUTHENTICATED")
			if n != 0 || strings.Contains(r.Raw, admin.Email) {
				t.Errorf("me with a forged token ran %d statements and answered %s", n, r.Raw)
			}
		})
	}
	for name, header := range map[string]string{
		"BasicScheme":     "Basic " + adminTok,
		"TokenScheme":     "Token " + adminTok,
		"NoScheme":        adminTok,
		"BearerWithout":   "Bearer",
		"BearerNoSpace":   "Bearer" + adminTok,
		"BearerTwoTokens": "Bearer " + adminTok + " " + adminTok,
	} {
		t.Run("NotBearer"+name, func(t *testing.T) {
			t.Parallel()
			for _, q := range []string{protected, `{ me { id } }`} {
				r := sendWithAuthorization(t, s, header, q).MustCode(t, "UNAUTHENTICATED")
				if string(r.Data) != "null" && string(r.Data) != `{"me":null}` {
					t.Errorf("data = %s", r.Data)
				}
			}
		})
	}
	t.Run("MeWithoutTokenIsNull", func(t *testing.T) {
		r := s.Do(t, "", `{ me { id } }`, nil).MustOK(t)
		if string(r.Data) != `{"me":null}` {
			t.Fatalf("data = %s", r.Data)
		}
	})
	t.Run("ProtectedWithoutTokenIsUnauthenticated", func(t *testing.T) {
		r, n := s.DoCounted(t, "", protected, nil)
		r.MustCode(t, "UNAUTHENTICATED")
		if n != 0 {
			t.Errorf("%d SQL statements ran", n)
		}
	})
	t.Run("RevokedSessionRunsOnlyTheAuthLookup", func(t *testing.T) {
		u, tok := s.User(t, models.RoleAdmin, nil)
		if err := s.DB.Model(&models.Session{}).Where("user_id = ?", u.ID).Update("revoked_at", time.Now()).Error; err != nil {
			t.Fatal(err)
		}
		r, n := s.DoCounted(t, tok, protected, nil)
		r.MustCode(t, "UNAUTHENTICATED")
		if n > 1 || string(r.Data) != "null" {
			t.Errorf("%d statements ran (want at most the session lookup), data %s", n, r.Data)
		}
	})
	t.Run("PublicOperationsIgnoreARefusedToken", func(t *testing.T) {
		// A client holding an expired token must still be able to sign in
		// and read public data.
		s.Do(t, "not-a-jwt", `{ legalPartners { id } }`, nil).MustOK(t)
		s.Do(t, "not-a-jwt", `{ guides(first: 1) { edges { node { slug } } } }`, nil).MustOK(t)
		s.Do(t, "not-a-jwt", `mutation { requestPasswordReset(email: "nobody@example.org") }`, nil).MustOK(t)
		// me tells the app that its session ended rather than answering null.
		s.Do(t, "not-a-jwt", `{ me { id } }`, nil).MustCode(t, "UNAUTHENTICATED")
	})
}

func sendWithAuthorization(t *testing.T, s *apptest.Server, header, query string) *apptest.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/graphql", strings.NewReader(`{"query":`+quote(query)+`}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", header)
	return s.Send(t, req)
}

func quote(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}
