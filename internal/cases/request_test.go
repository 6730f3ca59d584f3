package cases_test

import (
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/models"
)

const requestMutation = `mutation($in: RequestLegalHelpInput!) {
  requestLegalHelp(input: $in) {
    id reference status fhirTaskStatus urgent version jurisdiction description
    patient { id } organization { id }
    timeline { edges { node { kind toStatus message visibleToPatient actorRole } } totalCount }
  }
}`

type caseJSON struct {
	ID             string
	Reference      string
	Status         string
	FhirTaskStatus string
	Urgent         bool
	Version        int
	Jurisdiction   string
	Description    string
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

func request(t *testing.T, s *apptest.Server, tok string, in map[string]any) caseJSON {
	t.Helper()
	var got struct{ RequestLegalHelp caseJSON }
	s.Do(t, tok, requestMutation, map[string]any{"in": in}).Decode(t, &got)
	return got.RequestLegalHelp
}

var referencePattern = regexp.MustCompile(`^MLP-\d{4}-\d{6}$`)

func TestRequestLegalHelp(t *testing.T) {
	s := apptest.New(t)
	t.Parallel() // after New: dbtest.Open is not safe for concurrent first use

	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		state := freeState(t)
		org := s.Org(t, models.OrgLegalAid, []string{state}, models.CategoryHousing)
		patient, tok := s.User(t, models.RolePatient, nil)
		in := requestInput(strings.ToLower(state), models.CategoryHousing)
		in["deadline"] = time.Now().UTC().AddDate(0, 0, 3).Format("2006-01-02")
		in["householdSize"] = 3
		in["monthlyIncomeCents"] = 250000
		in["preferredContact"] = "SMS"
		c := request(t, s, tok, in)
		year := time.Now().UTC().Format("2006")
		if c.Status != "SUBMITTED" || c.FhirTaskStatus != "requested" || c.Version != 1 || !c.Urgent ||
			c.Patient.ID != patient.ID.String() || c.Jurisdiction != state || !strings.HasPrefix(c.Reference, "MLP-"+year+"-") ||
			!referencePattern.MatchString(c.Reference) {
			t.Fatalf("case = %+v", c)
		}
		if c.Organization == nil || c.Organization.ID != org.ID.String() {
			t.Fatalf("routed to %+v, want %s", c.Organization, org.ID)
		}
		if c.Timeline.TotalCount != 1 || c.Timeline.Edges[0].Node.Kind != "CREATED" || c.Timeline.Edges[0].Node.ActorRole != "PATIENT" ||
			!c.Timeline.Edges[0].Node.VisibleToPatient || !strings.Contains(c.Timeline.Edges[0].Node.Message, org.Name) {
			t.Fatalf("timeline = %+v", c.Timeline)
		}
		stored := reload(t, s, uuid.MustParse(c.ID))
		if *stored.HouseholdSize != 3 || *stored.MonthlyIncomeCents != 250000 || *stored.PreferredContact != models.ContactSMS {
			t.Fatalf("stored = %+v", stored)
		}
		var consent models.Consent
		if err := s.DB.Take(&consent, "case_id = ?", c.ID).Error; err != nil {
			t.Fatal(err)
		}
		if consent.Scope != models.ConsentShareWithLegalPartner || consent.PatientID != patient.ID ||
			consent.TextVersion != models.ConsentTextVersions[models.ConsentShareWithLegalPartner] || consent.RevokedAt != nil {
			t.Fatalf("consent = %+v", consent)
		}
		if n := countWhere(t, s, &models.AuditEntry{}, "entity_id = ? AND action = 'CREATE' AND actor_id = ?", c.ID, patient.ID); n != 1 {
			t.Fatalf("audit entries = %d", n)
		}
	})

	t.Run("ReferencesAreSequential", func(t *testing.T) {
		t.Parallel()
		_, tok := s.User(t, models.RolePatient, nil)
		a := request(t, s, tok, requestInput("TX", models.CategoryOther))
		b := request(t, s, tok, requestInput("TX", models.CategoryOther))
		if a.Reference >= b.Reference || a.Reference[:9] != b.Reference[:9] {
			t.Fatalf("references %s then %s", a.Reference, b.Reference)
		}
	})

	t.Run("SameKeyReturnsFirstCase", func(t *testing.T) {
		t.Parallel()
		patient, tok := s.User(t, models.RolePatient, nil)
		in := requestInput("NY", models.CategoryFamily)
		first := request(t, s, tok, in)
		in["description"] = "A retry with other words."
		again := request(t, s, tok, in)
		if again.ID != first.ID || again.Description != first.Description {
			t.Fatalf("retry gave %+v, first %+v", again, first)
		}
		if n := countWhere(t, s, &models.Case{}, "patient_id = ?", patient.ID); n != 1 {
			t.Fatalf("cases = %d", n)
		}
		if n := countWhere(t, s, &models.Consent{}, "patient_id = ?", patient.ID); n != 1 {
			t.Fatalf("consents = %d", n)
		}
		// Another patient's submission with the same key is a case of its own.
		_, other := s.User(t, models.RolePatient, nil)
		if c := request(t, s, other, in); c.ID == first.ID {
			t.Fatal("another patient got the first patient's case")
		}
	})

	t.Run("ConcurrentDuplicatesOpenOneCase", func(t *testing.T) {
		t.Parallel()
		patient, tok := s.User(t, models.RolePatient, nil)
		in := requestInput("WA", models.CategoryHousing)
		const n = 8
		ids := make([]string, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				var got struct{ RequestLegalHelp struct{ ID string } }
				s.Do(t, tok, `mutation($in: RequestLegalHelpInput!) { requestLegalHelp(input: $in) { id } }`,
					map[string]any{"in": in}).Decode(t, &got)
				ids[i] = got.RequestLegalHelp.ID
			})
		}
		close(start)
		wg.Wait()
		for _, id := range ids {
			if id != ids[0] {
				t.Fatalf("concurrent duplicates answered different cases: %v", ids)
			}
		}
		if c := countWhere(t, s, &models.Case{}, "patient_id = ?", patient.ID); c != 1 {
			t.Fatalf("cases = %d", c)
		}
		if c := countWhere(t, s, &models.CaseEvent{}, "case_id = ?", ids[0]); c != 1 {
			t.Fatalf("events = %d", c)
		}
	})

	t.Run("NoPartnerStaysSubmittedWithNote", func(t *testing.T) {
		t.Parallel()
		state := freeState(t)
		// Partners that do not qualify: another category, a health system.
		s.Org(t, models.OrgLegalAid, []string{state}, models.CategoryFamily)
		s.Org(t, models.OrgHealthSystem, []string{state})
		_, tok := s.User(t, models.RolePatient, nil)
		c := request(t, s, tok, requestInput(state, models.CategoryImmigration))
		if c.Status != "SUBMITTED" || c.Organization != nil {
			t.Fatalf("case = %+v", c)
		}
		note := c.Timeline.Edges[0].Node
		if !note.VisibleToPatient || !strings.Contains(note.Message, "no one is working on it yet") {
			t.Fatalf("note = %+v", note)
		}
	})

	t.Run("RoutesToFewestOpenCasesThenOldest", func(t *testing.T) {
		t.Parallel()
		state := freeState(t)
		busy := s.Org(t, models.OrgLegalAid, []string{state, "NV"}, models.CategoryHousing, models.CategoryFood)
		free := s.Org(t, models.OrgLegalAid, []string{state}, models.CategoryHousing)
		s.Org(t, models.OrgLegalAid, []string{state}, models.CategoryFood) // wrong category
		other, _ := s.User(t, models.RolePatient, nil)
		insertCase(t, s, other, busy, models.CaseInProgress)
		// Closed cases do not count.
		for _, st := range models.FinalCaseStatuses {
			insertCase(t, s, other, free, st)
		}
		_, tok := s.User(t, models.RolePatient, nil)
		if c := request(t, s, tok, requestInput(state, models.CategoryHousing)); c.Organization == nil || c.Organization.ID != free.ID.String() {
			t.Fatalf("routed to %+v, want the one with fewer open cases %s", c.Organization, free.ID)
		}
		// Now one open case each: the tie goes to the older organization.
		if c := request(t, s, tok, requestInput(state, models.CategoryHousing)); c.Organization == nil || c.Organization.ID != busy.ID.String() {
			t.Fatalf("routed to %+v, want the older %s", c.Organization, busy.ID)
		}
	})

	t.Run("BadInputStoresNothing", func(t *testing.T) {
		t.Parallel()
		longKey := strings.Repeat("k", 201)
		yearAgo := time.Now().UTC().AddDate(-1, 0, -2).Format("2006-01-02")
		for _, tc := range []struct {
			name, field string
			set         func(map[string]any)
		}{
			{"NoConsent", "input.consentToShare", func(in map[string]any) { in["consentToShare"] = false }},
			{"EmptyKey", "input.idempotencyKey", func(in map[string]any) { in["idempotencyKey"] = " " }},
			{"LongKey", "input.idempotencyKey", func(in map[string]any) { in["idempotencyKey"] = longKey }},
			{"EmptyDescription", "input.description", func(in map[string]any) { in["description"] = "  " }},
			{"LongDescription", "input.description", func(in map[string]any) { in["description"] = strings.Repeat("é", 5001) }},
			{"UnknownState", "input.jurisdiction", func(in map[string]any) { in["jurisdiction"] = "XX" }},
			{"Territory", "input.jurisdiction", func(in map[string]any) { in["jurisdiction"] = "GU" }},
			{"OldDeadline", "input.deadline", func(in map[string]any) { in["deadline"] = yearAgo }},
			{"NoHousehold", "input.householdSize", func(in map[string]any) { in["householdSize"] = 0 }},
			{"BigHousehold", "input.householdSize", func(in map[string]any) { in["householdSize"] = 21 }},
			{"NegativeIncome", "input.monthlyIncomeCents", func(in map[string]any) { in["monthlyIncomeCents"] = -1 }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				patient, tok := s.User(t, models.RolePatient, nil)
				in := requestInput("CA", models.CategoryHousing)
				tc.set(in)
				r := s.Do(t, tok, requestMutation, map[string]any{"in": in}).MustCode(t, "BAD_USER_INPUT")
				if r.Field() != tc.field {
					t.Fatalf("field = %q, want %q", r.Field(), tc.field)
				}
				if n := countWhere(t, s, &models.Case{}, "patient_id = ?", patient.ID) +
					countWhere(t, s, &models.Consent{}, "patient_id = ?", patient.ID) +
					countWhere(t, s, &models.AuditEntry{}, "actor_id = ?", patient.ID); n != 0 {
					t.Fatalf("%d rows stored for a bad request", n)
				}
			})
		}
	})

	t.Run("BoundariesAccepted", func(t *testing.T) {
		t.Parallel()
		_, tok := s.User(t, models.RolePatient, nil)
		in := requestInput("PR", models.CategoryHousing)
		in["description"] = strings.Repeat("é", 5000)
		in["deadline"] = time.Now().UTC().AddDate(-1, 0, 1).Format("2006-01-02")
		in["householdSize"] = 20
		in["monthlyIncomeCents"] = 0
		c := request(t, s, tok, in)
		if c.Jurisdiction != "PR" || !c.Urgent {
			t.Fatalf("case = %+v", c)
		}
	})
}
