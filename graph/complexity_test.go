package graph_test

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/complexity"
	"github.com/google/uuid"
	"github.com/vektah/gqlparser/v2"

	"mlp/graph"
	"mlp/internal/apptest"
	"mlp/internal/database/dbtest"
	"mlp/models"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }

// heaviestCaseList is the mobile app's heaviest query: the patient's case
// list with everything the case screen shows, ten timeline events and five
// related guides per case.
const heaviestCaseList = `query MyCaseList {
  myCases(first: 50) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node {
        id reference category description status fhirTaskStatus jurisdiction
        deadline urgent version createdAt updatedAt
        patient { id displayName preferredLanguage }
        organization { id name kind phone website serviceAreas }
        assignedAdvocate { id displayName }
        referral { id status categories createdAt }
        outcome { code benefitAmountCents notes recordedAt }
        relatedGuides(first: 5) { id slug locale title summary }
        timeline(first: 10) {
          totalCount
          pageInfo { hasNextPage endCursor }
          edges {
            cursor
            node { id caseId kind fromStatus toStatus message actorRole visibleToPatient createdAt }
          }
        }
      }
    }
  }
}`

// deepCaseList asks for 100 cases of 100 events each.
const deepCaseList = `query($cases: Int, $events: Int) {
  myCases(first: $cases) {
    edges { node { id timeline(first: $events) { edges { node { id kind message createdAt } } } } }
  }
}`

const advocateQueue = `{
  caseQueue(first: 100, filter: {urgentOnly: false}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id reference category status urgent deadline jurisdiction createdAt version
      patient { displayName preferredLanguage }
      assignedAdvocate { id displayName }
    } }
  }
}`

const publicGuides = `{
  guides(first: 20, filter: {jurisdiction: "CA"}) {
    pageInfo { hasNextPage endCursor }
    edges { node { id slug locale title summary category jurisdictions readingGrade publishedAt translations { locale title } } }
  }
}`

const editorGuides = `{
  editorGuides(first: 50) {
    totalCount
    edges { node {
      id slug locale title status version publishedVersion updatedAt
      author { displayName }
      revisions { version title createdAt editor { displayName } }
    } }
  }
}`

const clinicianReferrals = `{
  myReferrals(first: 50) {
    totalCount
    edges { node {
      id code status categories patientLabel caseStatus notes expiresAt createdAt
      screening { domain positive note }
      recommendedGuides { slug locale title }
    } }
  }
}`

const adminDashboard = `{
  me { id displayName role }
  organizations { id name kind serviceAreas categories }
  auditLog(first: 100) { edges { node { id action entityType entityId at actor { displayName role } } } }
}`

const patientHome = `{
  me { id displayName preferredLanguage }
  myNotifications(first: 50, unreadOnly: true) { totalCount edges { node { id kind title body caseId createdAt readAt } } }
  myConsents { id scope textVersion caseId grantedAt revokedAt }
  legalPartners(serviceArea: "CA") { id name phone website categories }
}`

// aliased repeats field n times under aliases f0, f1, ...
func aliased(n int, field string) string {
	var q strings.Builder
	q.WriteString("{")
	for i := range n {
		fmt.Fprintf(&q, " f%d: %s", i, field)
	}
	q.WriteString(" }")
	return q.String()
}

// TestQueryCost pins the cost of the queries the limit was chosen against,
// as graph.Cost counts it with graph.Complexity (and as gqlgen's walk does).
func TestQueryCost(t *testing.T) {
	t.Parallel()
	es := graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}, Directives: graph.Directives(), Complexity: graph.Complexity()})
	cost := func(t *testing.T, query string, vars map[string]any) int {
		t.Helper()
		doc, errs := gqlparser.LoadQuery(es.Schema(), query)
		if errs != nil {
			t.Fatalf("query does not validate: %v", errs)
		}
		got := graph.Cost(context.Background(), es, doc.Operations[0], vars)
		// the same count as gqlgen's own walk (which walks each fragment
		// again at every spread)
		if gqlgen := complexity.Calculate(context.Background(), es, doc.Operations[0], vars); gqlgen != got {
			t.Errorf("graph.Cost = %d, gqlgen's complexity.Calculate = %d", got, gqlgen)
		}
		return got
	}
	for _, c := range []struct {
		name  string
		query string
		vars  map[string]any
		want  int
	}{
		{"ScalarRootField", `{ me { id } }`, nil, 101},
		{"ListDefaultsToTwentyItems", `{ legalPartners { id name } }`, nil, 100 + 20*2},
		{"PageDefaultsToTwentyItems", `{ myNotifications { edges { node { id } } } }`, nil, 100 + 20*(1+1+1)},
		{"FirstCountsItems", `{ myNotifications(first: 5) { edges { node { id } } } }`, nil, 100 + 5*(1+1+1)},
		{"FirstOverTheMaximumCountsTheMaximum", `{ myNotifications(first: 100000) { edges { node { id } } } }`, nil, 100 + 100*(1+1+1)},
		{"NegativeFirstCountsNothing", `{ myNotifications(first: -1) { edges { node { id } } } }`, nil, 100},
		{"NestedList", `{ case(id: "x") { timeline(first: 10) { edges { node { id } } } } }`, nil, 100 + 1 + 10*(1+1+1)},
		// Per case: 12 scalars, patient 4, organization 7, assignedAdvocate 3,
		// referral 5, outcome 5, relatedGuides 1+5*5, timeline 1+10*16.
		{"HeaviestCaseList", heaviestCaseList, nil, 100 + 50*(1+3+(1+1+(1+12+4+7+3+5+5+26+161)))},
		// Per case: edges, node, id, timeline 1+100*(edges, node, 4 scalars).
		{"DeepCaseList", deepCaseList, map[string]any{"cases": 100, "events": 100}, 100 + 100*(1+1+1+(1+100*(1+1+4)))},
		{"Mutation", `mutation { logout(refreshToken: "x") }`, nil, 100},
		{"TwoHundredAliasedMe", aliased(200, "me { id }"), nil, 200 * 101},
		{"Fragments", `query { ...A ...A me { ...C } } fragment A on Query { legalPartners { ...B } } fragment B on Organization { id ... on Organization { name } } fragment C on User { id displayName }`, nil, 2*(100+20*2) + 100 + 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := cost(t, c.query, c.vars); got != c.want {
				t.Fatalf("cost = %d, want %d", got, c.want)
			}
		})
	}
}

