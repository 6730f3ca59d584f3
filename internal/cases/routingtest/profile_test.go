package routingtest

import (
	"testing"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/models"
)

const profileDoc = `mutation($hs: ID) { updateMyProfile(input: {healthSystemId: $hs}) { id healthSystem { id } } }`

// TestChosenHealthSystemRoutes: a patient picks their health system from the
// public healthSystems list with updateMyProfile; their next request goes to
// its partner first.
func TestChosenHealthSystemRoutes(t *testing.T) {
	s := apptest.New(t)
	w := newWorld(t, s)
	_, tok := s.User(t, models.RolePatient, nil)

	var list struct{ HealthSystems []struct{ ID uuid.UUID } }
	s.Do(t, "", `{ healthSystems { id name kind } }`, nil).Decode(t, &list)
	found := false
	for _, h := range list.HealthSystems {
		found = found || h.ID == w.soCal.ID
	}
	if !found {
		t.Fatal("healthSystems (anonymous) lacks the health system")
	}

	t.Run("Refused", func(t *testing.T) {
		for name, id := range map[string]string{"LegalAid": w.laAid.ID.String(), "Unknown": uuid.NewString(), "Malformed": "x"} {
			r := s.Do(t, tok, profileDoc, map[string]any{"hs": id}).MustCode(t, "BAD_USER_INPUT")
			if r.Field() != "input.healthSystemId" {
				t.Fatalf("%s: field %q", name, r.Field())
			}
		}
		_, ctok := s.User(t, models.RoleClinician, w.soCal)
		s.Do(t, ctok, profileDoc, map[string]any{"hs": w.soCal.ID.String()}).MustCode(t, "BAD_USER_INPUT")
	})

	var got struct {
		UpdateMyProfile struct{ HealthSystem *struct{ ID uuid.UUID } }
	}
	s.Do(t, tok, profileDoc, map[string]any{"hs": w.soCal.ID.String()}).Decode(t, &got)
	if got.UpdateMyProfile.HealthSystem == nil || got.UpdateMyProfile.HealthSystem.ID != w.soCal.ID {
		t.Fatalf("healthSystem = %+v", got.UpdateMyProfile.HealthSystem)
	}
	req := map[string]any{"idempotencyKey": uuid.NewString(), "category": "HOUSING", "description": "Help.",
		"jurisdiction": "CA", "consentToShare": true, "zipCode": zipLosAngeles}
	var c struct{ RequestLegalHelp caseJSON }
	s.Do(t, tok, requestDoc, map[string]any{"in": req}).Decode(t, &c)
	if got := w.name(c.RequestLegalHelp.org()); got != "laAid" {
		t.Fatalf("routed to %s, want the chosen health system's partner laAid (statewide without it)", got)
	}
	s.Do(t, tok, withdrawDoc, map[string]any{"id": c.RequestLegalHelp.ID}).MustOK(t)

	t.Run("Cleared", func(t *testing.T) {
		var got struct {
			UpdateMyProfile struct{ HealthSystem *struct{ ID uuid.UUID } }
		}
		s.Do(t, tok, profileDoc, map[string]any{"hs": ""}).Decode(t, &got)
		if got.UpdateMyProfile.HealthSystem != nil {
			t.Fatal("not cleared")
		}
	})
}
