package app_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/models"
)

// TestBadDateIsBadUserInput checks that a Date argument that is not YYYY-MM-DD
// is BAD_USER_INPUT naming it, not an internal error.
func TestBadDateIsBadUserInput(t *testing.T) {
	s := apptest.New(t)
	t.Parallel()
	_, admin := s.User(t, models.RoleAdmin, nil)
	patient, tok := s.User(t, models.RolePatient, nil)
	for _, c := range []struct {
		token, doc string
		vars       map[string]any
		field      string
	}{
		{admin, `query($d: Date!) { partnershipReport(from: $d, to: "2026-01-31") { __typename } }`, map[string]any{"d": "nope"}, "from"},
		{admin, `{ partnershipReport(from: "2026-01-01", to: "2026-02-30") { __typename } }`, nil, "to"},
		{tok, `mutation($in: RequestLegalHelpInput!) { requestLegalHelp(input: $in) { id } }`, map[string]any{"in": map[string]any{
			"idempotencyKey": uuid.NewString(), "category": "HOUSING", "jurisdiction": "CA", "consentToShare": true,
			"description": "My landlord wants me out.", "deadline": "next week"}}, "input.deadline"},
	} {
		r := s.Do(t, c.token, c.doc, c.vars).MustCode(t, "BAD_USER_INPUT")
		if r.Field() != c.field || r.Errors[0].Message != "Write dates as YYYY-MM-DD." || len(r.Errors[0].Path) != 1 {
			t.Errorf("response %s", r.Raw)
		}
	}
	if n := count(t, s, &models.Case{}, "patient_id = ?", patient.ID); n != 0 {
		t.Errorf("%d cases stored", n)
	}
	if strings.Contains(s.LogText(), "internal error") {
		t.Errorf("internal errors logged: %s", s.LogText())
	}
}
