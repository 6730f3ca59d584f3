package accounts_test

import (
	"testing"

	"mlp/internal/apptest"
	"mlp/models"
)

const usersOp = `query($f: UserFilter, $first: Int, $after: String) {
	users(filter: $f, first: $first, after: $after) {
		totalCount
		edges { cursor node { id email displayName role disabledAt organization { id name } } }
		pageInfo { hasNextPage endCursor }
	}
}`

type usersJSON struct {
	Users struct {
		TotalCount int
		Edges      []struct {
			Node struct {
				ID, Email, DisplayName, Role string
				Organization                 *struct{ ID string }
			}
		}
		PageInfo struct {
			HasNextPage bool
			EndCursor   *string
		}
	}
}

func (u usersJSON) ids() []string {
	out := make([]string, len(u.Users.Edges))
	for i, e := range u.Users.Edges {
		out[i] = e.Node.ID
	}
	return out
}

// TestAdminUsers: the ADMIN's list of accounts over HTTP: every role but
// ADMIN refused, filters by role, organization and search (wildcards taken
// as they are), newest first with cursors, one audit row per listed user,
// and a constant number of SQL statements per page.
func TestAdminUsers(t *testing.T) {
	s := apptest.New(t)
	org := s.Org(t, models.OrgLegalAid, []string{"CA"})
	other := s.Org(t, models.OrgLegalAid, []string{"CA"})
	admin, tok := s.User(t, models.RoleAdmin, nil)
	var advocates []*models.User
	for range 4 {
		u, _ := s.User(t, models.RoleAdvocate, org)
		advocates = append(advocates, u)
	}
	clin, _ := s.User(t, models.RoleAdvocate, other)
	special, _ := s.User(t, models.RolePatient, nil)
	if err := s.DB.Model(special).Update("display_name", "Ana 100%_Ruiz").Error; err != nil {
		t.Fatal(err)
	}

	t.Run("OnlyAdmin", func(t *testing.T) {
		elsewhere := s.Org(t, models.OrgLegalAid, []string{"CA"})
		for _, role := range []models.Role{models.RolePatient, models.RoleClinician, models.RoleAdvocate, models.RoleEditor} {
			o := map[models.Role]*models.Organization{models.RoleAdvocate: elsewhere, models.RoleEditor: elsewhere,
				models.RoleClinician: s.Org(t, models.OrgHealthSystem, []string{"CA"})}[role]
			_, other := s.User(t, role, o)
			r := s.Do(t, other, usersOp, nil).MustCode(t, "FORBIDDEN")
			if string(r.Data) != "null" {
				t.Errorf("%s: data %s", role, r.Data)
			}
		}
		s.Do(t, "", usersOp, nil).MustCode(t, "UNAUTHENTICATED")
	})
	t.Run("ByOrganizationNewestFirstAudited", func(t *testing.T) {
		var before int64
		s.DB.Table("audit_entries").Where("actor_id = ? AND action = 'READ' AND entity_type = 'User'", admin.ID).Count(&before)
		var got usersJSON
		s.Do(t, tok, usersOp, map[string]any{"f": map[string]any{"organizationId": org.ID.String()}}).MustOK(t).Decode(t, &got)
		want := []string{advocates[3].ID.String(), advocates[2].ID.String(), advocates[1].ID.String(), advocates[0].ID.String()}
		if got.Users.TotalCount != 4 || len(got.ids()) != 4 || got.ids()[0] != want[0] || got.ids()[3] != want[3] {
			t.Fatalf("got %v, want %v", got.ids(), want)
		}
		var after int64
		s.DB.Table("audit_entries").Where("actor_id = ? AND action = 'READ' AND entity_type = 'User'", admin.ID).Count(&after)
		if after-before != 4 {
			t.Errorf("%d audit rows for 4 listed users", after-before)
		}
	})
	t.Run("ByRoleAndSearch", func(t *testing.T) {
		var got usersJSON
		s.Do(t, tok, usersOp, map[string]any{"f": map[string]any{"role": "ADVOCATE", "search": clin.Email[:20]}}).MustOK(t).Decode(t, &got)
		if len(got.ids()) != 1 || got.ids()[0] != clin.ID.String() {
			t.Errorf("search by email part: %v", got.ids())
		}
		s.Do(t, tok, usersOp, map[string]any{"f": map[string]any{"search": "100%_ru"}}).MustOK(t).Decode(t, &got)
		if len(got.ids()) != 1 || got.ids()[0] != special.ID.String() {
			t.Errorf("search of a name with %% and _: %v", got.ids())
		}
		s.Do(t, tok, usersOp, map[string]any{"f": map[string]any{"search": "%"}}).MustOK(t).Decode(t, &got)
		if len(got.ids()) != 1 {
			t.Errorf("%% matched %d users, want only the one whose name holds it", len(got.ids()))
		}
		s.Do(t, tok, usersOp, map[string]any{"f": map[string]any{"role": "PATIENT", "organizationId": org.ID.String()}}).MustOK(t).Decode(t, &got)
		if len(got.ids()) != 0 {
			t.Errorf("patients of org: %v", got.ids())
		}
	})
	t.Run("Cursors", func(t *testing.T) {
		var seen []string
		var after any
		for range 4 {
			var got usersJSON
			s.Do(t, tok, usersOp, map[string]any{"f": map[string]any{"organizationId": org.ID.String()}, "first": 3, "after": after}).
				MustOK(t).Decode(t, &got)
			seen = append(seen, got.ids()...)
			if !got.Users.PageInfo.HasNextPage {
				break
			}
			after = *got.Users.PageInfo.EndCursor
		}
		if len(seen) != 4 || seen[3] != advocates[0].ID.String() {
			t.Errorf("pages: %v", seen)
		}
	})
	t.Run("BadInput", func(t *testing.T) {
		mustBadInput(t, s.Do(t, tok, usersOp, map[string]any{"f": map[string]any{"organizationId": "x"}}), "filter.organizationId")
		long := make([]byte, 201)
		for i := range long {
			long[i] = 'a'
		}
		mustBadInput(t, s.Do(t, tok, usersOp, map[string]any{"f": map[string]any{"search": string(long)}}), "filter.search")
		mustBadInput(t, s.Do(t, tok, usersOp, map[string]any{"first": 101}), "first")
	})
	t.Run("NoNPlusOne", func(t *testing.T) {
		big := s.Org(t, models.OrgLegalAid, []string{"CA"})
		for range 10 {
			s.User(t, models.RoleAdvocate, big)
		}
		vars := func(n int) map[string]any {
			return map[string]any{"f": map[string]any{"organizationId": big.ID.String()}, "first": n}
		}
		_, small := s.DoCounted(t, tok, usersOp, vars(1))
		r, large := s.DoCounted(t, tok, usersOp, vars(10))
		var got usersJSON
		r.MustOK(t).Decode(t, &got)
		if len(got.ids()) != 10 {
			t.Fatalf("%d users, want 10", len(got.ids()))
		}
		if small != large {
			t.Errorf("%d statements for 1 user, %d for 10", small, large)
		}
		t.Logf("%d statements per page", large)
	})
}
