package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"mlp/internal/app"
	"mlp/internal/apptest"
	"mlp/internal/database"
	"mlp/internal/database/dbtest"
	"mlp/internal/httpx"
	"mlp/models"
)

// production runs the test server as APP_ENV=production does.
func production(o *app.Options) { o.Development = false }

func freshEmail(prefix string) string {
	return fmt.Sprintf("%s-%s@example.test", prefix, strings.ReplaceAll(uuid.NewString(), "-", "")[:16])
}

func usersWithEmail(t *testing.T, s *apptest.Server, email string) int64 {
	t.Helper()
	var n int64
	if err := s.DB.Model(&models.User{}).Where("email = ?", email).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// registerBody is a register request for email, padded with spaces to at
// least size bytes.
func registerBody(email string, size int) string {
	body := fmt.Sprintf(`{"query":"mutation($in: RegisterInput!) { register(input: $in) { accessToken } }","variables":{"in":{"email":%q,"password":"a long enough passphrase","displayName":"Pat"}}}`, email)
	if pad := size - len(body); pad > 0 {
		body = body[:len(body)-1] + strings.Repeat(" ", pad) + "}"
	}
	return body
}

func post(t *testing.T, s *apptest.Server, body io.Reader, length int64) *apptest.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/graphql", body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = length
	req.Header.Set("Content-Type", "application/json")
	return s.Send(t, req)
}

func TestRequestBodies(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)

	t.Run("RegisterBodyWorks", func(t *testing.T) {
		email := freshEmail("body")
		b := registerBody(email, 0)
		post(t, s, strings.NewReader(b), int64(len(b))).MustOK(t)
		if usersWithEmail(t, s, email) != 1 {
			t.Fatal("user not written")
		}
	})
	malformedEmail := freshEmail("malformed")
	for name, body := range map[string]string{
		"Empty":         "",
		"MalformedJSON": registerBody(malformedEmail, 0)[:len(registerBody(malformedEmail, 0))-2],
		"NotAnObject":   `["query", "{ me { id } }"]`,
		"QueryNotAText": `{"query": 42}`,
		"NoQuery":       `{"variables": {}}`,
	} {
		t.Run(name+"IsBadUserInput", func(t *testing.T) {
			t.Parallel()
			r := post(t, s, strings.NewReader(body), int64(len(body)))
			if strings.Contains(body, malformedEmail) && usersWithEmail(t, s, malformedEmail) != 0 {
				t.Error("a malformed body was executed")
			}
			if r.Status != http.StatusBadRequest && r.Status != http.StatusUnprocessableEntity {
				t.Errorf("status = %d", r.Status)
			}
			r.MustCode(t, "BAD_USER_INPUT")
			if strings.Contains(r.Raw, "passphrase") {
				t.Errorf("the answer echoes the body: %s", r.Raw)
			}
		})
	}
	t.Run("TwoMegabytesIsRefusedBeforeParsing", func(t *testing.T) {
		t.Parallel()
		email := freshEmail("huge")
		b := registerBody(email, 2<<20)
		r := post(t, s, strings.NewReader(b), int64(len(b)))
		if r.Status != http.StatusRequestEntityTooLarge {
			t.Fatalf("status = %d: %.200s", r.Status, r.Raw)
		}
		if usersWithEmail(t, s, email) != 0 {
			t.Fatal("user written")
		}
	})
	t.Run("TwoMegabytesChunkedIsRefused", func(t *testing.T) {
		t.Parallel()
		email := freshEmail("chunked")
		// No Content-Length: the limit must hold while reading.
		r := post(t, s, io.MultiReader(strings.NewReader(registerBody(email, 2<<20))), -1)
		if r.Status != http.StatusRequestEntityTooLarge {
			t.Fatalf("status = %d: %.200s", r.Status, r.Raw)
		}
		if usersWithEmail(t, s, email) != 0 {
			t.Fatal("user written")
		}
	})
	t.Run("JustUnderTheLimitIsServed", func(t *testing.T) {
		t.Parallel()
		email := freshEmail("big")
		b := registerBody(email, httpx.MaxBodyBytes-100)
		post(t, s, strings.NewReader(b), int64(len(b))).MustOK(t)
	})
	t.Run("GETServesQueries", func(t *testing.T) {
		t.Parallel()
		r := get(t, s, `{ legalPartners { id } }`, nil)
		if r.Status != http.StatusOK || r.Code() != "" {
			t.Fatalf("GET query answered %d %s", r.Status, r.Raw)
		}
	})
	t.Run("GETRefusesMutations", func(t *testing.T) {
		t.Parallel()
		email := freshEmail("get")
		r := get(t, s, `mutation($in: RegisterInput!) { register(input: $in) { accessToken } }`,
			map[string]any{"in": map[string]any{"email": email, "password": "a long enough passphrase", "displayName": "Pat"}})
		if r.Status == http.StatusOK || len(r.Errors) == 0 {
			t.Fatalf("GET mutation answered %d %s", r.Status, r.Raw)
		}
		if usersWithEmail(t, s, email) != 0 {
			t.Fatal("user written by a GET")
		}
	})
}

