package app_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"mlp/graph"
	"mlp/internal/apptest"
	"mlp/models"
)

// fuzzBound is the catastrophe guard of the fuzz targets: the hostile
// documents and inputs this server once took 6 to 112 s on; any answer
// slower than this is a failure (well-behaved ones take milliseconds).
const fuzzBound = 3 * time.Second

// answerOK fails unless r is an answer the API may give to hostile input:
// never an internal error, never a panic in the log, never slower than
// fuzzBound; a BAD_USER_INPUT of an argument's value names the field.
func answerOK(t *testing.T, s *apptest.Server, r *apptest.Response, took time.Duration, what string) {
	t.Helper()
	if took > fuzzBound {
		t.Fatalf("%s: answered in %s", what, took)
	}
	for _, e := range r.Errors {
		if c, _ := e.Extensions["code"].(string); c == string(models.EINTERNAL) || c == string(models.EUNAVAILABLE) || c == "" {
			t.Fatalf("%s: %s", what, r.Raw)
		}
	}
	if strings.Contains(s.LogText(), "panic") {
		t.Fatalf("%s: the server panicked:\n%s", what, s.LogText())
	}
}

// FuzzDocuments sends any text as a GraphQL document to the whole server,
// anonymously: no panic, no internal error, an answer within fuzzBound, and
// a document that gets past the limits (it executed: data in the answer) is
// within every limit of graph.DefaultLimits.
func FuzzDocuments(f *testing.F) {
	for _, seed := range []string{
		"{ __typename }", "{ legalPartners { id name } }", "query { guides(first: 2) { edges { node { slug } } } }",
		"{ ...F2 } fragment F0 on Query { legalPartners { id } } fragment F1 on Query { ...F0 ...F0 } fragment F2 on Query { ...F1 ...F1 }",
		"{ ...A } fragment A on Query { ...A }", "mutation { a: login(email: \"a@b.c\", password: \"x\") { accessToken } b: register(input: {}) { accessToken } }",
		"{ " + strings.Repeat("a: __typename ", 60) + "}", "{ me " + strings.Repeat("{ organization ", 12) + strings.Repeat("}", 13),
		"{ __typename @include(if: true) @skip(if: false) @include(if: true) }", "subscription { notificationAdded { id } }",
		"{ guides(filter: {search: \"\\u0000\"}) { totalCount } }", "{ case(id: \"x\") { id } }", "{ me { id } }",
		"{", "", "\"\"\"", "{ a(x: [[[[[[1]]]]]]) }", "query($a: Int = 99999999999) { __typename }",
	} {
		f.Add(seed)
	}
	s := apptest.New(f)
	limits := graph.DefaultLimits()
	f.Fuzz(func(t *testing.T, doc string) {
		start := time.Now()
		r := s.Do(t, "", doc, nil)
		answerOK(t, s, r, time.Since(start), "document "+trim(doc))
		if r.Data == nil || string(r.Data) == "null" {
			return
		}
		parsed, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: doc}, limits.MaxTokens)
		if err != nil {
			t.Fatalf("executed a document gqlparser refuses (%v): %q", err, doc)
		}
		m := graph.Measure(parsed)
		if m.Fields > limits.MaxFields || m.Depth > limits.MaxDepth || m.Aliases > limits.MaxAliases || m.SignIns > 1 {
			t.Fatalf("executed a document over a limit %+v: %q", m, doc)
		}
	})
}

// inputCase is one input type of the API, sent with the fuzzed values.
type inputCase struct {
	name  string
	token string
	doc   string
	vars  func(a, b string, n int) map[string]any
	// texts are paths (in data) of strings the server echoes when it
	// accepts: each must be stored text (UTF-8 without U+0000) and, where
	// max is set, trimmed, non-empty and at most max characters.
	texts map[string]int
}

