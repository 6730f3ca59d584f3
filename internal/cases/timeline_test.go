package cases_test

import (
	"strings"
	"testing"

	"mlp/internal/apptest"
	"mlp/models"
)

const timelineQuery = `query($id: ID!, $first: Int, $after: String) {
  case(id: $id) { timeline(first: $first, after: $after) {
    edges { cursor node { id caseId kind message actorRole visibleToPatient } }
    pageInfo { hasNextPage endCursor } totalCount } }
}`

type timelineJSON struct {
	Case struct {
		Timeline struct {
			Edges []struct {
				Cursor string
				Node   struct {
					ID, CaseID, Kind, Message, ActorRole string
					VisibleToPatient                     bool
				}
			}
			PageInfo struct {
				HasNextPage bool
				EndCursor   string
			}
			TotalCount int
		}
	}
}

func readTimeline(t *testing.T, s *apptest.Server, tok string, c *models.Case, vars map[string]any) timelineJSON {
	t.Helper()
	if vars == nil {
		vars = map[string]any{}
	}
	vars["id"] = c.ID.String()
	var got timelineJSON
	s.Do(t, tok, timelineQuery, vars).Decode(t, &got)
	return got
}

func addMessage(t *testing.T, s *apptest.Server, tok string, c *models.Case, body string, visible *bool) *apptest.Response {
	t.Helper()
	vars := map[string]any{"id": c.ID.String(), "body": body}
	if visible != nil {
		vars["v"] = *visible
	}
	return s.Do(t, tok, `mutation($id: ID!, $body: String!, $v: Boolean) {
	  addCaseMessage(caseId: $id, body: $body, visibleToPatient: $v) { id caseId kind message actorRole visibleToPatient } }`, vars)
}

