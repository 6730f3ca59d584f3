package referrals_test

import (
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/models"
)

var (
	statesMu   sync.Mutex
	statesUsed = map[string]bool{}
)

// freeState hands each test a jurisdiction of its own, so that the legal-aid
// organizations a test creates are the only ones routing can pick there.
// When the test ends, its organizations stop serving the state and the state
// is free again (so that -count=N runs do not run out of states).
func freeState(t testing.TB, s *apptest.Server) string {
	t.Helper()
	statesMu.Lock()
	defer statesMu.Unlock()
	for st := range models.USJurisdictions {
		if !statesUsed[st] {
			statesUsed[st] = true
			t.Cleanup(func() {
				s.DB.Exec(`UPDATE organizations SET service_areas = array_remove(service_areas, ?) WHERE service_areas @> ARRAY[?]::text[]`, st, st)
				statesMu.Lock()
				defer statesMu.Unlock()
				delete(statesUsed, st)
			})
			return st
		}
	}
	t.Fatal("no free jurisdiction left for this test")
	return ""
}

// GraphQL documents of the area.
const (
	referMutation = `mutation($in: ReferPatientInput!) { referPatient(input: $in) {
		id code status categories patientLabel notes caseStatus expiresAt createdAt
		screening { domain positive note } clinician { id } case { id } recommendedGuides { id } } }`
	claimMutation = `mutation($in: ClaimReferralInput!) { claimReferral(input: $in) {
		id reference status category jurisdiction organization { id }
		referral { id status code patientLabel notes caseStatus case { id } screening { domain positive } } } }`
	cancelMutation   = `mutation($id: ID!) { cancelReferral(id: $id) { id status code } }`
	myReferralsDoc   = `query($first: Int, $after: String) { myReferrals(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id code status caseStatus notes patientLabel case { id } } } } }`
	myConsentsDoc    = `{ myConsents { id scope caseId grantedAt revokedAt } }`
	revokeMutation   = `mutation($id: ID!) { revokeConsent(id: $id) { id scope revokedAt } }`
	caseReferralDoc  = `query($id: ID!) { case(id: $id) { id status referral { id status patientLabel notes code caseStatus case { id } screening { domain positive note } clinician { id } } } }`
	moveMutation     = `mutation($id: ID!, $st: CaseStatus!) { updateCaseStatus(input: {caseId: $id, status: $st}) { id status } }`
	withdrawDoc      = `mutation($id: ID!) { withdrawCase(caseId: $id, reason: "Sorted it out.") { id status } }`
	notificationsDoc = `{ myNotifications(first: 50) { totalCount edges { node { id kind title body caseId readAt } } } }`
)

// referralJSON is a Referral as the tests read it.
type referralJSON struct {
	ID           string
	Code         string
	Status       string
	Categories   []string
	PatientLabel string
	Notes        *string
	CaseStatus   *string
	ExpiresAt    time.Time
	CreatedAt    time.Time
	Screening    []struct {
		Domain   string
		Positive bool
		Note     *string
	}
	Clinician struct{ ID string }
	Case      *struct{ ID string }
}

// caseJSON is a case answered by claimReferral.
type caseJSON struct {
	ID           string
	Reference    string
	Status       string
	Category     string
	Jurisdiction string
	Organization *struct{ ID string }
	Referral     *referralJSON
}

// referInput is a valid referPatient input in state.
func referInput(state string) map[string]any {
	return map[string]any{
		"patientLabel": "Maria G.",
		"categories":   []string{"HOUSING", "PUBLIC_BENEFITS"},
		"screening": []map[string]any{
			{"domain": "HOUSING_AND_UTILITIES", "positive": true, "note": "Eviction notice last week."},
			{"domain": "INCOME", "positive": false},
		},
		"notes":                 "Three children at home; mold in the apartment.",
		"jurisdiction":          state,
		"recommendedGuideSlugs": []string{recommendedGuide},
	}
}

// refer makes a referral as the clinician of tok and returns it, code included.
func refer(t testing.TB, s *apptest.Server, tok string, in map[string]any) referralJSON {
	t.Helper()
	var got struct{ ReferPatient referralJSON }
	s.Do(t, tok, referMutation, map[string]any{"in": in}).Decode(t, &got)
	return got.ReferPatient
}

// claimInput is a claimReferral input for code.
func claimInput(code string, share bool) map[string]any {
	return map[string]any{"code": code, "description": "We got an eviction notice and the heating is broken.",
		"consentToShare": true, "shareStatusWithReferrer": share}
}

