package cases_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/models"
)

// The callers of the authorization matrix, relative to one case: its patient
// ("owner"), another patient, staff of every role, advocates of the case's
// organization and of another one.
const (
	anonymous     = "anonymous"
	badToken      = "badToken"
	owner         = "owner"
	otherPatient  = "otherPatient"
	clinician     = "clinician"
	advocate      = "advocate"
	otherAdvocate = "otherAdvocate"
	editor        = "editor"
	admin         = "admin"
)

var callers = []string{anonymous, badToken, owner, otherPatient, clinician, advocate, otherAdvocate, editor, admin}

// Outcomes of the matrix besides error codes: OK (sees or changes the case),
// HIDDEN (a list that answers without the case).
const (
	ok     = "OK"
	hidden = "HIDDEN"
	unauth = "UNAUTHENTICATED"
	forbid = "FORBIDDEN"
	nf     = "NOT_FOUND"
)

type world struct {
	s              *apptest.Server
	org, otherOrg  *models.Organization
	patient        *models.User
	colleague      *models.User // a second advocate of org, to assign to
	tokens         map[string]string
	state          string
	consentForCase func(c *models.Case)
}

func newWorld(t *testing.T, s *apptest.Server) *world {
	t.Helper()
	w := &world{s: s, tokens: map[string]string{}, state: freeState(t)}
	w.org = s.Org(t, models.OrgLegalAid, []string{w.state})
	w.otherOrg = s.Org(t, models.OrgLegalAid, []string{freeState(t)})
	health := s.Org(t, models.OrgHealthSystem, []string{w.state})
	w.patient, w.tokens[owner] = s.User(t, models.RolePatient, nil)
	_, w.tokens[otherPatient] = s.User(t, models.RolePatient, nil)
	_, w.tokens[clinician] = s.User(t, models.RoleClinician, health)
	_, w.tokens[advocate] = s.User(t, models.RoleAdvocate, w.org)
	w.colleague, _ = s.User(t, models.RoleAdvocate, w.org)
	_, w.tokens[otherAdvocate] = s.User(t, models.RoleAdvocate, w.otherOrg)
	_, w.tokens[editor] = s.User(t, models.RoleEditor, health)
	_, w.tokens[admin] = s.User(t, models.RoleAdmin, nil)
	w.tokens[badToken] = "not-a-jwt"
	return w
}

// matrixOp is one operation of the matrix, run on a fresh case in status.
type matrixOp struct {
	name    string
	status  models.CaseStatus
	query   string
	vars    func(w *world, c *models.Case) map[string]any
	mutates bool
	// listed reports whether a successful answer shows the case.
	listed func(r *apptest.Response, c *models.Case) bool
	want   map[string]string
}

func row(outcomes ...string) map[string]string {
	m := map[string]string{}
	for i, c := range callers {
		m[c] = outcomes[i]
	}
	return m
}

func caseVars(_ *world, c *models.Case) map[string]any { return map[string]any{"id": c.ID.String()} }

func mentions(r *apptest.Response, c *models.Case) bool {
	return strings.Contains(string(r.Data), c.ID.String())
}

