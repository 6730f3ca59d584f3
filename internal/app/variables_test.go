package app_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"mlp/internal/apptest"
	"mlp/models"
)

const requestHelp = `mutation($in: RequestLegalHelpInput!) { requestLegalHelp(input: $in) { id } }`

func helpInput(change func(map[string]any)) map[string]any {
	in := map[string]any{"idempotencyKey": "k-var", "category": "HOUSING", "description": "Eviction notice",
		"jurisdiction": "CA", "consentToShare": true}
	if change != nil {
		change(in)
	}
	return map[string]any{"in": in}
}

func casesOf(t *testing.T, s *apptest.Server, patient *models.User) int64 {
	t.Helper()
	var n int64
	if err := s.DB.Model(&models.Case{}).Where("patient_id = ?", patient.ID).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestVariableErrorsNameTheField(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	patient, tok := s.User(t, models.RolePatient, nil)
	for _, tc := range []struct {
		name, query string
		vars        map[string]any
		field, msg  string
	}{
		{"BadEnum", requestHelp, helpInput(func(in map[string]any) { in["category"] = "HOUSNG" }),
			"input.category", "input.category must be one of HOUSING, PUBLIC_BENEFITS, EMPLOYMENT, EDUCATION, IMMIGRATION, FAMILY, DISABILITY, MEDICAL_DEBT, UTILITIES, FOOD, OTHER."},
		{"MissingRequiredField", requestHelp, helpInput(func(in map[string]any) { delete(in, "category") }),
			"input.category", "input.category is required."},
		{"NullRequiredField", requestHelp, helpInput(func(in map[string]any) { in["jurisdiction"] = nil }),
			"input.jurisdiction", "input.jurisdiction is required."},
		{"UnknownField", requestHelp, helpInput(func(in map[string]any) { in["urgency"] = "HIGH" }),
			"input.urgency", "input.urgency is not a field of RequestLegalHelpInput."},
		{"WrongType", requestHelp, helpInput(func(in map[string]any) { in["householdSize"] = "four" }),
			"input.householdSize", "input.householdSize must be of type Int."},
		{"MissingVariable", requestHelp, nil, "input", "input is required."},
		{"VariableInsideAnObject",
			`mutation($cat: LegalCategory!) { requestLegalHelp(input: {idempotencyKey: "k", category: $cat, description: "d", jurisdiction: "CA", consentToShare: true}) { id } }`,
			map[string]any{"cat": "NOPE"}, "input.category", "input.category must be one of HOUSING, PUBLIC_BENEFITS, EMPLOYMENT, EDUCATION, IMMIGRATION, FAMILY, DISABILITY, MEDICAL_DEBT, UTILITIES, FOOD, OTHER."},
		{"ListElement", `query($s: [CaseStatus!]) { caseQueue(filter: {status: $s}) { totalCount } }`,
			map[string]any{"s": []any{"SUBMITTED", "OPENED"}}, "filter.status[1]",
			"filter.status[1] must be one of SUBMITTED, RECEIVED, ACCEPTED, IN_PROGRESS, WAITING_ON_PATIENT, RESOLVED, UNRESOLVED, DECLINED, WITHDRAWN."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.Do(t, tok, tc.query, tc.vars)
			if r.Status != http.StatusOK {
				t.Fatalf("status %d for application/json: %s", r.Status, r.Raw)
			}
			r.MustCode(t, "BAD_USER_INPUT")
			if r.Field() != tc.field || r.Errors[0].Message != tc.msg {
				t.Fatalf("field %q message %q, want %q %q", r.Field(), r.Errors[0].Message, tc.field, tc.msg)
			}
			if len(r.Errors[0].Path) != 0 {
				t.Fatalf("path %v is not a path of the response", r.Errors[0].Path)
			}
		})
	}
	if n := casesOf(t, s, patient); n != 0 {
		t.Fatalf("%d cases written by refused requests", n)
	}
}

// The status policy (graph/status.go), with the Accept headers that Apollo
// Client 4 and urql 6 send by default.
func TestStatusPolicy(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	_, tok := s.User(t, models.RolePatient, nil)
	const (
		apollo = "application/graphql-response+json,application/json;q=0.9"
		urql   = "application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed"
		gqlRes = "application/graphql-response+json"
		plain  = "application/json"
	)
	badVars, _ := json.Marshal(map[string]any{"query": requestHelp, "variables": helpInput(func(in map[string]any) { in["category"] = "X" })})
	domain, _ := json.Marshal(map[string]any{"query": requestHelp, "variables": helpInput(func(in map[string]any) { in["consentToShare"] = false })})
	bodies := map[string]string{
		"Parse":      `{"query":"{ legalPartners { name "}`,
		"Validation": `{"query":"{ legalPartners { nope } }"}`,
		"Variables":  string(badVars),
		"Domain":     string(domain),
		"OK":         `{"query":"{ legalPartners { name } }"}`,
		"NotJSON":    `{"query":`,
		"NoQuery":    `{"variables":{}}`,
	}
	for _, tc := range []struct {
		accept, contentType string
		want                map[string]int
	}{
		{apollo, gqlRes, map[string]int{"Parse": 400, "Validation": 400, "Variables": 400, "Domain": 200, "OK": 200, "NotJSON": 400, "NoQuery": 400}},
		{urql, gqlRes, map[string]int{"Parse": 400, "Validation": 400, "Variables": 400, "Domain": 200, "OK": 200, "NotJSON": 400, "NoQuery": 400}},
		{plain, plain, map[string]int{"Parse": 200, "Validation": 200, "Variables": 200, "Domain": 200, "OK": 200, "NotJSON": 400, "NoQuery": 400}},
		{"", plain, map[string]int{"Parse": 200, "Validation": 200, "Variables": 200, "Domain": 200, "OK": 200, "NotJSON": 400, "NoQuery": 400}},
	} {
		for name, body := range bodies {
			t.Run(strings.SplitN(tc.accept+"none", ",", 2)[0]+"/"+name, func(t *testing.T) {
				req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", bytes.NewReader([]byte(body)))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+tok)
				if tc.accept != "" {
					req.Header.Set("Accept", tc.accept)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				var out apptest.Response
				err = json.NewDecoder(resp.Body).Decode(&out)
				resp.Body.Close()
				if err != nil {
					t.Fatalf("body is not JSON: %v", err)
				}
				if resp.StatusCode != tc.want[name] || !strings.HasPrefix(resp.Header.Get("Content-Type"), tc.contentType) {
					t.Fatalf("status %d content-type %q, want %d %q", resp.StatusCode, resp.Header.Get("Content-Type"), tc.want[name], tc.contentType)
				}
				if name != "OK" && out.Code() != "BAD_USER_INPUT" {
					t.Fatalf("code %q: %+v", out.Code(), out.Errors)
				}
			})
		}
	}
}

func TestVariableErrorsInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	body, _ := json.Marshal(map[string]any{"query": requestHelp, "variables": helpInput(func(in map[string]any) { delete(in, "category") })})
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", "es-MX,es;q=0.9")
	r := s.Send(t, req).MustCode(t, "BAD_USER_INPUT")
	if r.Field() != "input.category" || r.Errors[0].Message != "input.category es obligatorio." {
		t.Fatalf("field %q message %q", r.Field(), r.Errors[0].Message)
	}
}