// FuzzInputs sends every input type of the API (each argument of an input
// object type, through the operation that takes it, by a caller allowed to)
// with fuzzed strings a and b in its text fields and n in its numbers: no
// panic, no internal error, an answer within fuzzBound; a refusal of a value
// is BAD_USER_INPUT naming the field; what is accepted is text PostgreSQL
// holds, within the documented lengths.
func FuzzInputs(f *testing.F) {
	for _, seed := range []struct {
		a, b string
		n    int
	}{
		{"Eviction notice", "My landlord gave me three days.", 3},
		{"", "", 0}, {" ", "\t\n", -1}, {"a\x00b", "\xff\xfe", 1 << 31}, {strings.Repeat("x", 5001), "é", 5000},
		{"CA", "06037", 90012}, {"a@b.co", "correct horse battery staple", 12}, {"09:00", "17:30", 100},
		{"https://example.org", "+1 555 0100", 2}, {"\u202e\u200b", "<script>", -2147483648},
	} {
		f.Add(seed.a, seed.b, seed.n)
	}
	s := apptest.New(f)
	legalAid := s.Org(f, models.OrgLegalAid, []string{"CA"}, models.CategoryHousing)
	health := s.Org(f, models.OrgHealthSystem, []string{"CA"})
	_, patient := s.User(f, models.RolePatient, nil)
	_, advocate := s.User(f, models.RoleAdvocate, legalAid)
	_, clinician := s.User(f, models.RoleClinician, health)
	_, editor := s.User(f, models.RoleEditor, health)
	_, admin := s.User(f, models.RoleAdmin, nil)
	caseID := apptest.Str(f, s.Do(f, patient, `mutation($in: RequestLegalHelpInput!) { requestLegalHelp(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"idempotencyKey": "fuzz-setup", "category": "HOUSING", "description": "Setup case.",
			"jurisdiction": "CA", "consentToShare": true}}).MustOK(f), "requestLegalHelp.id")
	guideID := apptest.Str(f, s.Do(f, editor, `mutation($in: GuideInput!) { createGuide(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"slug": "fuzz-setup", "locale": "en", "title": "T", "summary": "S", "body": "B.",
			"category": "HOUSING", "jurisdictions": []string{"CA"}}}).MustOK(f), "createGuide.id")
	partnershipID := apptest.Str(f, s.Do(f, admin, `mutation($in: CreatePartnershipInput!) { createPartnership(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"healthSystemId": health.ID.String(), "legalAidId": legalAid.ID.String(),
			"categories": []string{"HOUSING"}, "serviceAreas": []string{"CA"}}}).MustOK(f), "createPartnership.id")

	// Text fields take a and b; the fields with a format (emails, codes,
	// areas, slugs, languages) take a valid value, or b when n is a
	// multiple of 3, so that both kinds are fuzzed.
	var seq atomic.Int64
	unique := func(prefix string) string { return fmt.Sprintf("%s%d", prefix, seq.Add(1)) }
	pick := func(n int, valid, fuzzed string) string {
		if n%3 == 0 {
			return fuzzed
		}
		return valid
	}
	guideVersion := 1
	cases := []inputCase{
		{"RegisterInput", "", `mutation($in: RegisterInput!) { register(input: $in) { user { email displayName } } }`,
			func(a, b string, n int) map[string]any {
				return map[string]any{"in": map[string]any{"email": pick(n, unique("fuzz")+"@example.org", a), "password": b + "-long-enough-pw",
					"displayName": a, "preferredLanguage": pick(n, "es", b)}}
			}, map[string]int{"register.user.email": 254, "register.user.displayName": 100}},
		{"UpdateMyProfileInput", patient, `mutation($in: UpdateMyProfileInput!) { updateMyProfile(input: $in) { displayName preferredLanguage } }`,
			func(a, b string, n int) map[string]any {
				return map[string]any{"in": map[string]any{"displayName": a, "preferredLanguage": pick(n, "en", b)}}
			}, map[string]int{"updateMyProfile.displayName": 100}},
		{"SafeContactInput", patient, `mutation($in: UpdateMyProfileInput!) { updateMyProfile(input: $in) { safeContact { note safeHoursStart safeHoursEnd } } }`,
			func(a, b string, n int) map[string]any {
				return map[string]any{"in": map[string]any{"safeContact": map[string]any{"channels": []string{"APP"},
					"safeHoursStart": pick(n, "09:00", a), "safeHoursEnd": pick(n, "17:30", b), "voicemailOk": n%2 == 0, "note": a}}}
			}, map[string]int{"updateMyProfile.safeContact.note": 500}},
		{"CreateStaffUserInput", admin, `mutation($in: CreateStaffUserInput!) { createStaffUser(input: $in) { email displayName } }`,
			func(a, b string, n int) map[string]any {
				return map[string]any{"in": map[string]any{"email": pick(n, unique("staff")+"@example.org", b), "password": a + "-long-enough-pw",
					"displayName": b, "role": "ADVOCATE", "organizationId": legalAid.ID.String()}}
			}, map[string]int{"createStaffUser.displayName": 100}},
		{"CreateOrganizationInput", admin, `mutation($in: CreateOrganizationInput!) { createOrganization(input: $in) { name phone website serviceAreas } }`,
			func(a, b string, n int) map[string]any {
				return map[string]any{"in": map[string]any{"name": a, "kind": "HEALTH_SYSTEM", "serviceAreas": []string{pick(n, "OR", b)},
					"phone": pick(n, "+1 555 0100", b), "website": pick(n, "https://example.org", a)}}
			}, map[string]int{"createOrganization.name": 0}},
		{"UpdateOrganizationInput", admin, `mutation($in: UpdateOrganizationInput!) { updateOrganization(input: $in) { name phone website } }`,
			func(a, b string, n int) map[string]any {
				return map[string]any{"in": map[string]any{"id": health.ID.String(), "name": b, "phone": pick(n, "", a), "website": pick(n, "", b)}}
			}, map[string]int{"updateOrganization.name": 0}},
		{"RequestLegalHelpInput", patient, `mutation($in: RequestLegalHelpInput!) { requestLegalHelp(input: $in) { description jurisdiction } }`,
			func(a, b string, n int) map[string]any {
				return map[string]any{"in": map[string]any{"idempotencyKey": pick(n, unique("key"), a), "category": "HOUSING", "description": b,
					"jurisdiction": "CA", "consentToShare": true, "householdSize": n, "monthlyIncomeCents": n, "zipCode": pick(n, "90012", a)}}
			}, map[string]int{"requestLegalHelp.description": 5000}},
		{"UpdateCaseStatusInput", advocate, `mutation($in: UpdateCaseStatusInput!) { updateCaseStatus(input: $in) { status } }`,
			func(a, b string, n int) map[string]any {
				return map[string]any{"in": map[string]any{"caseId": pick(n, caseID, a), "status": "RECEIVED", "note": b}}
			}, nil},
		{"CaseOutcomeInput", advocate, `mutation($in: CaseOutcomeInput!) { recordCaseOutcome(input: $in) { status } }`,
			func(a, b string, n int) map[string]any {
				return map[string]any{"in": map[string]any{"caseId": pick(n, caseID, a), "code": "OTHER", "benefitAmountCents": n, "notes": b}}
			}, nil},
		{"CaseQueueFilter", advocate, `query($f: CaseQueueFilter, $after: String) { caseQueue(filter: $f, first: 5, after: $after) { totalCount } }`,
			func(a, b string, n int) map[string]any {
				return map[string]any{"f": map[string]any{"status": []string{"SUBMITTED"}, "urgentOnly": n%2 == 0, "assignedToMe": n%5 == 0}, "after": pick(n, "", a)}
			}, nil},
		{"GuideFilter", "", `query($f: GuideFilter, $after: String) { guides(filter: $f, first: 5, after: $after) { edges { node { title } } } }`,
			func(a, b string, n int) map[string]any {
				return map[string]any{"f": map[string]any{"jurisdiction": pick(n, "CA", b), "locale": pick(n, "en", b), "search": a}, "after": pick(n, "", b)}
			}, nil},
		{"GuideInput", editor, `mutation($in: GuideInput!) { createGuide(input: $in) { slug title summary body jurisdictions } }`,
			func(a, b string, n int) map[string]any {
				return map[string]any{"in": map[string]any{"slug": pick(n, unique("fuzz-guide-"), a), "locale": pick(n, "en", b), "title": a, "summary": b,
					"body": a + "\n\n" + b, "category": "HOUSING", "jurisdictions": []string{pick(n, "CA", b)}}}
			}, map[string]int{"createGuide.title": 0, "createGuide.summary": 0, "createGuide.body": 0}},
		{"GuidePatch", editor, `mutation($id: ID!, $p: GuidePatch!, $v: Int!) { updateGuide(id: $id, patch: $p, expectedVersion: $v) { title summary body version } }`,
			func(a, b string, n int) map[string]any {
				return map[string]any{"id": guideID, "p": map[string]any{"title": b, "summary": a, "body": b,
					"jurisdictions": []string{pick(n, "US", a)}}, "v": guideVersion}
			}, map[string]int{"updateGuide.title": 0, "updateGuide.summary": 0, "updateGuide.body": 0}},
		{"CreatePartnershipInput", admin, `mutation($in: CreatePartnershipInput!) { createPartnership(input: $in) { serviceAreas } }`,
			func(a, b string, n int) map[string]any {
				return map[string]any{"in": map[string]any{"healthSystemId": pick(n, health.ID.String(), a), "legalAidId": legalAid.ID.String(),
					"categories": []string{"HOUSING"}, "serviceAreas": []string{b}}}
			}, nil},
		{"UpdatePartnershipInput", admin, `mutation($in: UpdatePartnershipInput!) { updatePartnership(input: $in) { serviceAreas } }`,
			func(a, b string, n int) map[string]any {
				return map[string]any{"in": map[string]any{"id": partnershipID, "serviceAreas": []string{pick(n, "CA", a), b}}}
			}, nil},
		{"ReferPatientInput+ScreeningAnswerInput", clinician, `mutation($in: ReferPatientInput!) { referPatient(input: $in) { patientLabel notes screening { note } } }`,
			func(a, b string, n int) map[string]any {
				return map[string]any{"in": map[string]any{"idempotencyKey": pick(n, unique("ref"), b), "patientLabel": a, "categories": []string{"HOUSING"},
					"screening": []map[string]any{{"domain": "INCOME", "positive": n%2 == 0, "note": b}}, "notes": a,
					"jurisdiction": pick(n, "CA", b)}}
			}, map[string]int{"referPatient.patientLabel": 0}},
		{"ClaimReferralInput", patient, `mutation($in: ClaimReferralInput!) { claimReferral(input: $in) { description } }`,
			func(a, b string, n int) map[string]any {
				return map[string]any{"in": map[string]any{"code": a, "description": b, "consentToShare": true,
					"shareStatusWithReferrer": n%2 == 0, "zipCode": pick(n, "90012", a)}}
			}, map[string]int{"claimReferral.description": 5000}},
	}
	f.Fuzz(func(t *testing.T, a, b string, n int) {
		n = int(int32(n)) // GraphQL's Int is 32 bits; bigger ones are refused before any service
		for _, c := range cases {
			start := time.Now()
			r := s.Do(t, c.token, c.doc, c.vars(a, b, n))
			what := c.name + " " + trim(a) + " / " + trim(b)
			answerOK(t, s, r, time.Since(start), what)
			for _, e := range r.Errors {
				if e.Extensions["code"] == string(models.EINVALID) && e.Extensions["field"] == nil {
					t.Fatalf("%s: BAD_USER_INPUT without a field: %s", what, r.Raw)
				}
			}
			if len(r.Errors) > 0 {
				continue
			}
			var data map[string]any
			if err := json.Unmarshal(r.Data, &data); err != nil {
				t.Fatal(err)
			}
			if c.name == "GuidePatch" {
				var v struct{ UpdateGuide struct{ Version int } }
				r.Decode(t, &v)
				guideVersion = v.UpdateGuide.Version
			}
			for path, max := range c.texts {
				for _, v := range at(data, strings.Split(path, ".")) {
					checkText(t, what+" "+path, v, max)
				}
			}
		}
	})
}

// at returns the strings at path in v (through lists too).
func at(v any, path []string) []string {
	if len(path) == 0 {
		if s, ok := v.(string); ok {
			return []string{s}
		}
		return nil
	}
	switch x := v.(type) {
	case map[string]any:
		return at(x[path[0]], path[1:])
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, at(e, path)...)
		}
		return out
	}
	return nil
}

func checkText(t *testing.T, what, v string, max int) {
	t.Helper()
	if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
		t.Fatalf("%s: accepted text PostgreSQL cannot hold as sent: %q", what, v)
	}
	if max > 0 {
		if strings.TrimSpace(v) == "" || strings.TrimSpace(v) != v || utf8.RuneCountInString(v) > max {
			t.Fatalf("%s: accepted %q (want 1 to %d characters, trimmed)", what, v, max)
		}
	}
}

func trim(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
