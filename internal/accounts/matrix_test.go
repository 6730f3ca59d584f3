package accounts_test

import (
	"strings"
	"testing"
	"time"

	"mlp/internal/apptest"
	"mlp/models"
)

// TestRoleMatrix runs every operation of the foundation as every kind of
// caller over HTTP. The services decide (accounts.Policy, auth.SessionPolicy);
// the schema's directives refuse earlier.
func TestRoleMatrix(t *testing.T) { roleMatrix(t) }

// TestRoleMatrixWithoutDirectives runs the same table against a
// server whose @hasRole and @authenticated are pass-throughs: every row
// still holds, because the services refuse alone.
func TestRoleMatrixWithoutDirectives(t *testing.T) { roleMatrix(t, apptest.WithoutDirectives()) }

func roleMatrix(t *testing.T, opts ...apptest.Option) {
	t.Parallel()
	s := apptest.New(t, opts...)
	health := s.Org(t, models.OrgHealthSystem, []string{"CA"})
	legal := s.Org(t, models.OrgLegalAid, []string{"CA"})

	type caller struct {
		name  string
		id    string
		token string
	}
	callers := []caller{{name: "Anonymous"}}
	for _, c := range []struct {
		role models.Role
		org  *models.Organization
	}{
		{models.RolePatient, nil},
		{models.RoleClinician, health},
		{models.RoleAdvocate, legal},
		{models.RoleEditor, legal},
		{models.RoleAdmin, nil},
	} {
		u, tok := s.User(t, c.role, c.org)
		callers = append(callers, caller{name: string(c.role), id: u.ID.String(), token: tok})
	}

	// A cell runs the operation as the caller and, when it was refused,
	// checks that nothing changed.
	type cell func(t *testing.T, c caller) (r *apptest.Response, refusedCleanly func(t *testing.T))
	nothing := func(*testing.T) {}
	newPatient := func(t *testing.T) *models.User {
		u, _ := s.User(t, models.RolePatient, nil)
		return u
	}
	disabledAt := func(t *testing.T, u *models.User) *time.Time {
		var got models.User
		if err := s.DB.Take(&got, "id = ?", u.ID).Error; err != nil {
			t.Fatal(err)
		}
		return got.DisabledAt
	}
	freshRefreshToken := func(t *testing.T) string {
		r := s.Do(t, "", `mutation($in: RegisterInput!) { register(input: $in) { refreshToken } }`,
			map[string]any{"in": map[string]any{"email": freshEmail("matrix"), "password": goodPassword, "displayName": "M"}})
		return apptest.Str(t, r, "register.refreshToken")
	}

	const (
		ok     = ""
		unauth = "UNAUTHENTICATED"
		forbid = "FORBIDDEN"
	)
	public := []string{ok, ok, ok, ok, ok, ok}
	adminOnly := []string{unauth, forbid, forbid, forbid, forbid, ok}

	ops := []struct {
		name string
		want []string // per caller: Anonymous, PATIENT, CLINICIAN, ADVOCATE, EDITOR, ADMIN
		run  cell
	}{
		{"me", public, func(t *testing.T, c caller) (*apptest.Response, func(*testing.T)) {
			r := s.Do(t, c.token, `{ me { id } }`, nil)
			if r.Code() == "" && c.id == "" && string(r.Data) != `{"me":null}` {
				t.Fatalf("anonymous me = %s, want null", r.Raw)
			}
			if r.Code() == "" && c.id != "" && apptest.Str(t, r, "me.id") != c.id {
				t.Fatalf("me = %s, want %q", r.Raw, c.id)
			}
			return r, nothing
		}},
		{"register", public, func(t *testing.T, c caller) (*apptest.Response, func(*testing.T)) {
			return s.Do(t, c.token, registerOp, map[string]any{"in": map[string]any{"email": freshEmail("reg"), "password": goodPassword, "displayName": "R"}}), nothing
		}},
		{"login", public, func(t *testing.T, c caller) (*apptest.Response, func(*testing.T)) {
			u := newPatient(t)
			return s.Do(t, c.token, `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`,
				map[string]any{"e": u.Email, "p": apptest.Password}), nothing
		}},
		{"refreshSession", public, func(t *testing.T, c caller) (*apptest.Response, func(*testing.T)) {
			return s.Do(t, c.token, `mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken } }`,
				map[string]any{"t": freshRefreshToken(t)}), nothing
		}},
		{"logout", public, func(t *testing.T, c caller) (*apptest.Response, func(*testing.T)) {
			return s.Do(t, c.token, `mutation($t: String!) { logout(refreshToken: $t) }`, map[string]any{"t": freshRefreshToken(t)}), nothing
		}},
		{"createOrganization", adminOnly, func(t *testing.T, c caller) (*apptest.Response, func(*testing.T)) {
			name := freshName("Matrix Health")
			r := s.Do(t, c.token, createOrgOp, map[string]any{"in": map[string]any{"name": name, "kind": "HEALTH_SYSTEM", "serviceAreas": []string{"CA"}}})
			return r, func(t *testing.T) {
				if orgsNamed(t, s, name) != 0 {
					t.Fatal("organization written")
				}
			}
		}},
		{"createStaffUser", adminOnly, func(t *testing.T, c caller) (*apptest.Response, func(*testing.T)) {
			email := freshEmail("staff")
			r := s.Do(t, c.token, createStaffOp, map[string]any{"in": map[string]any{"email": email, "password": goodPassword, "displayName": "S", "role": "EDITOR", "organizationId": legal.ID.String()}})
			return r, func(t *testing.T) {
				if usersWithEmail(t, s, email) != 0 {
					t.Fatal("user written")
				}
			}
		}},
		{"disableUser", adminOnly, func(t *testing.T, c caller) (*apptest.Response, func(*testing.T)) {
			u := newPatient(t)
			r := s.Do(t, c.token, `mutation($id: ID!) { disableUser(id: $id) { id } }`, map[string]any{"id": u.ID.String()})
			return r, func(t *testing.T) {
				if disabledAt(t, u) != nil {
					t.Fatal("user disabled")
				}
			}
		}},
		{"enableUser", adminOnly, func(t *testing.T, c caller) (*apptest.Response, func(*testing.T)) {
			u := newPatient(t)
			if err := s.DB.Model(u).Update("disabled_at", time.Now()).Error; err != nil {
				t.Fatal(err)
			}
			r := s.Do(t, c.token, `mutation($id: ID!) { enableUser(id: $id) { id } }`, map[string]any{"id": u.ID.String()})
			return r, func(t *testing.T) {
				if disabledAt(t, u) == nil {
					t.Fatal("user enabled")
				}
			}
		}},
		{"legalPartners", public, func(t *testing.T, c caller) (*apptest.Response, func(*testing.T)) {
			return s.Do(t, c.token, `{ legalPartners(serviceArea: "CA") { id } }`, nil), nothing
		}},
		{"organizations", adminOnly, func(t *testing.T, c caller) (*apptest.Response, func(*testing.T)) {
			return s.Do(t, c.token, `{ organizations { id name } }`, nil), nothing
		}},
		{"users", adminOnly, func(t *testing.T, c caller) (*apptest.Response, func(*testing.T)) {
			r := s.Do(t, c.token, `query($org: ID) { users(filter: {organizationId: $org}) { edges { node { id email } } } }`,
				map[string]any{"org": legal.ID.String()})
			return r, func(t *testing.T) {
				if strings.Contains(r.Raw, "@example.test") {
					t.Fatalf("a refused list showed accounts: %s", r.Raw)
				}
			}
		}},
		{"requestPasswordReset", public, func(t *testing.T, c caller) (*apptest.Response, func(*testing.T)) {
			return s.Do(t, c.token, requestResetOp, map[string]any{"email": newPatient(t).Email}), nothing
		}},
		{"resetPassword", public, func(t *testing.T, c caller) (*apptest.Response, func(*testing.T)) {
			u := newPatient(t)
			s.Do(t, "", requestResetOp, map[string]any{"email": u.Email}).MustOK(t)
			return s.Do(t, c.token, resetOp, map[string]any{"token": mintedToken(t, s, u), "pw": goodPassword}), nothing
		}},
	}
	for _, op := range ops {
		for i, c := range callers {
			want := op.want[i]
			t.Run(op.name+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				r, refusedCleanly := op.run(t, c)
				if want == ok {
					r.MustOK(t)
					return
				}
				r.MustCode(t, want)
				if string(r.Data) != "null" {
					t.Errorf("refused operation answered data %s", r.Data)
				}
				refusedCleanly(t)
			})
		}
	}
}
