package routingtest

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/internal/live"
	"mlp/models"
)

const (
	transferDoc = `mutation($id: ID!, $org: ID!, $why: String!) { transferCase(caseId: $id, organizationId: $org, reason: $why) {
		id status version organization { id } assignedAdvocate { id } } }`
	caseDoc       = `query($id: ID!) { case(id: $id) { id organization { id } timeline(first: 50) { edges { node { kind message visibleToPatient } } } } }`
	caseEventsDoc = `subscription($id: ID!) { caseEvents(caseId: $id) { id kind message } }`
)

// transferWorld: in Washington, from serves the state, to serves King County
// (53033), where the case is, full takes the case's category but is not
// accepting it, and farAway serves only Spokane County (53063).
type transferWorld struct {
	from, to, full, farAway *models.Organization
	patient                 *models.User
	patientTok              string
	fromTok, toTok, farTok  string
	clinicianTok, adminTok  string
	fromAdvocate            *models.User
}

func newTransferWorld(t *testing.T, s *apptest.Server) *transferWorld {
	t.Helper()
	w := &transferWorld{}
	w.from = newOrg(t, s, models.OrgLegalAid, []string{"WA"}, housing)
	w.to = newOrg(t, s, models.OrgLegalAid, []string{"53033"}, housing)
	w.full = newOrg(t, s, models.OrgLegalAid, []string{"WA"}, housing)
	capacity(t, s, w.full, housing, models.CapacityNotAccepting, 0)
	w.farAway = newOrg(t, s, models.OrgLegalAid, []string{"53063"}, housing)
	hs := newOrg(t, s, models.OrgHealthSystem, []string{"WA"})
	// The patient's health system's partner is from, so that every case of
	// the test starts there.
	partner(t, s, hs, w.from, []string{"WA"}, housing)
	w.patient, w.patientTok = s.User(t, models.RolePatient, nil)
	if err := s.DB.Model(w.patient).Update("health_system_id", hs.ID).Error; err != nil {
		t.Fatal(err)
	}
	w.fromAdvocate, w.fromTok = s.User(t, models.RoleAdvocate, w.from)
	_, w.toTok = s.User(t, models.RoleAdvocate, w.to)
	_, w.farTok = s.User(t, models.RoleAdvocate, w.farAway)
	_, w.clinicianTok = s.User(t, models.RoleClinician, hs)
	_, w.adminTok = s.User(t, models.RoleAdmin, nil)
	return w
}

// request opens a King County housing case of w's patient, routed to from
// (the partner of the patient's health system), assigned and received.
func (w *transferWorld) request(t *testing.T, s *apptest.Server) string {
	t.Helper()
	req := map[string]any{"idempotencyKey": uuid.NewString(), "category": "HOUSING", "description": "Help.",
		"jurisdiction": "WA", "consentToShare": true, "zipCode": "98104"} // Seattle, King County
	var got struct{ RequestLegalHelp caseJSON }
	s.Do(t, w.patientTok, requestDoc, map[string]any{"in": req}).Decode(t, &got)
	c := got.RequestLegalHelp
	if c.Organization == nil || c.Organization.ID != w.from.ID {
		t.Fatalf("the case went to %v, want from", c.Organization)
	}
	s.Do(t, w.fromTok, `mutation($id: ID!) { updateCaseStatus(input: {caseId: $id, status: RECEIVED}) { id } }`,
		map[string]any{"id": c.ID}).MustOK(t)
	s.Do(t, w.fromTok, `mutation($id: ID!, $a: ID!) { assignCase(caseId: $id, advocateId: $a) { id } }`,
		map[string]any{"id": c.ID, "a": w.fromAdvocate.ID.String()}).MustOK(t)
	return c.ID
}

func transfer(t *testing.T, s *apptest.Server, tok, caseID string, org uuid.UUID) *apptest.Response {
	t.Helper()
	return s.Do(t, tok, transferDoc, map[string]any{"id": caseID, "org": org.String(), "why": "Conflict of interest: we represent the landlord."})
}

