package privacy_test

import (
	"strings"
	"testing"

	"mlp/internal/apptest"
	"mlp/internal/page"
	"mlp/models"
)

const accessLogQuery = `query($id: ID!, $first: Int, $after: String) { case(id: $id) { id
  accessLog(first: $first, after: $after) { edges { cursor node { organizationName role action at } } pageInfo { hasNextPage endCursor } totalCount } } }`

type accessLog struct {
	Case struct {
		AccessLog struct {
			Edges []struct {
				Cursor string
				Node   struct {
					OrganizationName *string
					Role, Action, At string
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

func TestAccessLog(t *testing.T) {
	s := apptest.New(t)
	t.Parallel()
	w := newWorld(t, s)
	readCase := `query($id: ID!) { case(id: $id) { id } }`

	t.Run("ShowsStaffReadsAndChangesByOrganizationAndRoleNewestFirst", func(t *testing.T) {
		t.Parallel()
		c := insertCase(t, s, w.patient, w.org, models.CaseSubmitted, "Landlord changed the locks.")
		vars := map[string]any{"id": c.ID.String()}
		s.Do(t, w.patientTok, readCase, vars).MustOK(t) // the patient's own read is not staff access
		s.Do(t, w.advTok, readCase, vars).MustOK(t)
		s.Do(t, w.advTok, `mutation($id: ID!) { updateCaseStatus(input: {caseId: $id, status: RECEIVED}) { id } }`, vars).MustOK(t)

		r := s.Do(t, w.patientTok, accessLogQuery, vars).MustOK(t)
		var got accessLog
		r.Decode(t, &got)
		l := got.Case.AccessLog
		if l.TotalCount != 2 || len(l.Edges) != 2 {
			t.Fatalf("access log = %+v, want 2 entries", l)
		}
		change, read := l.Edges[0].Node, l.Edges[1].Node
		if change.Action != "CHANGE" || read.Action != "READ" || change.Role != "ADVOCATE" || read.Role != "ADVOCATE" ||
			change.OrganizationName == nil || *change.OrganizationName != w.org.Name || read.OrganizationName == nil ||
			*read.OrganizationName != w.org.Name || change.At < read.At {
			t.Fatalf("access log = %+v", l)
		}
		for _, u := range []*models.User{w.advocate, w.admin} {
			if strings.Contains(r.Raw, u.DisplayName) || strings.Contains(r.Raw, u.Email) || strings.Contains(r.Raw, u.ID.String()) {
				t.Fatalf("the access log names a staff member: %s", r.Raw)
			}
		}

		// An ADMIN sees the log too; their own read is in it, with no organization.
		var adm accessLog
		s.Do(t, w.adminTok, accessLogQuery, vars).MustOK(t).Decode(t, &adm)
		e := adm.Case.AccessLog.Edges
		if adm.Case.AccessLog.TotalCount != 3 || e[0].Node.Role != "ADMIN" || e[0].Node.Action != "READ" || e[0].Node.OrganizationName != nil {
			t.Fatalf("admin's access log = %+v", adm.Case.AccessLog)
		}
	})

	t.Run("Pages", func(t *testing.T) {
		t.Parallel()
		c := insertCase(t, s, w.patient, w.org, models.CaseSubmitted, "Wages unpaid.")
		vars := map[string]any{"id": c.ID.String()}
		for range 3 {
			s.Do(t, w.advTok, readCase, vars).MustOK(t)
		}
		var p1, p2 accessLog
		s.Do(t, w.patientTok, accessLogQuery, map[string]any{"id": c.ID.String(), "first": 2}).MustOK(t).Decode(t, &p1)
		if len(p1.Case.AccessLog.Edges) != 2 || !p1.Case.AccessLog.PageInfo.HasNextPage {
			t.Fatalf("page 1 = %+v", p1.Case.AccessLog)
		}
		s.Do(t, w.patientTok, accessLogQuery, map[string]any{"id": c.ID.String(), "first": 2, "after": p1.Case.AccessLog.PageInfo.EndCursor}).MustOK(t).Decode(t, &p2)
		if len(p2.Case.AccessLog.Edges) != 1 || p2.Case.AccessLog.PageInfo.HasNextPage || p2.Case.AccessLog.Edges[0].Node.At > p1.Case.AccessLog.Edges[1].Node.At {
			t.Fatalf("page 2 = %+v", p2.Case.AccessLog)
		}
		r := s.Do(t, w.patientTok, accessLogQuery, map[string]any{"id": c.ID.String(), "after": "nonsense"}).MustCode(t, "BAD_USER_INPUT")
		if r.Field() != "after" {
			t.Fatalf("field = %q", r.Field())
		}
	})

	t.Run("RefusedOverHTTPToStaffButAdmin", func(t *testing.T) {
		t.Parallel()
		c := insertCase(t, s, w.patient, w.org, models.CaseSubmitted, "Benefits cut.")
		vars := map[string]any{"id": c.ID.String()}
		s.Do(t, w.advTok, accessLogQuery, vars).MustCode(t, "FORBIDDEN")
		s.Do(t, w.otherTok, accessLogQuery, vars).MustCode(t, "NOT_FOUND")
		s.Do(t, "", accessLogQuery, vars).MustCode(t, "UNAUTHENTICATED")
	})

	// The service decides alone (no directive in the way): role x own/other.
	t.Run("AuthorizationTable", func(t *testing.T) {
		t.Parallel()
		c := insertCase(t, s, w.patient, w.org, models.CaseSubmitted, "Debt collector calls.")
		key := []page.Key{page.NewKey(c.ID, page.Args{})}
		for _, tc := range []struct {
			name string
			who  *models.User
			want string
		}{
			{"OwnPatient", w.patient, ""},
			{"Admin", w.admin, ""},
			{"OtherPatientNotFound", w.other, "NOT_FOUND"},
			{"AdvocateOfTheCaseForbidden", w.advocate, "FORBIDDEN"},
			{"ClinicianForbidden", w.clinician, "FORBIDDEN"},
			{"EditorForbidden", w.editor, "FORBIDDEN"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, errs := s.App.Resolver.Privacy.AccessLogs(as(tc.who), key)
				if got := code(errs[0]); got != tc.want {
					t.Fatalf("code = %q, want %q", got, tc.want)
				}
			})
		}
		_, errs := s.App.Resolver.Privacy.AccessLogs(apptest.Ctx(), key)
		if code(errs[0]) != "UNAUTHENTICATED" {
			t.Fatalf("anonymous: %v", errs[0])
		}
	})

	t.Run("NestedInACaseListInFixedStatements", func(t *testing.T) {
		t.Parallel()
		p, tok := s.User(t, models.RolePatient, nil)
		q := `{ myCases(first: 50) { edges { node { id accessLog(first: 5) { edges { node { role action organizationName } } totalCount } } } } }`
		counts := map[int]int64{}
		for have, n := 0, 2; n <= 6; n += 4 {
			for ; have < n; have++ {
				c := insertCase(t, s, p, w.org, models.CaseSubmitted, "Case.")
				s.Do(t, w.advTok, readCase, map[string]any{"id": c.ID.String()}).MustOK(t)
			}
			_, counts[n] = s.DoCounted(t, tok, q, nil)
		}
		t.Logf("statements: %v", counts)
		if counts[2] != counts[6] {
			t.Fatalf("statements: %d for 2 cases, %d for 6: N+1", counts[2], counts[6])
		}
	})
}