// TestEveryRootFieldHasACost keeps new root fields from falling back to
// gqlgen's default cost of 1, which would let aliases of them through by the
// thousand.
func TestEveryRootFieldHasACost(t *testing.T) {
	t.Parallel()
	c := reflect.ValueOf(graph.Complexity())
	for _, typ := range []string{"Query", "Mutation", "Subscription"} {
		fields := c.FieldByName(typ)
		for i := range fields.NumField() {
			if fields.Field(i).IsNil() {
				t.Errorf("%s.%s has no cost in graph.Complexity", typ, fields.Type().Field(i).Name)
			}
		}
	}
}

// TestComplexityLimit sends realistic queries of every role, which must run,
// and queries that ask for too much, which must be refused with
// BAD_USER_INPUT before anything runs.
func TestComplexityLimit(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	legalAid := s.Org(t, models.OrgLegalAid, []string{"CA"})
	health := s.Org(t, models.OrgHealthSystem, []string{"CA"})
	_, patient := s.User(t, models.RolePatient, nil)
	_, advocate := s.User(t, models.RoleAdvocate, legalAid)
	_, clinician := s.User(t, models.RoleClinician, health)
	_, editor := s.User(t, models.RoleEditor, legalAid)
	_, admin := s.User(t, models.RoleAdmin, nil)
	// One case, so that the case list's nested fields resolve.
	s.Do(t, patient, `mutation($in: RequestLegalHelpInput!) { requestLegalHelp(input: $in) { id } }`,
		map[string]any{"in": map[string]any{
			"idempotencyKey": uuid.NewString(),
			"category":       string(models.CategoryHousing),
			"description":    "My landlord wants me out by next week.",
			"jurisdiction":   "CA",
			"consentToShare": true,
		}}).MustOK(t)

	t.Run("Queries", func(t *testing.T) { testQueries(t, s, patient, advocate, clinician, editor, admin) })
	if strings.Contains(s.LogText(), "internal error") {
		t.Fatalf("a refused query was logged as an internal error: %s", s.LogText())
	}
}

func testQueries(t *testing.T, s *apptest.Server, patient, advocate, clinician, editor, admin string) {
	for _, c := range []struct {
		name    string
		token   string
		query   string
		vars    map[string]any
		refused bool
		// resolved is a dotted path into the data that must not be empty.
		resolved string
	}{
		{"HeaviestCaseListRuns", patient, heaviestCaseList, nil, false, "myCases.edges.0.node.timeline.edges.0.node.kind"},
		{"PatientHomeRuns", patient, patientHome, nil, false, ""},
		{"AdvocateQueueOfHundredRuns", advocate, advocateQueue, nil, false, "caseQueue.edges.0.node.patient.displayName"},
		{"PublicGuidesRun", "", publicGuides, nil, false, ""},
		{"EditorGuidesWithRevisionsRun", editor, editorGuides, nil, false, ""},
		{"ClinicianReferralsRun", clinician, clinicianReferrals, nil, false, ""},
		{"AdminDashboardRuns", admin, adminDashboard, nil, false, ""},
		{"FiftyCasesOfTwentyEventsRun", patient, deepCaseList, map[string]any{"cases": 50, "events": 20}, false, ""},
		{"HundredCasesOfHundredEventsRefused", patient, deepCaseList, map[string]any{"cases": 100, "events": 100}, true, ""},
		{"DeepNestingThroughFragmentsRefused", patient, `{ myCases(first: 100) { edges { node { ...C } } } }
			fragment C on Case { id timeline(first: 100) { edges { node { ...E } } } }
			fragment E on CaseEvent { id kind message createdAt }`, nil, true, ""},
		{"TwoHundredAliasedLegalPartnersRefused", "", aliased(200, "legalPartners { id name }"), nil, true, ""},
		{"TwoHundredAliasedMeRefused", patient, aliased(200, "me { id }"), nil, true, ""},
		{"TwoHundredAliasedLoginsRefused", "", strings.Replace(aliased(200, `login(email: "a@example.test", password: "x") { accessToken }`), "{", "mutation {", 1), nil, true, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := s.Do(t, c.token, c.query, c.vars)
			if !c.refused {
				r.MustOK(t)
				if c.resolved != "" && apptest.Str(t, r, c.resolved) == "" {
					t.Fatalf("%s is empty: %s", c.resolved, r.Raw)
				}
				return
			}
			r.MustCode(t, "BAD_USER_INPUT")
			want := "exceeds the limit"
			if strings.HasPrefix(c.name, "TwoHundredAliased") {
				want = "too many aliases" // the document limits refuse them first
			}
			if !strings.Contains(r.Errors[0].Message, want) || len(r.Data) > 0 && string(r.Data) != "null" {
				t.Fatalf("refused for another reason, or ran: %s", r.Raw)
			}
		})
	}
}
