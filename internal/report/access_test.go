package report_test

import (
	"testing"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/models"
)

func TestPartnershipReportRoles(t *testing.T) {
	s := apptest.New(t)
	legal := s.Org(t, models.OrgLegalAid, []string{"CA"})
	health := s.Org(t, models.OrgHealthSystem, []string{"CA"})
	vars := map[string]any{"from": "2035-01-01", "to": "2035-01-31"}
	tests := []struct {
		name string
		role models.Role
		org  *models.Organization
		code string
	}{
		{"AdminOK", models.RoleAdmin, nil, ""},
		{"PatientForbidden", models.RolePatient, nil, "FORBIDDEN"},
		{"ClinicianForbidden", models.RoleClinician, health, "FORBIDDEN"},
		{"AdvocateForbidden", models.RoleAdvocate, legal, "FORBIDDEN"},
		{"EditorForbidden", models.RoleEditor, legal, "FORBIDDEN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, tok := s.User(t, tt.role, tt.org)
			before := reportAudits(t, s)
			r := s.Do(t, tok, reportDoc, vars)
			if tt.code == "" {
				r.MustOK(t)
				if got := reportAudits(t, s) - before; got != 1 {
					t.Errorf("%d audit rows written, want 1", got)
				}
				return
			}
			r.MustCode(t, tt.code)
			if string(r.Data) != "null" {
				t.Errorf("data = %s, want null", r.Data)
			}
			if got := reportAudits(t, s) - before; got != 0 {
				t.Errorf("%d audit rows written, want none", got)
			}
		})
	}
	t.Run("NoTokenUnauthenticated", func(t *testing.T) {
		s.Do(t, "", reportDoc, vars).MustCode(t, "UNAUTHENTICATED")
	})
}

func TestPartnershipReportInput(t *testing.T) {
	s := apptest.New(t)
	_, admin := s.User(t, models.RoleAdmin, nil)
	tests := []struct {
		name     string
		from, to string
		org      any
		code     string
		field    string
	}{
		{"ToBeforeFrom", "2035-02-01", "2035-01-31", nil, "BAD_USER_INPUT", "to"},
		{"LongerThanThreeYears", "2035-01-01", "2038-01-01", nil, "BAD_USER_INPUT", "to"},
		{"MalformedDate", "2035-01-01", "2035-02-30", nil, "BAD_USER_INPUT", "to"},
		{"UnknownOrganization", "2035-01-01", "2035-01-31", uuid.NewString(), "NOT_FOUND", ""},
		{"MalformedOrganization", "2035-01-01", "2035-01-31", "not-an-id", "NOT_FOUND", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := reportAudits(t, s)
			r := s.Do(t, admin, reportDoc, map[string]any{"from": tt.from, "to": tt.to, "org": tt.org})
			r.MustCode(t, tt.code)
			if r.Field() != tt.field {
				t.Errorf("field = %q, want %q (%s)", r.Field(), tt.field, r.Raw)
			}
			if got := reportAudits(t, s) - before; got != 0 {
				t.Errorf("%d audit rows written, want none", got)
			}
		})
	}
	t.Run("ThreeYearsOK", func(t *testing.T) {
		got := getReport(t, s, admin, "2035-01-01", "2037-12-31", nil)
		if got.From != "2035-01-01" || got.To != "2037-12-31" {
			t.Errorf("range %s..%s", got.From, got.To)
		}
	})
	t.Run("OneDayOK", func(t *testing.T) {
		getReport(t, s, admin, "2035-01-01", "2035-01-01", nil)
	})
	t.Run("LimitNamed", func(t *testing.T) {
		r := s.Do(t, admin, reportDoc, map[string]any{"from": "2035-01-01", "to": "2038-01-01"})
		if want := "A report covers at most 3 years: end it before 2038-01-01."; len(r.Errors) == 0 || r.Errors[0].Message != want {
			t.Errorf("message: %s, want %q", r.Raw, want)
		}
	})
}

// TestPartnershipReportAudit checks the audit row of a read: the admin, the
// action, the entity type, the organization as entity id (none for the whole
// partnership), and the statements: the session check, the planner settings,
// the organization lookup when filtered, the report and the audit row.
func TestPartnershipReportAudit(t *testing.T) {
	s := apptest.New(t)
	org := s.Org(t, models.OrgLegalAid, []string{"CA"})
	u, admin := s.User(t, models.RoleAdmin, nil)
	for _, tt := range []struct {
		name  string
		org   *models.Organization
		stmts int64
	}{{"WholePartnership", nil, 4}, {"Organization", org, 5}} {
		t.Run(tt.name, func(t *testing.T) {
			vars := map[string]any{"from": "2035-03-01", "to": "2035-03-31"}
			if tt.org != nil {
				vars["org"] = tt.org.ID.String()
			}
			r, stmts := s.DoCounted(t, admin, reportDoc, vars)
			r.MustOK(t)
			if stmts != tt.stmts {
				t.Errorf("%d statements, want %d", stmts, tt.stmts)
			}
			var e models.AuditEntry
			if err := s.DB.Where("actor_id = ? AND entity_type = ?", u.ID, "PartnershipReport").Order("at DESC, id DESC").First(&e).Error; err != nil {
				t.Fatal(err)
			}
			if e.Action != "REPORT_VIEWED" || e.ActorRole == nil || *e.ActorRole != models.RoleAdmin {
				t.Errorf("audit entry %+v", e)
			}
			switch {
			case tt.org == nil && e.EntityID != nil:
				t.Errorf("entity id %v, want none", e.EntityID)
			case tt.org != nil && (e.EntityID == nil || *e.EntityID != tt.org.ID):
				t.Errorf("entity id %v, want the organization", e.EntityID)
			}
		})
	}
}