var matrix = []matrixOp{
	{name: "myCases", status: models.CaseSubmitted, query: `{ myCases(first: 100) { edges { node { id } } } }`,
		listed: mentions, want: row(unauth, unauth, ok, hidden, forbid, forbid, forbid, forbid, forbid)},
	{name: "case", status: models.CaseSubmitted, query: `query($id: ID!) { case(id: $id) { id } }`, vars: caseVars,
		listed: mentions, want: row(unauth, unauth, ok, nf, nf, ok, nf, nf, ok)},
	{name: "caseQueue", status: models.CaseSubmitted, query: `{ caseQueue(first: 100) { edges { node { id } } } }`,
		listed: mentions, want: row(unauth, unauth, forbid, forbid, forbid, ok, hidden, forbid, forbid)},
	{name: "updateCaseStatus", status: models.CaseSubmitted, mutates: true,
		query: `mutation($id: ID!) { updateCaseStatus(input: {caseId: $id, status: RECEIVED}) { id } }`, vars: caseVars,
		want: row(unauth, unauth, forbid, forbid, forbid, ok, nf, forbid, ok)},
	{name: "assignCase", status: models.CaseReceived, mutates: true,
		query: `mutation($id: ID!, $a: ID!) { assignCase(caseId: $id, advocateId: $a) { id } }`,
		vars: func(w *world, c *models.Case) map[string]any {
			return map[string]any{"id": c.ID.String(), "a": w.colleague.ID.String()}
		},
		want: row(unauth, unauth, forbid, forbid, forbid, ok, nf, forbid, ok)},
	{name: "recordCaseOutcome", status: models.CaseResolved, mutates: true,
		query: `mutation($id: ID!) { recordCaseOutcome(input: {caseId: $id, code: ADVICE_AND_COUNSEL}) { id } }`, vars: caseVars,
		want: row(unauth, unauth, forbid, forbid, forbid, ok, nf, forbid, ok)},
	{name: "withdrawCase", status: models.CaseAccepted, mutates: true,
		query: `mutation($id: ID!) { withdrawCase(caseId: $id, reason: "Solved it myself.") { id } }`, vars: caseVars,
		want: row(unauth, unauth, ok, nf, forbid, forbid, forbid, forbid, forbid)},
	{name: "addCaseMessage", status: models.CaseInProgress, mutates: true,
		query: `mutation($id: ID!) { addCaseMessage(caseId: $id, body: "Any news?") { id } }`, vars: caseVars,
		want: row(unauth, unauth, ok, nf, forbid, ok, nf, forbid, forbid)},
	{name: "requestLegalHelp", status: models.CaseSubmitted, mutates: false,
		query: `mutation($in: RequestLegalHelpInput!) { requestLegalHelp(input: $in) { id } }`,
		vars: func(w *world, _ *models.Case) map[string]any {
			return map[string]any{"in": requestInput(w.state, models.CategoryHousing)}
		},
		want: row(unauth, unauth, ok, ok, forbid, forbid, forbid, forbid, forbid)},
	{name: "myConsents", status: models.CaseSubmitted, query: `{ myConsents { id caseId scope } }`,
		listed: mentions, want: row(unauth, unauth, ok, hidden, forbid, forbid, forbid, forbid, forbid)},
	{name: "cases", status: models.CaseDeclined,
		query:  `query($org: ID) { cases(filter: {organizationId: $org, status: [DECLINED]}, first: 100) { edges { node { id } } } }`,
		vars:   func(w *world, _ *models.Case) map[string]any { return map[string]any{"org": w.org.ID.String()} },
		listed: mentions, want: row(unauth, unauth, forbid, forbid, forbid, forbid, forbid, forbid, ok)},
	{name: "auditLog", status: models.CaseSubmitted,
		query: `query($id: ID!) { auditLog(entityId: $id) { edges { node { id action } } } }`, vars: caseVars,
		want: row(unauth, unauth, forbid, forbid, forbid, forbid, forbid, forbid, ok)},
}

// TestAuthorizationMatrix runs every operation of the area as every caller,
// on the caller's own object and on someone else's: a hidden case is
// NOT_FOUND, a wrong role FORBIDDEN, no valid token UNAUTHENTICATED, and a
// refused change leaves the case as it was.
func TestAuthorizationMatrix(t *testing.T) { authorizationMatrix(t) }

// TestAuthorizationMatrixWithoutDirectives runs the same table against a
// server whose @hasRole and @authenticated are pass-throughs: every row
// still holds, because the services refuse alone.
func TestAuthorizationMatrixWithoutDirectives(t *testing.T) {
	authorizationMatrix(t, apptest.WithoutDirectives())
}

func authorizationMatrix(t *testing.T, opts ...apptest.Option) {
	s := apptest.New(t, opts...)
	t.Parallel() // after New: dbtest.Open is not safe for concurrent first use
	w := newWorld(t, s)
	for _, op := range matrix {
		for _, who := range callers {
			want := op.want[who]
			t.Run(op.name+"/"+who+"/"+want, func(t *testing.T) {
				t.Parallel()
				c := insertCase(t, s, w.patient, w.org, op.status)
				consent := &models.Consent{ID: uuid.New(), PatientID: w.patient.ID, Scope: models.ConsentShareWithLegalPartner,
					TextVersion: "v1", CaseID: &c.ID, GrantedAt: c.CreatedAt}
				if err := s.DB.Create(consent).Error; err != nil {
					t.Fatal(err)
				}
				events := countEvents(t, s, c.ID)
				var vars map[string]any
				if op.vars != nil {
					vars = op.vars(w, c)
				}
				r := s.Do(t, w.tokens[who], op.query, vars)
				switch want {
				case ok, hidden:
					r.MustOK(t)
					if op.listed != nil && op.listed(r, c) != (want == ok) {
						t.Fatalf("want %s, got %s", want, r.Raw)
					}
					if op.mutates {
						if after := reload(t, s, c.ID); after.Version == c.Version && countEvents(t, s, c.ID) == events {
							t.Fatalf("the case did not change: %+v", after)
						}
					}
				default:
					r.MustCode(t, want)
					if strings.Contains(r.Raw, c.Description) || strings.Contains(r.Raw, c.Reference) {
						t.Fatalf("a refused call revealed the case: %s", r.Raw)
					}
					after := reload(t, s, c.ID)
					if after.Version != c.Version || after.Status != c.Status || after.AssignedAdvocateID != nil ||
						countEvents(t, s, c.ID) != events || countWhere(t, s, &models.CaseOutcome{}, "case_id = ?", c.ID) != 0 {
						t.Fatalf("a refused call changed the case: %+v", after)
					}
				}
			})
		}
	}
}
