package cases_test

import (
	"testing"

	"mlp/internal/apptest"
	"mlp/models"
)

// nestedCasesQuery is the patient app's home screen: cases with their people,
// partner and first events.
const nestedCasesQuery = `query($first: Int) { myCases(first: $first) { totalCount edges { node {
  id reference status fhirTaskStatus urgent
  patient { id displayName } organization { id name } assignedAdvocate { id displayName }
  outcome { code }
  timeline(first: 10) { totalCount edges { node { id kind message createdAt } } }
} } } }`

// TestNestedQueryStatementCount shows that the dataloaders keep the nested
// query at a fixed number of statements: the same for 5 cases and for 50.
func TestNestedQueryStatementCount(t *testing.T) {
	s := apptest.New(t)
	t.Parallel() // after New: dbtest.Open is not safe for concurrent first use
	count := func(n int) int64 {
		org := s.Org(t, models.OrgLegalAid, []string{"CA"})
		adv, _ := s.User(t, models.RoleAdvocate, org)
		patient, tok := s.User(t, models.RolePatient, nil)
		for i := range n {
			c := insertCase(t, s, patient, org, models.CaseInProgress, assignedTo(adv))
			if i%2 == 0 {
				addMessage(t, s, tok, c, "Hello.", nil).MustOK(t)
			}
		}
		r, stmts := s.DoCounted(t, tok, nestedCasesQuery, map[string]any{"first": n})
		var got struct {
			MyCases struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						AssignedAdvocate struct{ ID string }
						Timeline         struct{ TotalCount int }
					}
				}
			}
		}
		if len(r.Errors) > 0 {
			t.Log(s.LogText())
		}
		r.Decode(t, &got)
		if got.MyCases.TotalCount != n || len(got.MyCases.Edges) != n || got.MyCases.Edges[0].Node.AssignedAdvocate.ID != adv.ID.String() {
			t.Fatalf("%d cases: got %+v", n, got.MyCases)
		}
		return stmts
	}
	five, fifty := count(5), count(50)
	t.Logf("statements: %d for 5 cases, %d for 50", five, fifty)
	if five != fifty {
		t.Fatalf("statements grow with the list: %d for 5 cases, %d for 50", five, fifty)
	}
}
