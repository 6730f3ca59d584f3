package routingtest

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/models"
)

const createPartnershipDoc = `mutation($in: CreatePartnershipInput!) { createPartnership(input: $in) {
	id active version categories serviceAreas healthSystem { id } legalAid { id serviceAreas } } }`

// waitRouted waits until the outbox's route-waiting job has routed case id
// and returns the organization it went to.
func waitRouted(t *testing.T, s *apptest.Server, id string) uuid.UUID {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var c models.Case
		if err := s.DB.Take(&c, "id = ?", id).Error; err != nil {
			t.Fatal(err)
		}
		if c.OrganizationID != nil {
			return *c.OrganizationID
		}
		if time.Now().After(deadline) {
			t.Fatal("the waiting case was not routed within 15 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitingCase opens a housing case that no partner can take yet.
func waitingCase(t *testing.T, s *apptest.Server, tok, state, zip, why string) string {
	t.Helper()
	req := map[string]any{"idempotencyKey": uuid.NewString(), "category": "HOUSING", "description": "Help.",
		"jurisdiction": state, "consentToShare": true, "zipCode": zip}
	var got struct{ RequestLegalHelp caseJSON }
	s.Do(t, tok, requestDoc, map[string]any{"in": req}).Decode(t, &got)
	c := got.RequestLegalHelp
	if c.Organization != nil || !strings.Contains(c.Timeline.Edges[0].Node.Message, why) {
		t.Fatalf("want a waiting case (%q), got %+v", why, c)
	}
	return c.ID
}

// routedEvent returns the ROUTED event the patient sees on case id.
func routedEvent(t *testing.T, s *apptest.Server, tok, id string) string {
	t.Helper()
	var got struct {
		Case struct {
			Timeline struct {
				Edges []struct {
					Node struct{ Kind, Message string }
				}
			}
		}
	}
	s.Do(t, tok, caseDoc, map[string]any{"id": id}).Decode(t, &got)
	for _, e := range got.Case.Timeline.Edges {
		if e.Node.Kind == "ROUTED" {
			return e.Node.Message
		}
	}
	t.Fatalf("no ROUTED event the patient sees: %+v", got.Case.Timeline.Edges)
	return ""
}

func TestWaitingCasesAreRouted(t *testing.T) {
	s := apptest.New(t, apptest.WithWorkers())
	_, adminTok := s.User(t, models.RoleAdmin, nil)

	t.Run("WhenAPartnershipStarts", func(t *testing.T) {
		// Phoenix (Maricopa County, 04013): the only housing partner of
		// Arizona serves Pima County (04019).
		la := newOrg(t, s, models.OrgLegalAid, []string{"04019"}, housing)
		hs := newOrg(t, s, models.OrgHealthSystem, []string{"AZ"})
		_, tok := s.User(t, models.RolePatient, nil)
		id := waitingCase(t, s, tok, "AZ", "85004", "none of our legal aid partners takes this kind of case")

		var got struct {
			CreatePartnership struct {
				Active   bool
				LegalAid struct{ ServiceAreas []string }
			}
		}
		r := s.Do(t, adminTok, createPartnershipDoc, map[string]any{"in": map[string]any{
			"healthSystemId": hs.ID.String(), "legalAidId": la.ID.String(), "categories": []string{"HOUSING"}, "serviceAreas": []string{"04013"}}})
		r.Decode(t, &got)
		if !got.CreatePartnership.Active || strings.Join(got.CreatePartnership.LegalAid.ServiceAreas, ",") != "04019,04013" {
			t.Fatalf("createPartnership = %+v", got.CreatePartnership)
		}
		if org := waitRouted(t, s, id); org != la.ID {
			t.Fatalf("routed to %s, want the new partner", org)
		}
		if msg := routedEvent(t, s, tok, id); !strings.Contains(msg, "can take your request") {
			t.Fatalf("ROUTED note %q", msg)
		}
	})

	t.Run("WhenCapacityOpens", func(t *testing.T) {
		// Albuquerque (Bernalillo County): New Mexico's partner is full.
		la := newOrg(t, s, models.OrgLegalAid, []string{"NM"}, housing)
		capacity(t, s, la, housing, models.CapacityNotAccepting, 0)
		_, advTok := s.User(t, models.RoleAdvocate, la)
		_, tok := s.User(t, models.RolePatient, nil)
		id := waitingCase(t, s, tok, "NM", "87102", "cannot take new cases right now")
		s.Do(t, advTok, `mutation($org: ID!) { setCapacity(organizationId: $org, category: HOUSING, status: WAITLIST, waitDays: 21) {
			id capacity { category status waitDays } } }`, map[string]any{"org": la.ID.String()}).MustOK(t)
		if org := waitRouted(t, s, id); org != la.ID {
			t.Fatalf("routed to %s", org)
		}
		if msg := routedEvent(t, s, tok, id); !strings.Contains(msg, "about 21 days") {
			t.Fatalf("ROUTED note %q does not tell the wait", msg)
		}
	})
}
