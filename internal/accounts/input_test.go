package accounts_test

import (
	"strings"
	"testing"

	"mlp/internal/apptest"
	"mlp/models"
)

func TestRegisterBadInput(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	in := func(email, password string) map[string]any {
		return map[string]any{"in": map[string]any{"email": email, "password": password, "displayName": "Pat"}}
	}
	for _, c := range []struct {
		name, email, password, field string
	}{
		{"ShortPassword", freshEmail("short"), "eleven char", "input.password"},
		{"EmptyPassword", freshEmail("empty"), "", "input.password"},
		{"LongPassword", freshEmail("long"), strings.Repeat("p", 129), "input.password"},
		{"LongPasswordInRunes", freshEmail("runes"), strings.Repeat("é", 129), "input.password"},
		{"MalformedEmail", "not-an-email", goodPassword, "input.email"},
		{"EmailWithoutDomainDot", "pat@localhost", goodPassword, "input.email"},
		{"EmailWithName", "Pat <pat-" + freshEmail("x") + ">", goodPassword, "input.email"},
		{"EmailWithSpace", "pat smith@example.test", goodPassword, "input.email"},
		{"TwoEmails", freshEmail("a") + "," + freshEmail("b"), goodPassword, "input.email"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			mustBadInput(t, s.Do(t, "", registerOp, in(c.email, c.password)), c.field)
			if n := usersWithEmail(t, s, c.email); n != 0 {
				t.Fatalf("%d users written", n)
			}
		})
	}
	t.Run("PasswordLimitsAreInclusive", func(t *testing.T) {
		t.Parallel()
		s.Do(t, "", registerOp, in(freshEmail("twelve"), strings.Repeat("p", 12))).MustOK(t)
		s.Do(t, "", registerOp, in(freshEmail("max"), strings.Repeat("p", 128))).MustOK(t)
	})
	t.Run("EmptyDisplayName", func(t *testing.T) {
		t.Parallel()
		email := freshEmail("noname")
		mustBadInput(t, s.Do(t, "", registerOp, map[string]any{"in": map[string]any{"email": email, "password": goodPassword, "displayName": "   "}}), "input.displayName")
		if usersWithEmail(t, s, email) != 0 {
			t.Fatal("user written")
		}
	})
	t.Run("BadLanguage", func(t *testing.T) {
		t.Parallel()
		email := freshEmail("lang")
		mustBadInput(t, s.Do(t, "", registerOp, map[string]any{"in": map[string]any{"email": email, "password": goodPassword, "displayName": "Pat", "preferredLanguage": "not a language!"}}), "input.preferredLanguage")
		if usersWithEmail(t, s, email) != 0 {
			t.Fatal("user written")
		}
	})
	t.Run("DuplicateEmailIsConflict", func(t *testing.T) {
		t.Parallel()
		email := freshEmail("dup")
		s.Do(t, "", registerOp, in(email, goodPassword)).MustOK(t)
		for _, again := range []string{email, strings.ToUpper(email), "  " + email + "\t"} {
			r := s.Do(t, "", registerOp, in(again, goodPassword)).MustCode(t, "CONFLICT")
			if strings.Contains(r.Raw, "users_email_key") || strings.Contains(r.Raw, "duplicate key") {
				t.Fatalf("the error leaks SQL: %s", r.Raw)
			}
		}
		if n := usersWithEmail(t, s, email); n != 1 {
			t.Fatalf("%d users with the email, want 1", n)
		}
		var sessions int64
		s.DB.Model(&models.Session{}).Joins("JOIN users ON users.id = sessions.user_id").Where("users.email = ?", email).Count(&sessions)
		if sessions != 1 {
			t.Fatalf("%d sessions, want the one of the first registration", sessions)
		}
	})
	t.Run("DuplicateOfStaffEmailIsConflict", func(t *testing.T) {
		t.Parallel()
		u, _ := s.User(t, models.RoleAdvocate, s.Org(t, models.OrgLegalAid, []string{"OR"}))
		s.Do(t, "", registerOp, in(u.Email, goodPassword)).MustCode(t, "CONFLICT")
	})
}

