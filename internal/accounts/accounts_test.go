package accounts_test

import (
	"testing"

	"mlp/internal/apptest"
	"mlp/models"
)

func TestLegalPartners(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	or := s.Org(t, models.OrgLegalAid, []string{"OR"}, models.CategoryHousing)
	s.Org(t, models.OrgHealthSystem, []string{"OR"})

	t.Run("ByState", func(t *testing.T) {
		var got struct {
			LegalPartners []struct{ ID, Name string }
		}
		s.Do(t, "", `query($s: String){ legalPartners(serviceArea: $s) { id name } }`, map[string]any{"s": "OR"}).Decode(t, &got)
		found := false
		for _, o := range got.LegalPartners {
			found = found || o.ID == or.ID.String()
		}
		if !found {
			t.Fatalf("legal partner %s not listed: %+v", or.ID, got)
		}
	})
	t.Run("BadState", func(t *testing.T) {
		r := s.Do(t, "", `{ legalPartners(serviceArea: "XX") { id } }`, nil).MustCode(t, "BAD_USER_INPUT")
		if r.Field() != "serviceArea" {
			t.Fatalf("field = %q", r.Field())
		}
	})
	t.Run("StaffOnlyForAdmin", func(t *testing.T) {
		_, tok := s.User(t, models.RoleClinician, s.Org(t, models.OrgHealthSystem, []string{"OR"}))
		s.Do(t, tok, `mutation { createStaffUser(input: {email: "a@b.test", password: "123456789012", displayName: "A", role: EDITOR}) { id } }`, nil).
			MustCode(t, "FORBIDDEN")
	})
}
