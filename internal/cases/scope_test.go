package cases_test

import (
	"testing"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/internal/auth"
	"mlp/internal/cases"
	"mlp/models"
)

// TestVisibleScope holds the case visibility scope (the one rule of who may
// read a case: the lists, the loaders, the locks and the compiled reads use
// it) to the contract's rule, for every role, own and other.
func TestVisibleScope(t *testing.T) {
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
	for _, tc := range []struct {
		name string
		p    *auth.Principal
		sees bool
	}{
		{"OwnPatient", &auth.Principal{ID: p.ID, Role: models.RolePatient}, true},
		{"OtherPatient", &auth.Principal{ID: uuid.New(), Role: models.RolePatient}, false},
		{"AdvocateOfItsOrganization", &auth.Principal{ID: uuid.New(), Role: models.RoleAdvocate, OrganizationID: &org.ID}, true},
		{"AdvocateOfAnother", &auth.Principal{ID: uuid.New(), Role: models.RoleAdvocate, OrganizationID: &other.ID}, false},
		{"AdvocateWithoutOrganization", &auth.Principal{ID: uuid.New(), Role: models.RoleAdvocate}, false},
		{"Admin", &auth.Principal{ID: uuid.New(), Role: models.RoleAdmin}, true},
		{"ClinicianOfItsOrganization", &auth.Principal{ID: uuid.New(), Role: models.RoleClinician, OrganizationID: &org.ID}, false},
		{"EditorOfItsOrganization", &auth.Principal{ID: uuid.New(), Role: models.RoleEditor, OrganizationID: &org.ID}, false},
		{"Anonymous", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := cases.Visible(tc.p, "c")
			var n int64
			if err := db.Table("cases c").Where("c.id = ?", c.ID).Where(v.SQL, v.Args...).Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			if (n == 1) != tc.sees {
				t.Fatalf("sees %v, want %v", n == 1, tc.sees)
			}
		})
	}
}