func TestCreateStaffUserBadInput(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	_, admin := s.User(t, models.RoleAdmin, nil)
	health := s.Org(t, models.OrgHealthSystem, []string{"MD"})
	legal := s.Org(t, models.OrgLegalAid, []string{"MD"})
	in := func(email string, role any, org any) map[string]any {
		m := map[string]any{"email": email, "password": goodPassword, "displayName": "Sam Staff", "role": role}
		if org != nil {
			m["organizationId"] = org
		}
		return map[string]any{"in": m}
	}

	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		email := freshEmail("clinician")
		r := s.Do(t, admin, createStaffOp, in("  "+strings.ToUpper(email), "CLINICIAN", health.ID.String())).MustOK(t)
		if apptest.Str(t, r, "createStaffUser.email") != email || apptest.Str(t, r, "createStaffUser.organization.id") != health.ID.String() {
			t.Fatalf("created %s", r.Raw)
		}
		var n int64
		s.DB.Model(&models.AuditEntry{}).Where("entity_type = 'User' AND entity_id = ? AND action = 'CREATE'", apptest.Str(t, r, "createStaffUser.id")).Count(&n)
		if n != 1 {
			t.Fatalf("%d audit entries, want 1", n)
		}
	})
	t.Run("AdminWithoutOrganization", func(t *testing.T) {
		t.Parallel()
		s.Do(t, admin, createStaffOp, in(freshEmail("admin"), "ADMIN", nil)).MustOK(t)
	})
	for _, c := range []struct {
		name  string
		email string
		role  any
		org   any
		field string
		code  string
	}{
		{"UnknownRole", freshEmail("janitor"), "JANITOR", health.ID.String(), "", "BAD_USER_INPUT"},
		{"RoleNotAString", freshEmail("number"), 7, health.ID.String(), "", "BAD_USER_INPUT"},
		{"PatientRole", freshEmail("patient"), "PATIENT", nil, "input.role", "BAD_USER_INPUT"},
		{"ClinicianInLegalAid", freshEmail("clin"), "CLINICIAN", legal.ID.String(), "input.organizationId", "BAD_USER_INPUT"},
		{"AdvocateInHealthSystem", freshEmail("adv"), "ADVOCATE", health.ID.String(), "input.organizationId", "BAD_USER_INPUT"},
		{"ClinicianWithoutOrganization", freshEmail("noorg"), "CLINICIAN", nil, "input.organizationId", "BAD_USER_INPUT"},
		{"EditorWithoutOrganization", freshEmail("noorg"), "EDITOR", nil, "input.organizationId", "BAD_USER_INPUT"},
		{"UnknownOrganization", freshEmail("ghost"), "ADVOCATE", "6f2b3c1a-0000-4000-8000-000000000000", "input.organizationId", "BAD_USER_INPUT"},
		{"MalformedOrganizationID", freshEmail("badid"), "ADVOCATE", "not-an-id", "input.organizationId", "BAD_USER_INPUT"},
		{"MalformedEmail", "staff@", "EDITOR", legal.ID.String(), "input.email", "BAD_USER_INPUT"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := s.Do(t, admin, createStaffOp, in(c.email, c.role, c.org)).MustCode(t, c.code)
			if c.field != "" && r.Field() != c.field {
				t.Fatalf("field = %q, want %q: %s", r.Field(), c.field, r.Raw)
			}
			if n := usersWithEmail(t, s, c.email); n != 0 {
				t.Fatalf("%d users written", n)
			}
		})
	}
	t.Run("UnknownRoleLiteral", func(t *testing.T) {
		t.Parallel()
		email := freshEmail("literal")
		s.Do(t, admin, `mutation { createStaffUser(input: {email: "`+email+`", password: "`+goodPassword+`", displayName: "X", role: JANITOR}) { id } }`, nil).
			MustCode(t, "BAD_USER_INPUT")
		if usersWithEmail(t, s, email) != 0 {
			t.Fatal("user written")
		}
	})
	t.Run("ShortPassword", func(t *testing.T) {
		t.Parallel()
		email := freshEmail("shortpw")
		mustBadInput(t, s.Do(t, admin, createStaffOp, map[string]any{"in": map[string]any{"email": email, "password": "short", "displayName": "X", "role": "ADMIN"}}), "input.password")
		if usersWithEmail(t, s, email) != 0 {
			t.Fatal("user written")
		}
	})
	t.Run("DuplicateEmailIsConflict", func(t *testing.T) {
		t.Parallel()
		email := freshEmail("dupstaff")
		s.Do(t, admin, createStaffOp, in(email, "ADVOCATE", legal.ID.String())).MustOK(t)
		s.Do(t, admin, createStaffOp, in(" "+strings.ToUpper(email), "EDITOR", legal.ID.String())).MustCode(t, "CONFLICT")
		if n := usersWithEmail(t, s, email); n != 1 {
			t.Fatalf("%d users, want 1", n)
		}
	})
}