// claim claims code as the patient of tok and returns the case.
func claim(t testing.TB, s *apptest.Server, tok, code string, share bool) caseJSON {
	t.Helper()
	var got struct{ ClaimReferral caseJSON }
	s.Do(t, tok, claimMutation, map[string]any{"in": claimInput(code, share)}).Decode(t, &got)
	return got.ClaimReferral
}

// myReferrals returns the clinician's referrals by id.
func myReferrals(t testing.TB, s *apptest.Server, tok string) map[string]referralJSON {
	t.Helper()
	var got struct {
		MyReferrals struct {
			Edges []struct{ Node referralJSON }
		}
	}
	s.Do(t, tok, myReferralsDoc, map[string]any{"first": 100}).Decode(t, &got)
	out := map[string]referralJSON{}
	for _, e := range got.MyReferrals.Edges {
		out[e.Node.ID] = e.Node
	}
	return out
}

// consentJSON is a Consent as the tests read it.
type consentJSON struct {
	ID        string
	Scope     string
	CaseID    *string
	RevokedAt *time.Time
}

// consentOf returns the patient's consent of scope for case caseID.
func consentOf(t testing.TB, s *apptest.Server, tok, caseID string, scope models.ConsentScope) consentJSON {
	t.Helper()
	var got struct{ MyConsents []consentJSON }
	s.Do(t, tok, myConsentsDoc, nil).Decode(t, &got)
	for _, c := range got.MyConsents {
		if c.CaseID != nil && *c.CaseID == caseID && c.Scope == string(scope) {
			return c
		}
	}
	t.Fatalf("no %s consent for case %s in %+v", scope, caseID, got.MyConsents)
	return consentJSON{}
}

// move changes a case's status as the advocate of tok.
func move(t testing.TB, s *apptest.Server, tok, caseID string, to models.CaseStatus) {
	t.Helper()
	s.Do(t, tok, moveMutation, map[string]any{"id": caseID, "st": string(to)}).MustOK(t)
}

// storedReferral reads a referral row.
func storedReferral(t testing.TB, s *apptest.Server, id string) *models.Referral {
	t.Helper()
	var r models.Referral
	if err := s.DB.Take(&r, "id = ?", uuid.MustParse(id)).Error; err != nil {
		t.Fatal(err)
	}
	return &r
}

// countWhere counts rows of model matching the condition.
func countWhere(t testing.TB, s *apptest.Server, model any, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := s.DB.Model(model).Where(query, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// partnership is one test's legal-aid partner, health system and staff.
type partnership struct {
	state             string
	legalAid, health  *models.Organization
	clinician         *models.User
	clinicianTok      string
	advocate          *models.User
	advocateTok       string
	otherAdvocateTok  string
	otherClinicianTok string
}

// guideOnce publishes the guide that referInput recommends, once for the
// package's database.
var guideOnce sync.Once

// recommendedGuide is the slug referInput recommends.
const recommendedGuide = "eviction-basics"

// newPartnership creates a legal-aid partner serving a state of its own, a
// health system, a clinician, an advocate of the partner, and a clinician and
// advocate of other organizations. The guide referInput recommends is
// published.
func newPartnership(t testing.TB, s *apptest.Server) *partnership {
	t.Helper()
	guideOnce.Do(func() {
		s.PublishGuide(t, map[string]any{
			"slug": recommendedGuide, "locale": "en", "title": "Eviction basics",
			"summary":  "What an eviction notice means and what to do next.",
			"body":     "## Read the notice\n\nA notice is not an order to leave. Only a court can order you out.",
			"category": "HOUSING", "jurisdictions": []string{"US"},
		})
	})
	p := &partnership{state: freeState(t, s)}
	p.legalAid = s.Org(t, models.OrgLegalAid, []string{p.state})
	p.health = s.Org(t, models.OrgHealthSystem, []string{p.state})
	// The other partner serves the state too, but only for food cases, which
	// no test claims: routing never picks it.
	other := s.Org(t, models.OrgLegalAid, []string{p.state}, models.CategoryFood)
	otherHealth := s.Org(t, models.OrgHealthSystem, []string{p.state})
	p.clinician, p.clinicianTok = s.User(t, models.RoleClinician, p.health)
	p.advocate, p.advocateTok = s.User(t, models.RoleAdvocate, p.legalAid)
	_, p.otherAdvocateTok = s.User(t, models.RoleAdvocate, other)
	_, p.otherClinicianTok = s.User(t, models.RoleClinician, otherHealth)
	return p
}
