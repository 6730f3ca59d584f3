package app_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"mlp/internal/apptest"
	"mlp/internal/i18n/catalogtest"
	"mlp/models"
)

const requestHelpDoc = `mutation($in: RequestLegalHelpInput!) { requestLegalHelp(input: $in) { id } }`

// TestErrorsInTheReadersLanguage: a signed-in reader gets errors in their
// preferredLanguage (whatever Accept-Language says), an anonymous one in
// Accept-Language's, anyone else in English.
func TestErrorsInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	post := func(token, acceptLanguage, query string, vars map[string]any) *apptest.Response {
		body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if acceptLanguage != "" {
			req.Header.Set("Accept-Language", acceptLanguage)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return s.Send(t, req)
	}
	const me = `{ myCases { totalCount } }`
	t.Run("AnonymousSpanish", func(t *testing.T) {
		r := post("", "es-MX,es;q=0.9", me, nil).MustCode(t, "UNAUTHENTICATED")
		if r.Errors[0].Message != "Inicie sesión para continuar." {
			t.Fatalf("message %q", r.Errors[0].Message)
		}
	})
	t.Run("AnonymousUnsupportedIsEnglish", func(t *testing.T) {
		r := post("", "fr", me, nil).MustCode(t, "UNAUTHENTICATED")
		if r.Errors[0].Message != "Sign in to continue." {
			t.Fatalf("message %q", r.Errors[0].Message)
		}
	})
	t.Run("SpanishPatientWithFormattedMessage", func(t *testing.T) {
		u, _ := s.User(t, models.RolePatient, nil)
		if err := s.DB.Model(u).Update("preferred_language", "es").Error; err != nil {
			t.Fatal(err)
		}
		tok := s.Token(t, u)
		long := make([]byte, 5001)
		for i := range long {
			long[i] = 'a'
		}
		// English asked in the header: the profile's language wins.
		r := post(tok, "en", requestHelpDoc, map[string]any{"in": map[string]any{
			"category": "HOUSING", "jurisdiction": "CA", "description": string(long), "consentToShare": true,
			"idempotencyKey": "k1"}}).MustCode(t, "BAD_USER_INPUT")
		if r.Errors[0].Message != "Cuéntenos su problema en 1 a 5000 caracteres." {
			t.Fatalf("message %q (%s)", r.Errors[0].Message, r.Raw)
		}
		r = post(tok, "", `{ case(id: "00000000-0000-7000-8000-000000000000") { id } }`, nil).MustCode(t, "NOT_FOUND")
		if r.Errors[0].Message != "No se encontró el caso." {
			t.Fatalf("message %q", r.Errors[0].Message)
		}
	})
}

// TestEveryErrorTextHasSpanish: an error text added anywhere needs its
// Spanish in internal/i18n/locales/es.json (checked here too, since every
// change runs this package's tests).
func TestEveryErrorTextHasSpanish(t *testing.T) {
	t.Parallel()
	catalogtest.CheckSpanish(t, "../..")
}