// snapshot is what a refused transfer must leave as it was.
func snapshot(t *testing.T, s *apptest.Server, id string) string {
	t.Helper()
	var c models.Case
	if err := s.DB.Take(&c, "id = ?", id).Error; err != nil {
		t.Fatal(err)
	}
	var events, audits int64
	s.DB.Model(&models.CaseEvent{}).Where("case_id = ?", id).Count(&events)
	s.DB.Model(&models.AuditEntry{}).Where("entity_id = ? AND action <> 'READ'", id).Count(&audits)
	return strings.Join([]string{string(c.Status), c.OrganizationID.String(), c.AssignedAdvocateID.String(),
		uuid.NewSHA1(uuid.Nil, []byte{byte(c.Version), byte(events), byte(audits)}).String()}, "|")
}

func TestTransferCase(t *testing.T) {
	s := apptest.New(t)
	w := newTransferWorld(t, s)

	t.Run("Refused", func(t *testing.T) {
		id := w.request(t, s)
		for _, tc := range []struct {
			name, tok string
			org       uuid.UUID
			code      string
			field     string
		}{
			{"PatientForbidden", w.patientTok, w.to.ID, "FORBIDDEN", ""},
			{"ClinicianForbidden", w.clinicianTok, w.to.ID, "FORBIDDEN", ""},
			{"AdvocateOfTheTargetNotFound", w.toTok, w.to.ID, "NOT_FOUND", ""},
			{"AdvocateOfAnotherOrganizationNotFound", w.farTok, w.to.ID, "NOT_FOUND", ""},
			{"TargetDoesNotServeTheCounty", w.fromTok, w.farAway.ID, "BAD_USER_INPUT", "organizationId"},
			{"TargetNotAccepting", w.fromTok, w.full.ID, "BAD_USER_INPUT", "organizationId"},
			{"TargetIsTheCasesOwn", w.fromTok, w.from.ID, "BAD_USER_INPUT", "organizationId"},
			{"TargetUnknown", w.fromTok, uuid.New(), "BAD_USER_INPUT", "organizationId"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := snapshot(t, s, id)
				r := transfer(t, s, tc.tok, id, tc.org).MustCode(t, tc.code)
				if r.Field() != tc.field {
					t.Fatalf("field = %q, want %q", r.Field(), tc.field)
				}
				if after := snapshot(t, s, id); after != before {
					t.Fatalf("a refused transfer changed the case: %s -> %s", before, after)
				}
			})
		}
		t.Run("BlankReason", func(t *testing.T) {
			r := s.Do(t, w.fromTok, transferDoc, map[string]any{"id": id, "org": w.to.ID.String(), "why": "  "}).MustCode(t, "BAD_USER_INPUT")
			if r.Field() != "reason" {
				t.Fatalf("field = %q", r.Field())
			}
		})
		t.Run("ConsentRevoked", func(t *testing.T) {
			other := w.request(t, s)
			// revokeConsent refuses while the case is open (withdraw it
			// instead); a consent revoked another way still stops a transfer.
			if err := s.DB.Exec(`UPDATE consents SET revoked_at = now() WHERE case_id = ? AND scope = 'SHARE_WITH_LEGAL_PARTNER'`, other).Error; err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, s, other)
			transfer(t, s, w.fromTok, other, w.to.ID).MustCode(t, "CONFLICT")
			if snapshot(t, s, other) != before {
				t.Fatal("a refused transfer changed the case")
			}
		})
	})

	t.Run("OK", func(t *testing.T) {
		id := w.request(t, s)
		cid := uuid.MustParse(id)
		// The old organization's advocate watches the case.
		already := s.App.Listener.Hub().Established(live.CaseTopic(cid))
		sub := s.Dial(t, w.fromTok).Subscribe(t, caseEventsDoc, map[string]any{"id": id})
		s.WaitSubscribers(t, live.CaseTopic(cid), already+1)
		before := countAudit(t, s, cid)

		var got struct {
			TransferCase struct {
				Status           string
				Version          int
				Organization     struct{ ID uuid.UUID }
				AssignedAdvocate *struct{ ID string }
			}
		}
		transfer(t, s, w.fromTok, id, w.to.ID).Decode(t, &got)
		tc := got.TransferCase
		if tc.Status != "SUBMITTED" || tc.Organization.ID != w.to.ID || tc.AssignedAdvocate != nil {
			t.Fatalf("after the transfer: %+v", tc)
		}
		if n := countAudit(t, s, cid); n != before+1 {
			t.Fatalf("%d audit entries of the change, want 1", n-before)
		}
		var actor struct {
			ActorID   uuid.UUID
			ActorRole string
		}
		s.DB.Raw(`SELECT actor_id, actor_role FROM audit_entries WHERE entity_id = ? AND action = 'UPDATE' ORDER BY at DESC, id DESC LIMIT 1`, cid).Scan(&actor)
		if actor.ActorID != w.fromAdvocate.ID || actor.ActorRole != "ADVOCATE" {
			t.Fatalf("audit actor %+v", actor)
		}

		// The old organization's subscription ends at the transfer.
		for {
			r := sub.Next(t)
			if r == nil {
				break
			}
			if strings.Contains(r.Raw, "TRANSFERRED") {
				t.Fatalf("the old organization received the transfer event: %s", r.Raw)
			}
		}
		// The old organization loses the case on its next request; the new one sees it.
		s.Do(t, w.fromTok, caseDoc, map[string]any{"id": id}).MustCode(t, "NOT_FOUND")
		s.Do(t, w.fromTok, transferDoc, map[string]any{"id": id, "org": w.from.ID.String(), "why": "Take it back."}).MustCode(t, "NOT_FOUND")
		s.Do(t, w.toTok, caseDoc, map[string]any{"id": id}).MustOK(t)
		if r := s.Do(t, w.toTok, `{ caseQueue(first: 100) { edges { node { id } } } }`, nil).MustOK(t); !strings.Contains(r.Raw, id) {
			t.Fatalf("the new partner's queue lacks the case: %s", r.Raw)
		}

		// The patient is told in plain words; the reason stays internal.
		var pc struct {
			Case struct {
				Timeline struct {
					Edges []struct {
						Node struct{ Kind, Message string }
					}
				}
			}
		}
		s.Do(t, w.patientTok, caseDoc, map[string]any{"id": id}).Decode(t, &pc)
		last := pc.Case.Timeline.Edges[len(pc.Case.Timeline.Edges)-1].Node
		if last.Kind != "TRANSFERRED" || !strings.Contains(last.Message, "passed your request") {
			t.Fatalf("the patient's last event: %+v", last)
		}
		for _, e := range pc.Case.Timeline.Edges {
			if strings.Contains(e.Node.Message, "Conflict of interest") {
				t.Fatal("the patient sees the transfer's reason")
			}
		}
		// ... and notified, without the reason or any partner's name.
		var pn struct {
			MyNotifications struct {
				Edges []struct {
					Node struct{ Kind, Body, CaseID string }
				}
			}
		}
		s.Do(t, w.patientTok, `{ myNotifications(first: 100) { edges { node { kind body caseId } } } }`, nil).Decode(t, &pn)
		told := false
		for _, e := range pn.MyNotifications.Edges {
			n := e.Node
			if n.CaseID == id && strings.Contains(n.Body, "passed to another legal aid partner") {
				told = true
				if n.Kind != "CASE_STATUS_CHANGED" || strings.Contains(n.Body, "Conflict of interest") || strings.Contains(n.Body, w.to.Name) {
					t.Fatalf("the patient's transfer notification: %+v", n)
				}
			}
		}
		if !told {
			t.Fatalf("the patient was not notified of the transfer: %+v", pn)
		}
		var staff struct {
			Case struct {
				Timeline struct {
					Edges []struct {
						Node struct {
							Kind, Message    string
							VisibleToPatient bool
						}
					}
				}
			}
		}
		s.Do(t, w.toTok, caseDoc, map[string]any{"id": id}).Decode(t, &staff)
		found := false
		for _, e := range staff.Case.Timeline.Edges {
			found = found || (e.Node.Kind == "MESSAGE" && !e.Node.VisibleToPatient && strings.Contains(e.Node.Message, "Conflict of interest"))
		}
		if !found {
			t.Fatal("the new partner does not see the reason")
		}
	})

	t.Run("AdminMayTransfer", func(t *testing.T) {
		id := w.request(t, s)
		transfer(t, s, w.adminTok, id, w.to.ID).MustOK(t)
	})
}

func countAudit(t *testing.T, s *apptest.Server, id uuid.UUID) int64 {
	t.Helper()
	var n int64
	s.DB.Model(&models.AuditEntry{}).Where("entity_id = ? AND action = 'UPDATE'", id).Count(&n)
	return n
}
