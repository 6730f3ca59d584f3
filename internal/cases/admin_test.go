package cases_test

import (
	"testing"

	"mlp/internal/apptest"
	"mlp/models"
)

const adminCasesOp = `query($f: CaseFilter, $first: Int, $after: String) {
	cases(filter: $f, first: $first, after: $after) {
		totalCount
		edges { cursor node { id reference status category
			patient { id displayName } organization { id name } assignedAdvocate { id displayName } outcome { code } } }
		pageInfo { hasNextPage endCursor }
	}
}`

type adminCasesJSON struct {
	Cases struct {
		TotalCount int
		Edges      []struct {
			Cursor string
			Node   struct {
				ID, Reference, Status, Category string
				Organization                    *struct{ ID string }
			}
		}
		PageInfo struct {
			HasNextPage bool
			EndCursor   *string
		}
	}
}

func caseAudits(t *testing.T, s *apptest.Server, admin *models.User) int64 {
	t.Helper()
	return countWhere(t, s, &models.AuditEntry{}, "actor_id = ? AND action = 'READ' AND entity_type = 'Case'", admin.ID)
}

// TestAdminCases: the ADMIN's list of every organization's cases over HTTP:
// filters, newest first, cursors, one audit row per listed case, and a
// constant number of SQL statements however many cases a page holds.
func TestAdminCases(t *testing.T) {
	s := apptest.New(t)
	state := freeState(t)
	a := s.Org(t, models.OrgLegalAid, []string{state})
	b := s.Org(t, models.OrgLegalAid, []string{state})
	p1, _ := s.User(t, models.RolePatient, nil)
	p2, _ := s.User(t, models.RolePatient, nil)
	adv, _ := s.User(t, models.RoleAdvocate, a)
	admin, tok := s.User(t, models.RoleAdmin, nil)
	var inA []*models.Case
	for i := range 5 {
		cat := models.CategoryHousing
		if i%2 == 1 {
			cat = models.CategoryEmployment
		}
		inA = append(inA, insertCase(t, s, p1, a, models.CaseInProgress, withCategory(cat), assignedTo(adv)))
	}
	inB := insertCase(t, s, p2, b, models.CaseAccepted)
	orgFilter := func(org *models.Organization, extra map[string]any) map[string]any {
		f := map[string]any{"organizationId": org.ID.String()}
		for k, v := range extra {
			f[k] = v
		}
		return map[string]any{"f": f}
	}

	t.Run("EveryOrganizationNewestFirstAudited", func(t *testing.T) {
		before := caseAudits(t, s, admin)
		var got adminCasesJSON
		s.Do(t, tok, adminCasesOp, map[string]any{"f": map[string]any{"status": []string{"IN_PROGRESS", "ACCEPTED"}}, "first": 100}).
			MustOK(t).Decode(t, &got)
		seen := map[string]bool{}
		for _, e := range got.Cases.Edges {
			seen[e.Node.ID] = true
		}
		if !seen[inA[0].ID.String()] || !seen[inB.ID.String()] {
			t.Fatalf("the list misses cases of an organization: %+v", got)
		}
		if got.Cases.Edges[0].Node.ID != inB.ID.String() {
			t.Errorf("first case %s, want the newest %s", got.Cases.Edges[0].Node.ID, inB.ID)
		}
		if n := caseAudits(t, s, admin) - before; n != int64(len(got.Cases.Edges)) {
			t.Errorf("%d audit rows for %d listed cases", n, len(got.Cases.Edges))
		}
	})
	t.Run("Filters", func(t *testing.T) {
		var got adminCasesJSON
		s.Do(t, tok, adminCasesOp, orgFilter(a, map[string]any{"category": "EMPLOYMENT"})).MustOK(t).Decode(t, &got)
		if got.Cases.TotalCount != 2 || len(got.Cases.Edges) != 2 {
			t.Fatalf("EMPLOYMENT in a: %+v, want 2", got)
		}
		for _, e := range got.Cases.Edges {
			if e.Node.Category != "EMPLOYMENT" || e.Node.Organization == nil || e.Node.Organization.ID != a.ID.String() {
				t.Errorf("case %+v does not match the filter", e.Node)
			}
		}
		s.Do(t, tok, adminCasesOp, orgFilter(b, map[string]any{"status": []string{"IN_PROGRESS"}})).MustOK(t).Decode(t, &got)
		if got.Cases.TotalCount != 0 {
			t.Errorf("IN_PROGRESS in b: %d, want 0", got.Cases.TotalCount)
		}
	})
	t.Run("Cursors", func(t *testing.T) {
		var ids []string
		var after any
		for range 3 {
			var got adminCasesJSON
			s.Do(t, tok, adminCasesOp, map[string]any{"f": orgFilter(a, nil)["f"], "first": 2, "after": after}).MustOK(t).Decode(t, &got)
			for _, e := range got.Cases.Edges {
				ids = append(ids, e.Node.ID)
			}
			if !got.Cases.PageInfo.HasNextPage {
				break
			}
			after = *got.Cases.PageInfo.EndCursor
		}
		if len(ids) != 5 {
			t.Fatalf("pages gave %d cases, want 5: %v", len(ids), ids)
		}
		for i, c := range inA {
			if ids[len(ids)-1-i] != c.ID.String() {
				t.Errorf("pages out of order: %v", ids)
				break
			}
		}
	})
	t.Run("BadInput", func(t *testing.T) {
		r := s.Do(t, tok, adminCasesOp, map[string]any{"f": map[string]any{"organizationId": "nope"}})
		if r.MustCode(t, "BAD_USER_INPUT"); r.Field() != "filter.organizationId" {
			t.Errorf("field %q", r.Field())
		}
		r = s.Do(t, tok, adminCasesOp, map[string]any{"after": "bogus"})
		if r.MustCode(t, "BAD_USER_INPUT"); r.Field() != "after" {
			t.Errorf("field %q", r.Field())
		}
	})
	t.Run("NoNPlusOne", func(t *testing.T) {
		// Ten more cases in a third organization, each with another
		// patient: one page of 1 and one of 11 run the same statements.
		c := s.Org(t, models.OrgLegalAid, []string{state})
		cAdv, _ := s.User(t, models.RoleAdvocate, c)
		for range 11 {
			p, _ := s.User(t, models.RolePatient, nil)
			insertCase(t, s, p, c, models.CaseResolved, assignedTo(cAdv))
		}
		_, small := s.DoCounted(t, tok, adminCasesOp, map[string]any{"f": orgFilter(c, nil)["f"], "first": 1})
		r, large := s.DoCounted(t, tok, adminCasesOp, map[string]any{"f": orgFilter(c, nil)["f"], "first": 11})
		var got adminCasesJSON
		r.MustOK(t).Decode(t, &got)
		if len(got.Cases.Edges) != 11 {
			t.Fatalf("%d cases, want 11", len(got.Cases.Edges))
		}
		if small != large {
			t.Errorf("%d statements for 1 case, %d for 11: a statement per case", small, large)
		}
		t.Logf("%d statements per page", large)
	})
}
