package cases_test

import (
	"testing"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/models"
)

const requestMutation = `mutation($in: RequestLegalHelpInput!) {
  requestLegalHelp(input: $in) {
    id reference status fhirTaskStatus urgent version
    patient { id } organization { id }

  }
}`

type caseJSON struct {
	ID             string
	Reference      string
	Status         string
	FhirTaskStatus string
	Urgent         bool
	Version        int
	Patient        struct{ ID string }
	Organization   *struct{ ID string }
	Timeline       struct {
		Edges []struct {
			Node struct {
				Kind, ToStatus, Message, ActorRole string
				VisibleToPatient                   bool
			}
		}
		TotalCount int
	}
}

func requestInput(state string, cat models.LegalCategory) map[string]any {
	return map[string]any{
		"idempotencyKey": uuid.NewString(),
		"category":       string(cat),
		"description":    "My landlord wants me out by next week.",
		"jurisdiction":   state,
		"consentToShare": true,
	}
}

func TestRequestLegalHelpOpensCase(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	state := freeState(t)
	org := s.Org(t, models.OrgLegalAid, []string{state}, models.CategoryHousing)
	patient, tok := s.User(t, models.RolePatient, nil)

	var got struct{ RequestLegalHelp caseJSON }
	s.Do(t, tok, requestMutation, map[string]any{"in": requestInput(state, models.CategoryHousing)}).Decode(t, &got)
	c := got.RequestLegalHelp
	if c.Status != "SUBMITTED" || c.FhirTaskStatus != "requested" || c.Version != 1 || c.Patient.ID != patient.ID.String() {
		t.Fatalf("case = %+v", c)
	}
	if c.Organization == nil || c.Organization.ID != org.ID.String() {
		t.Fatalf("routed to %+v, want %s", c.Organization, org.ID)
	}
	var consents int64
	s.DB.Model(&models.Consent{}).Where("case_id = ? AND scope = ?", c.ID, models.ConsentShareWithLegalPartner).Count(&consents)
	if consents != 1 {
		t.Fatalf("consents = %d", consents)
	}
}