func TestTimelineAndMessages(t *testing.T) {
	s := apptest.New(t)
	t.Parallel() // after New: dbtest.Open is not safe for concurrent first use
	w := newWorld(t, s)
	no := false

	t.Run("InternalMessageHiddenFromPatient", func(t *testing.T) {
		t.Parallel()
		c := insertCase(t, s, w.patient, w.org, models.CaseInProgress)
		addMessage(t, s, w.tokens[owner], c, "My hearing moved to Friday.", nil).MustOK(t)
		addMessage(t, s, w.tokens[advocate], c, "Check the lease before calling back.", &no).MustOK(t)
		addMessage(t, s, w.tokens[advocate], c, "  We will call you tomorrow.  ", nil).MustOK(t)

		mine := readTimeline(t, s, w.tokens[owner], c, nil).Case.Timeline
		if mine.TotalCount != 3 || len(mine.Edges) != 3 {
			t.Fatalf("patient's timeline = %+v", mine)
		}
		for _, e := range mine.Edges {
			if !e.Node.VisibleToPatient || strings.Contains(e.Node.Message, "lease") {
				t.Fatalf("the patient sees an internal event: %+v", e.Node)
			}
		}
		if last := mine.Edges[2].Node; last.Message != "We will call you tomorrow." || last.ActorRole != "ADVOCATE" || last.CaseID != c.ID.String() {
			t.Fatalf("oldest first, trimmed: %+v", mine.Edges)
		}
		staff := readTimeline(t, s, w.tokens[advocate], c, nil).Case.Timeline
		if staff.TotalCount != 4 || staff.Edges[2].Node.VisibleToPatient || staff.Edges[1].Node.ActorRole != "PATIENT" {
			t.Fatalf("advocate's timeline = %+v", staff)
		}
		if v := reload(t, s, c.ID).Version; v != 1 {
			t.Fatalf("a message changed the version to %d", v)
		}
	})

	t.Run("Pages", func(t *testing.T) {
		t.Parallel()
		c := insertCase(t, s, w.patient, w.org, models.CaseInProgress)
		for _, m := range []string{"one", "two", "three", "four"} {
			addMessage(t, s, w.tokens[advocate], c, m, nil).MustOK(t)
		}
		var seen []string
		vars := map[string]any{"first": 2}
		for range 3 {
			tl := readTimeline(t, s, w.tokens[owner], c, vars).Case.Timeline
			for _, e := range tl.Edges {
				seen = append(seen, e.Node.Kind+":"+e.Node.Message)
			}
			if !tl.PageInfo.HasNextPage {
				break
			}
			vars = map[string]any{"first": 2, "after": tl.PageInfo.EndCursor}
		}
		if got := strings.Join(seen, ","); got != "CREATED:Created.,MESSAGE:one,MESSAGE:two,MESSAGE:three,MESSAGE:four" {
			t.Fatalf("pages = %s", got)
		}
	})

	t.Run("BadCursor", func(t *testing.T) {
		t.Parallel()
		c := insertCase(t, s, w.patient, w.org, models.CaseInProgress)
		r := s.Do(t, w.tokens[owner], timelineQuery, map[string]any{"id": c.ID.String(), "after": "bm9wZQ"}).MustCode(t, "BAD_USER_INPUT")
		if r.Field() != "after" {
			t.Fatalf("field = %q", r.Field())
		}
	})

	t.Run("PatientCannotPostInternal", func(t *testing.T) {
		t.Parallel()
		c := insertCase(t, s, w.patient, w.org, models.CaseInProgress)
		r := addMessage(t, s, w.tokens[owner], c, "secret", &no).MustCode(t, "BAD_USER_INPUT")
		if r.Field() != "visibleToPatient" || countEvents(t, s, c.ID) != 1 {
			t.Fatalf("field %q, or a message was stored", r.Field())
		}
	})

	t.Run("EmptyMessage", func(t *testing.T) {
		t.Parallel()
		c := insertCase(t, s, w.patient, w.org, models.CaseInProgress)
		for _, body := range []string{"   ", strings.Repeat("x", 5001)} {
			r := addMessage(t, s, w.tokens[owner], c, body, nil).MustCode(t, "BAD_USER_INPUT")
			if r.Field() != "body" || countEvents(t, s, c.ID) != 1 {
				t.Fatalf("field %q, or a message was stored", r.Field())
			}
		}
	})

	t.Run("MyConsentsListsOwn", func(t *testing.T) {
		t.Parallel()
		p, tok := s.User(t, models.RolePatient, nil)
		c := request(t, s, tok, requestInput("CA", models.CategoryFood))
		var got struct {
			MyConsents []struct {
				ID, Scope, TextVersion, CaseID, GrantedAt string
				RevokedAt                                 *string
			}
		}
		s.Do(t, tok, `{ myConsents { id scope textVersion caseId grantedAt revokedAt } }`, nil).Decode(t, &got)
		if len(got.MyConsents) != 1 || got.MyConsents[0].CaseID != c.ID || got.MyConsents[0].Scope != "SHARE_WITH_LEGAL_PARTNER" ||
			got.MyConsents[0].RevokedAt != nil || got.MyConsents[0].TextVersion == "" {
			t.Fatalf("consents of %s = %+v", p.ID, got)
		}
	})
}

