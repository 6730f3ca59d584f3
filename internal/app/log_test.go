package app_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"mlp/internal/apptest"
)

// TestRequestLog sends requests that carry secrets in every place a request
// can carry them and checks the log: one line per request with its id,
// operation, status and duration, and none of the secrets.
func TestRequestLog(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	email := freshEmail("logged")
	const password = "a secret passphrase 42"

	send := func(t *testing.T, id, token, body string) *apptest.Response {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, s.URL+"/graphql", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Request-ID", id)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return s.Send(t, req)
	}
	op := func(query string, vars map[string]any) string {
		b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		return string(b)
	}
	reg := send(t, "log-register", "", op(`mutation Register($in: RegisterInput!) { register(input: $in) { accessToken refreshToken } }`,
		map[string]any{"in": map[string]any{"email": email, "password": password, "displayName": "Logan Patient"}})).MustOK(t)
	access := apptest.Str(t, reg, "register.accessToken")
	refreshToken := apptest.Str(t, reg, "register.refreshToken")
	send(t, "log-me", access, op(`query Me { me { id email displayName } }`, nil)).MustOK(t)
	send(t, "log-wrong-password", "", op(`mutation Login($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`,
		map[string]any{"e": email, "p": password + "x"})).MustCode(t, "UNAUTHENTICATED")
	send(t, "log-refresh", "", op(`mutation Refresh($t: String!) { refreshSession(refreshToken: $t) { accessToken } }`,
		map[string]any{"t": refreshToken})).MustOK(t)
	send(t, "log-forged", access+"x", op(`{ organizations { id } }`, nil)).MustCode(t, "UNAUTHENTICATED")
	send(t, "log-malformed", "", `{"query":"mutation { login(email: \"`+email+`\", password: \"`+password+`\"`).MustCode(t, "BAD_USER_INPUT")
	// The client names its operations freely ("Again" here): the log names
	// them by their root fields only.
	send(t, "log-duplicate", "", op(`mutation Again($in: RegisterInput!) { register(input: $in) { accessToken } }`,
		map[string]any{"in": map[string]any{"email": email, "password": password, "displayName": "Logan Patient"}})).MustCode(t, "CONFLICT")

	logText := s.LogText()
	t.Run("NoSecretsOrPersonalData", func(t *testing.T) {
		for what, secret := range map[string]string{
			"email": email, "password": password, "access token": access, "refresh token": refreshToken,
			"display name": "Logan Patient", "operation name": "Again",
		} {
			if strings.Contains(logText, secret) {
				t.Errorf("the log carries the %s", what)
			}
		}
		// Tokens are long; no piece of one may appear either.
		if strings.Contains(logText, access[:20]) || strings.Contains(logText, refreshToken[:20]) {
			t.Error("the log carries part of a token")
		}
	})

	lines := map[string][]map[string]any{}
	sc := bufio.NewScanner(bytes.NewReader([]byte(logText)))
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("log line is not JSON: %s", sc.Text())
		}
		if line["msg"] == "request" {
			id, _ := line["request_id"].(string)
			lines[id] = append(lines[id], line)
		}
	}
	for _, c := range []struct{ id, operation, errorCode string }{
		{"log-register", "mutation register", ""},
		{"log-me", "query me", ""},
		{"log-wrong-password", "mutation login", "UNAUTHENTICATED"},
		{"log-refresh", "mutation refreshSession", ""},
		{"log-forged", "query organizations", "UNAUTHENTICATED"},
		{"log-malformed", "", "BAD_USER_INPUT"},
		{"log-duplicate", "mutation register", "CONFLICT"},
	} {
		t.Run("OneLineFor"+c.id, func(t *testing.T) {
			if len(lines[c.id]) != 1 {
				t.Fatalf("%d request lines for %s, want 1:\n%s", len(lines[c.id]), c.id, logText)
			}
			l := lines[c.id][0]
			if op, _ := l["operation"].(string); op != c.operation {
				t.Errorf("operation = %q, want %q", op, c.operation)
			}
			if code, _ := l["error_code"].(string); code != c.errorCode {
				t.Errorf("error_code = %q, want %q", code, c.errorCode)
			}
			if _, ok := l["duration_ms"].(float64); !ok {
				t.Errorf("no duration_ms in %v", l)
			}
			if st, _ := l["status"].(float64); st < 200 {
				t.Errorf("status = %v", l["status"])
			}
			if l["method"] != "POST" || l["path"] != "/graphql" {
				t.Errorf("method/path = %v %v", l["method"], l["path"])
			}
		})
	}
	t.Run("RequestIDIsEchoedOrMade", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/healthz", nil)
		req.Header.Set("X-Request-ID", "bad id with spaces")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		id := resp.Header.Get("X-Request-ID")
		if id == "" || strings.Contains(id, " ") {
			t.Fatalf("X-Request-ID = %q", id)
		}
	})
	t.Run("NoInternalErrors", func(t *testing.T) {
		if strings.Contains(logText, "internal error") {
			t.Fatalf("internal errors logged:\n%s", logText)
		}
	})
}
