package app_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/models"
)

const nulMessage = "Text cannot contain the NUL character (U+0000)."

// mustRefuseNUL checks that r refused a string holding U+0000 as
// BAD_USER_INPUT naming field, on the response path of the field alone.
func mustRefuseNUL(t *testing.T, r *apptest.Response, field string) {
	t.Helper()
	r.MustCode(t, "BAD_USER_INPUT")
	if r.Field() != field {
		t.Errorf("field = %q, want %q: %s", r.Field(), field, r.Raw)
	}
	if r.Errors[0].Message != nulMessage {
		t.Errorf("message = %q: %s", r.Errors[0].Message, r.Raw)
	}
	if len(r.Errors[0].Path) != 1 {
		t.Errorf("path = %v, want the field's own: %s", r.Errors[0].Path, r.Raw)
	}
}

func count(t *testing.T, s *apptest.Server, model any, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := s.DB.Model(model).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestNULIsRefusedAsBadUserInput checks that a string argument or input field
// holding U+0000, which PostgreSQL's text cannot store, is refused before any
// resolver runs: BAD_USER_INPUT naming the argument or input field, nothing
// stored, nothing logged as an internal error.
func TestNULIsRefusedAsBadUserInput(t *testing.T) {
	s := apptest.New(t)
	t.Parallel() // after New: dbtest.Open is not safe for concurrent first use
	// Runs after the subtests.
	t.Cleanup(func() {
		if strings.Contains(s.LogText(), "internal error") {
			t.Errorf("internal errors logged: %s", s.LogText())
		}
	})

	t.Run("Register", func(t *testing.T) {
		t.Parallel()
		const doc = `mutation($in: RegisterInput!) { register(input: $in) { accessToken } }`
		for _, field := range []string{"email", "password", "displayName", "preferredLanguage"} {
			email := freshEmail("nul")
			in := map[string]any{"email": email, "password": "a long enough passphrase", "displayName": "Pat"}
			in[field] = "Pat\x00" + field
			if field == "email" {
				in[field] = "nul\x00" + email
			}
			mustRefuseNUL(t, s.Do(t, "", doc, map[string]any{"in": in}), "input."+field)
			if n := count(t, s, &models.User{}, "email = ? OR email LIKE ?", email, "%"+email); n != 0 {
				t.Errorf("%s: %d users stored", field, n)
			}
		}
	})

	t.Run("RequestLegalHelp", func(t *testing.T) {
		t.Parallel()
		patient, tok := s.User(t, models.RolePatient, nil)
		in := map[string]any{
			"idempotencyKey": uuid.NewString(), "category": "HOUSING", "jurisdiction": "CA", "consentToShare": true,
			"description": "My landlord\x00 wants me out.",
		}
		mustRefuseNUL(t, s.Do(t, tok, `mutation($in: RequestLegalHelpInput!) { requestLegalHelp(input: $in) { id } }`,
			map[string]any{"in": in}), "input.description")
		// The same in a literal input object.
		mustRefuseNUL(t, s.Do(t, tok, `mutation { requestLegalHelp(input: {idempotencyKey: "k1", category: HOUSING,
			jurisdiction: "CA", consentToShare: true, description: "out\u0000"}) { id } }`, nil), "input.description")
		if n := count(t, s, &models.Case{}, "patient_id = ?", patient.ID); n != 0 {
			t.Errorf("%d cases stored", n)
		}
	})

	t.Run("GuidesSearch", func(t *testing.T) {
		t.Parallel()
		mustRefuseNUL(t, s.Do(t, "", `{ guides(filter: {search: "a\u0000b"}) { totalCount } }`, nil), "filter.search")
		// A variable in a literal input object.
		mustRefuseNUL(t, s.Do(t, "", `query($q: String) { guides(filter: {search: $q}) { totalCount } }`,
			map[string]any{"q": "a\x00b"}), "filter.search")
		mustRefuseNUL(t, s.Do(t, "", `query($f: GuideFilter) { guides(filter: $f) { totalCount } }`,
			map[string]any{"f": map[string]any{"locale": "e\x00n"}}), "filter.locale")
		mustRefuseNUL(t, s.Do(t, "", `query($slug: String!) { guide(slug: $slug) { id } }`,
			map[string]any{"slug": "\x00"}), "slug")
		s.Do(t, "", `{ guides(filter: {search: "a b"}) { totalCount } }`, nil).MustOK(t)
	})

	t.Run("CreateGuide", func(t *testing.T) {
		t.Parallel()
		editor, tok := s.User(t, models.RoleEditor, s.Org(t, models.OrgLegalAid, []string{"CA"}))
		const doc = `mutation($in: GuideInput!) { createGuide(input: $in) { id } }`
		for field, value := range map[string]any{
			"title":         "Shutoff\x00 notice",
			"slug":          "shutoff-\x00",
			"body":          "## Do this\x00",
			"jurisdictions": []string{"CA", "N\x00V"},
		} {
			in := map[string]any{"slug": "nul-" + uuid.NewString()[:8], "locale": "en", "title": "Help with a shutoff notice",
				"summary": "What to do when the power company says it will shut off your power.",
				"body":    "## What to do\n\nCall the company today.", "category": "UTILITIES", "jurisdictions": []string{"CA"}}
			in[field] = value
			want := "input." + field
			if field == "jurisdictions" {
				want = "input.jurisdictions[1]"
			}
			mustRefuseNUL(t, s.Do(t, tok, doc, map[string]any{"in": in}), want)
		}
		if n := count(t, s, &models.Guide{}, "author_id = ?", editor.ID); n != 0 {
			t.Errorf("%d guides stored", n)
		}
	})

	t.Run("NestedInputVariable", func(t *testing.T) {
		t.Parallel()
		clinician, tok := s.User(t, models.RoleClinician, s.Org(t, models.OrgHealthSystem, []string{"CA"}))
		in := map[string]any{
			"patientLabel": "J.", "categories": []string{"HOUSING"}, "jurisdiction": "CA",
			"screening": []map[string]any{
				{"domain": "INCOME", "positive": true, "note": "fine"},
				{"domain": "LEGAL_STATUS", "positive": true, "note": "visa\x00 expired"},
			},
		}
		mustRefuseNUL(t, s.Do(t, tok, `mutation($in: ReferPatientInput!) { referPatient(input: $in) { id } }`,
			map[string]any{"in": in}), "input.screening[1].note")
		if n := count(t, s, &models.Referral{}, "clinician_id = ?", clinician.ID); n != 0 {
			t.Errorf("%d referrals stored", n)
		}
	})

	t.Run("ID", func(t *testing.T) {
		t.Parallel()
		_, tok := s.User(t, models.RolePatient, nil)
		mustRefuseNUL(t, s.Do(t, tok, `query($id: ID!) { case(id: $id) { id } }`, map[string]any{"id": "a\x00b"}), "id")
		mustRefuseNUL(t, s.Do(t, tok, `mutation { markNotificationsRead(ids: ["`+uuid.NewString()+`", "\u0000"]) }`, nil), "ids[1]")
	})

	t.Run("Unauthenticated", func(t *testing.T) {
		t.Parallel()
		// Arguments are read before the role check, as for any invalid argument.
		mustRefuseNUL(t, s.Do(t, "", `mutation { addCaseMessage(caseId: "`+uuid.NewString()+`", body: "hi\u0000") { id } }`, nil), "body")
	})

	t.Run("Alias", func(t *testing.T) {
		t.Parallel()
		r := s.Do(t, "", `{ a: guides { totalCount } b: guides(filter: {search: "a\u0000"}) { totalCount } }`, nil)
		mustRefuseNUL(t, r, "filter.search")
		if len(r.Errors) != 1 || r.Errors[0].Path[0] != "b" {
			t.Errorf("response %s", r.Raw)
		}
	})
}