func TestAssignAndOutcome(t *testing.T) {
	s := apptest.New(t)
	t.Parallel() // after New: dbtest.Open is not safe for concurrent first use
	w := newWorld(t, s)
	const assign = `mutation($id: ID!, $a: ID!) { assignCase(caseId: $id, advocateId: $a) { version assignedAdvocate { id } } }`

	t.Run("AssignToColleague", func(t *testing.T) {
		t.Parallel()
		c := insertCase(t, s, w.patient, w.org, models.CaseReceived)
		var got struct {
			AssignCase struct {
				Version          int
				AssignedAdvocate struct{ ID string }
			}
		}
		s.Do(t, w.tokens[advocate], assign, map[string]any{"id": c.ID.String(), "a": w.colleague.ID.String()}).Decode(t, &got)
		if got.AssignCase.Version != 2 || got.AssignCase.AssignedAdvocate.ID != w.colleague.ID.String() {
			t.Fatalf("got %+v", got)
		}
		if n := countWhere(t, s, &models.CaseEvent{}, "case_id = ? AND kind = 'ASSIGNED'", c.ID); n != 1 {
			t.Fatalf("ASSIGNED events = %d", n)
		}
	})

	t.Run("AssignOutsideOrganization", func(t *testing.T) {
		t.Parallel()
		c := insertCase(t, s, w.patient, w.org, models.CaseReceived)
		stranger, _ := s.User(t, models.RoleAdvocate, w.otherOrg)
		for _, a := range []string{stranger.ID.String(), w.patient.ID.String(), "nope"} {
			r := s.Do(t, w.tokens[advocate], assign, map[string]any{"id": c.ID.String(), "a": a}).MustCode(t, "BAD_USER_INPUT")
			if r.Field() != "advocateId" || reload(t, s, c.ID).AssignedAdvocateID != nil {
				t.Fatalf("field %q, or the case was assigned", r.Field())
			}
		}
	})

	const outcome = `mutation($in: CaseOutcomeInput!) { recordCaseOutcome(input: $in) {
	  version outcome { code benefitAmountCents notes recordedAt } } }`

	t.Run("OutcomeOnResolved", func(t *testing.T) {
		t.Parallel()
		c := insertCase(t, s, w.patient, w.org, models.CaseResolved)
		in := map[string]any{"caseId": c.ID.String(), "code": "BENEFITS_OBTAINED", "benefitAmountCents": 120000, "notes": "Back SNAP."}
		var got struct {
			RecordCaseOutcome struct {
				Version int
				Outcome struct {
					Code               string
					BenefitAmountCents int
					Notes, RecordedAt  string
				}
			}
		}
		s.Do(t, w.tokens[advocate], outcome, map[string]any{"in": in}).Decode(t, &got)
		o := got.RecordCaseOutcome
		if o.Version != 2 || o.Outcome.Code != "BENEFITS_OBTAINED" || o.Outcome.BenefitAmountCents != 120000 || o.Outcome.Notes != "Back SNAP." {
			t.Fatalf("got %+v", o)
		}
		in["code"] = "BENEFITS_INCREASED" // a correction replaces it
		s.Do(t, w.tokens[advocate], outcome, map[string]any{"in": in}).MustOK(t)
		if n := countWhere(t, s, &models.CaseOutcome{}, "case_id = ? AND code = 'BENEFITS_INCREASED'", c.ID); n != 1 {
			t.Fatalf("outcomes = %d", n)
		}
		if n := countWhere(t, s, &models.CaseEvent{}, "case_id = ? AND kind = 'OUTCOME_RECORDED'", c.ID); n != 2 {
			t.Fatalf("OUTCOME_RECORDED events = %d", n)
		}
	})

	t.Run("OutcomeOnOpenCase", func(t *testing.T) {
		t.Parallel()
		c := insertCase(t, s, w.patient, w.org, models.CaseInProgress)
		s.Do(t, w.tokens[advocate], outcome, map[string]any{"in": map[string]any{"caseId": c.ID.String(), "code": "OTHER"}}).
			MustCode(t, "CONFLICT")
	})

	t.Run("NegativeBenefit", func(t *testing.T) {
		t.Parallel()
		c := insertCase(t, s, w.patient, w.org, models.CaseUnresolved)
		r := s.Do(t, w.tokens[advocate], outcome, map[string]any{"in": map[string]any{"caseId": c.ID.String(), "code": "OTHER", "benefitAmountCents": -5}}).
			MustCode(t, "BAD_USER_INPUT")
		if r.Field() != "input.benefitAmountCents" || countWhere(t, s, &models.CaseOutcome{}, "case_id = ?", c.ID) != 0 {
			t.Fatalf("field %q, or an outcome was stored", r.Field())
		}
	})
}
