package compiled_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/internal/loadtest"
	"mlp/models"
)

// TestCompiledStatementCount shows that a compiled read is one statement
// besides the session check, for 5 cases and for 50, and that the same
// document through the resolvers takes more.
func TestCompiledStatementCount(t *testing.T) {
	s := apptest.New(t)
	org := s.Org(t, models.OrgLegalAid, []string{"CA"})
	adv, _ := s.User(t, models.RoleAdvocate, org)
	query := `query { myCases(first: 50) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node {
	  id reference status category urgent fhirTaskStatus deadline createdAt
	  organization { id name } assignedAdvocate { id displayName organization { name } } outcome { code notes }
	  timeline(first: 10) { totalCount edges { node { id kind toStatus message createdAt } } } } } } }`
	for _, n := range []int{5, 50} {
		t.Run(fmt.Sprint(n, "Cases"), func(t *testing.T) {
			p, tok := s.User(t, models.RolePatient, nil)
			for i := range n {
				c := &models.Case{ID: uuid.Must(uuid.NewV7()), Reference: fmt.Sprintf("MLP-2026-%06d", n*100+i), PatientID: p.ID,
					IdempotencyKey: uuid.NewString(), Category: models.CategoryHousing, Description: "d", Status: models.CaseResolved,
					Jurisdiction: "CA", OrganizationID: &org.ID, AssignedAdvocateID: &adv.ID, Version: 1}
				if err := s.DB.Create(c).Error; err != nil {
					t.Fatal(err)
				}
				for k := range 3 {
					msg := "m"
					if err := s.DB.Create(&models.CaseEvent{ID: uuid.Must(uuid.NewV7()), CaseID: c.ID, Kind: models.EventMessage,
						Message: &msg, VisibleToPatient: true, CreatedAt: time.Now().Add(time.Duration(k) * time.Second)}).Error; err != nil {
						t.Fatal(err)
					}
				}
				if err := s.DB.Create(&models.CaseOutcome{CaseID: c.ID, Code: models.OutcomeOther, RecordedAt: time.Now()}).Error; err != nil {
					t.Fatal(err)
				}
			}
			for _, q := range []string{query, loadtest.Query} {
				r, stmts := s.DoCounted(t, tok, q, nil)
				r.MustOK(t)
				if got := len(apptest.Str(t, r, "myCases.edges.0.node.id")); got == 0 {
					t.Fatalf("no cases in %s", r.Raw)
				}
				if stmts != 2 {
					t.Fatalf("%d cases: %d statements, want 2 (the session check and the compiled read)", n, stmts)
				}
			}
		})
	}
}
