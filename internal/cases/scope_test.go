package cases_test

import (
	"testing"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/internal/auth"
	"mlp/internal/cases"
	"mlp/models"
)

// TestVisibleAgreesWithCanRead holds the case visibility scope (the SQL the
// lists and the compiled reads use) to canRead, for every role, own and
// other.
func TestVisibleAgreesWithCanRead(t *testing.T) {
	s := apptest.New(t)
	db := s.DB
	org := s.Org(t, models.OrgLegalAid, []string{"CA"})
	other := s.Org(t, models.OrgLegalAid, []string{"CA"})
	p, _ := s.User(t, models.RolePatient, nil)
	c := &models.Case{ID: uuid.Must(uuid.NewV7()), Reference: "MLP-2026-999999", PatientID: p.ID, IdempotencyKey: "k",
		Category: models.CategoryHousing, Description: "d", Status: models.CaseSubmitted, Jurisdiction: "CA", OrganizationID: &org.ID, Version: 1}
	if err := db.Create(c).Error; err != nil {
		t.Fatal(err)
	}
	principals := []*auth.Principal{
		{ID: p.ID, Role: models.RolePatient}, {ID: uuid.New(), Role: models.RolePatient},
		{ID: uuid.New(), Role: models.RoleAdvocate, OrganizationID: &org.ID}, {ID: uuid.New(), Role: models.RoleAdvocate, OrganizationID: &other.ID},
		{ID: uuid.New(), Role: models.RoleAdmin}, {ID: uuid.New(), Role: models.RoleClinician, OrganizationID: &org.ID},
		{ID: uuid.New(), Role: models.RoleEditor, OrganizationID: &org.ID},
	}
	for _, pr := range principals {
		cond, args := cases.Visible(pr, "c")
		var n int64
		if err := db.Table("cases c").Where("c.id = ?", c.ID).Where(cond, args...).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if want := cases.CanRead(pr, c); (n == 1) != want {
			t.Fatalf("%s: scope %v, canRead %v", pr.Role, n == 1, want)
		}
	}
}