func get(t *testing.T, s *apptest.Server, query string, vars map[string]any) *apptest.Response {
	t.Helper()
	q := url.Values{"query": {query}}
	if vars != nil {
		b, _ := json.Marshal(vars)
		q.Set("variables", string(b))
	}
	req, err := http.NewRequest(http.MethodGet, s.URL+"/graphql?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return s.Send(t, req)
}

func TestHealth(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	status := func(t *testing.T, base, path string) int {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	t.Run("Healthz", func(t *testing.T) {
		if got := status(t, s.URL, "/healthz"); got != http.StatusOK {
			t.Fatalf("/healthz = %d", got)
		}
	})
	t.Run("ReadyzWithTheDatabase", func(t *testing.T) {
		if got := status(t, s.URL, "/readyz"); got != http.StatusOK {
			t.Fatalf("/readyz = %d", got)
		}
	})
	t.Run("ReadyzWithoutTheDatabase", func(t *testing.T) {
		db, err := database.Open(context.Background(), database.Options{URL: dbtest.URL(t), MaxConns: 1, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		if err := database.Close(db); err != nil {
			t.Fatal(err)
		}
		a := app.New(app.Options{DB: db, Logger: slog.New(slog.DiscardHandler), JWTSecret: []byte(apptest.JWTSecret)})
		ts := httptest.NewServer(a.Handler)
		defer ts.Close()
		if got := status(t, ts.URL, "/readyz"); got != http.StatusServiceUnavailable {
			t.Fatalf("/readyz = %d, want 503", got)
		}
		if got := status(t, ts.URL, "/healthz"); got != http.StatusOK {
			t.Fatalf("/healthz = %d: the process is alive", got)
		}
	})
}

const introspection = `{ __schema { queryType { name } } __type(name: "User") { name } }`

func TestDevelopmentOnlyFeatures(t *testing.T) {
	t.Parallel()
	dev := apptest.New(t)
	prod := apptest.New(t, production)
	page := func(t *testing.T, base string) (int, string) {
		t.Helper()
		resp, err := http.Get(base + "/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	t.Run("PlaygroundInDevelopment", func(t *testing.T) {
		code, body := page(t, dev.URL)
		if code != http.StatusOK || !strings.Contains(body, "/graphql") {
			t.Fatalf("GET / = %d %.200s", code, body)
		}
	})
	t.Run("NoPlaygroundInProduction", func(t *testing.T) {
		if code, _ := page(t, prod.URL); code != http.StatusNotFound {
			t.Fatalf("GET / = %d, want 404", code)
		}
	})
	t.Run("IntrospectionInDevelopment", func(t *testing.T) {
		r := dev.Do(t, "", introspection, nil).MustOK(t)
		if apptest.Str(t, r, "__schema.queryType.name") != "Query" || apptest.Str(t, r, "__type.name") != "User" {
			t.Fatalf("introspection = %s", r.Raw)
		}
	})
	t.Run("IntrospectionRefusedInProduction", func(t *testing.T) {
		for _, q := range []string{introspection, `{ __type(name: "User") { fields { name } } }`, `query { me { id } __schema { types { name } } }`} {
			r := prod.Do(t, "", q, nil).MustCode(t, "BAD_USER_INPUT")
			if strings.Contains(r.Raw, `"fields"`) || strings.Contains(r.Raw, `"types"`) || strings.Contains(r.Raw, `"queryType"`) {
				t.Fatalf("introspection answered: %s", r.Raw)
			}
		}
		if strings.Contains(prod.LogText(), "internal error") {
			t.Fatalf("refused introspection was logged as an internal error: %s", prod.LogText())
		}
	})
	t.Run("TypenameStillWorksInProduction", func(t *testing.T) {
		r := prod.Do(t, "", `{ __typename }`, nil).MustOK(t)
		if apptest.Str(t, r, "__typename") != "Query" {
			t.Fatalf("answer %s", r.Raw)
		}
	})
}

func TestComplexityLimit(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	var q strings.Builder
	q.WriteString("{")
	for i := range 2000 {
		fmt.Fprintf(&q, " p%d: legalPartners { id name kind }", i)
	}
	q.WriteString(" }")
	r, n := s.DoCounted(t, "", q.String(), nil)
	r.MustCode(t, "BAD_USER_INPUT")
	if n != 0 {
		t.Fatalf("%d statements ran for a refused query", n)
	}
	if strings.Contains(s.LogText(), "internal error") {
		t.Fatalf("a refused query was logged as an internal error")
	}
}