func TestCreateOrganizationBadInput(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	_, admin := s.User(t, models.RoleAdmin, nil)
	base := func(name string) map[string]any {
		return map[string]any{"name": name, "kind": "LEGAL_AID", "serviceAreas": []string{"CA"}, "categories": []string{"HOUSING"}}
	}
	with := func(name string, k string, v any) map[string]any {
		m := base(name)
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return map[string]any{"in": m}
	}

	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		name := freshName("Legal Aid of the Test")
		in := with(name, "serviceAreas", []string{" ca", "NV", "CA"})
		in["in"].(map[string]any)["categories"] = []string{"HOUSING", "FOOD", "HOUSING"}
		in["in"].(map[string]any)["phone"] = " +1 (555) 010-0000 "
		in["in"].(map[string]any)["website"] = "https://legal-aid.example"
		r := s.Do(t, admin, createOrgOp, in).MustOK(t)
		var got struct {
			CreateOrganization struct {
				Name, Kind, Phone, Website string
				ServiceAreas, Categories   []string
			}
		}
		r.Decode(t, &got)
		o := got.CreateOrganization
		if o.Name != name || o.Kind != "LEGAL_AID" || strings.Join(o.ServiceAreas, ",") != "CA,NV" ||
			strings.Join(o.Categories, ",") != "HOUSING,FOOD" || o.Phone != "+1 (555) 010-0000" || o.Website != "https://legal-aid.example" {
			t.Fatalf("created %+v", o)
		}
	})
	for _, c := range []struct {
		name  string
		in    func(name string) map[string]any
		field string
	}{
		{"EmptyName", func(string) map[string]any { return with("   ", "name", "   ") }, "input.name"},
		{"LongName", func(string) map[string]any { n := strings.Repeat("n", 201); return with(n, "name", n) }, "input.name"},
		{"UnknownState", func(n string) map[string]any { return with(n, "serviceAreas", []string{"CA", "XX"}) }, "input.serviceAreas"},
		{"NoServiceArea", func(n string) map[string]any { return with(n, "serviceAreas", []string{}) }, "input.serviceAreas"},
		{"LegalAidWithoutCategories", func(n string) map[string]any { return with(n, "categories", nil) }, "input.categories"},
		{"HealthSystemWithCategories", func(n string) map[string]any { return with(n, "kind", "HEALTH_SYSTEM") }, "input.categories"},
		{"BadPhone", func(n string) map[string]any { return with(n, "phone", "call me maybe") }, "input.phone"},
		{"JavascriptWebsite", func(n string) map[string]any { return with(n, "website", "javascript:alert(1)") }, "input.website"},
		{"FTPWebsite", func(n string) map[string]any { return with(n, "website", "ftp://legal.example") }, "input.website"},
		{"WebsiteWithoutHost", func(n string) map[string]any { return with(n, "website", "https://") }, "input.website"},
		{"UnknownCategory", func(n string) map[string]any { return with(n, "categories", []string{"PARKING"}) }, ""},
		{"UnknownKind", func(n string) map[string]any { return with(n, "kind", "HOSPITAL") }, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			name := freshName("Bad Org")
			in := c.in(name)
			r := s.Do(t, admin, createOrgOp, in).MustCode(t, "BAD_USER_INPUT")
			if c.field != "" && r.Field() != c.field {
				t.Fatalf("field = %q, want %q: %s", r.Field(), c.field, r.Raw)
			}
			if n := orgsNamed(t, s, in["in"].(map[string]any)["name"].(string)); n != 0 {
				t.Fatalf("%d organizations written", n)
			}
		})
	}
	t.Run("DuplicateNameIsConflict", func(t *testing.T) {
		t.Parallel()
		name := freshName("Twice Legal Aid")
		s.Do(t, admin, createOrgOp, with(name, "name", name)).MustOK(t)
		again := " " + strings.ToUpper(name) + " "
		r := s.Do(t, admin, createOrgOp, with(again, "name", again)).MustCode(t, "CONFLICT")
		if strings.Contains(r.Raw, "organizations_name_key") {
			t.Fatalf("the error leaks SQL: %s", r.Raw)
		}
		if n := orgsNamed(t, s, name); n != 1 {
			t.Fatalf("%d organizations, want 1", n)
		}
	})
}
