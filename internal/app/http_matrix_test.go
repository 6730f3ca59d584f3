package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"mlp/internal/accounts"
	"mlp/internal/apptest"
	"mlp/internal/auth"
	"mlp/internal/authztest"
	"mlp/internal/cases"
	"mlp/internal/devices"
	"mlp/internal/notify"
	"mlp/internal/partners"
	"mlp/internal/privacy"
	"mlp/internal/report"
	"mlp/models"
)

// httpPolicy maps each GraphQL operation of this matrix to the rule of the
// service method it calls: the matrix's rows must agree with the services'
// policies (authztest.Table checks it), and every operation has a row for
// every role. The operations are those the areas' own HTTP matrices
// (cases, referrals, guides, accounts) do not cover.
var httpPolicy = auth.Policy{
	"updateMyProfile":       accounts.Policy["UpdateMyProfile"],
	"changePassword":        accounts.Policy["ChangePassword"],
	"updateOrganization":    accounts.Policy["UpdateOrganization"],
	"myNotifications":       notify.Policy["MyNotifications"],
	"markNotificationsRead": notify.Policy["MarkRead"],
	"registerDevice":        devices.Policy["Register"],
	"partnershipReport":     report.Policy["PartnershipReport"],
	"healthSystems":         partners.Policy["HealthSystems"],
	"partnerships":          partners.Policy["Partnerships"],
	"createPartnership":     partners.Policy["CreatePartnership"],
	"updatePartnership":     partners.Policy["UpdatePartnership"],
	"endPartnership":        partners.Policy["EndPartnership"],
	"setCapacity":           partners.Policy["SetCapacity"],
	"transferCase":          cases.Policy["Transfer"],
	"setCaseDeadline":       cases.Policy["SetDeadline"],
	"grantConsent":          cases.Policy["GrantConsent"],
	"exportMyData":          privacy.Policy["ExportMyData"],
	"deleteMyAccount":       privacy.Policy["DeleteMyAccount"],
	"setLegalHold":          privacy.Policy["SetLegalHold"],
	"releaseLegalHold":      privacy.Policy["ReleaseLegalHold"],
}

// TestHTTPMatrix runs the operations of httpPolicy over HTTP, as every role
// with a real access token, on the caller's own object and another's; a
// refused or hidden call changes no table (a digest of every table). Not
// parallel: those rows compare the whole database before and after.
func TestHTTPMatrix(t *testing.T) { httpMatrix(t) }

// TestHTTPMatrixWithoutDirectives runs the same table against a server
// whose @hasRole and @authenticated are pass-throughs: every row still
// holds, because the services refuse alone.
func TestHTTPMatrixWithoutDirectives(t *testing.T) { httpMatrix(t, apptest.WithoutDirectives()) }

func httpMatrix(t *testing.T, opts ...apptest.Option) {
	w := apptest.NewWorld(t, opts...)
	s := w.S
	tb := w.Table(httpPolicy)
	ok := authztest.Always(authztest.OK)
	token := func(role models.Role) string { return w.Tokens[role] } // "" for Anonymous
	// gql makes a row's call: the document as role, its first error's code
	// as the row's outcome.
	gql := func(role models.Role, doc string, vars map[string]any) func(context.Context) error {
		tok := token(role)
		return func(context.Context) error {
			if code := s.Do(t, tok, doc, vars).Code(); code != "" {
				return &models.Error{Code: models.ErrorCode(code)}
			}
			return nil
		}
	}
	// fresh signs in a new user of role for rows that change the caller's
	// own account.
	fresh := func(role models.Role) string {
		if role == authztest.Anonymous {
			return ""
		}
		org := map[models.Role]*models.Organization{models.RoleClinician: w.Health, models.RoleAdvocate: w.Org, models.RoleEditor: w.Org}[role]
		_, tok := s.User(t, role, org)
		return tok
	}
	gqlAs := func(tok, doc string, vars map[string]any) func(context.Context) error {
		return func(context.Context) error {
			if code := s.Do(t, tok, doc, vars).Code(); code != "" {
				return &models.Error{Code: models.ErrorCode(code)}
			}
			return nil
		}
	}
	doc := func(d string, vars func(obj authztest.Object) map[string]any) func(models.Role, authztest.Object) func(context.Context) error {
		return func(role models.Role, obj authztest.Object) func(context.Context) error {
			var v map[string]any
			if vars != nil {
				v = vars(obj)
			}
			return gql(role, d, v)
		}
	}
	org := func(obj authztest.Object) *models.Organization {
		if obj == authztest.Other {
			return w.OtherOrg
		}
		return w.Org
	}
	partnership := func(obj authztest.Object) *models.Partnership {
		p := &models.Partnership{HealthSystemID: s.Org(t, models.OrgHealthSystem, []string{"CA"}).ID, LegalAidID: org(obj).ID,
			Categories: []models.LegalCategory{models.CategoryHousing}, ServiceAreas: []string{"CA"}, Version: 1}
		if err := s.DB.Create(p).Error; err != nil {
			t.Fatal(err)
		}
		return p
	}
	caseVars := func(status models.CaseStatus, extra map[string]any) func(authztest.Object) map[string]any {
		return func(obj authztest.Object) map[string]any {
			v := map[string]any{"id": w.CaseFor(t, obj, status).ID.String()}
			for k, x := range extra {
				v[k] = x
			}
			return v
		}
	}
	// The case's own side: its patient, its organization's advocates, and
	// ADMINs (who see every case); the rest are not shown it.
	caseSide := func(role models.Role, obj authztest.Object) models.ErrorCode {
		switch role {
		case models.RoleAdmin:
			return authztest.OK
		case models.RolePatient, models.RoleAdvocate:
			return authztest.OwnOnly(role, obj)
		}
		return models.ENOTFOUND
	}

	// Accounts: the caller's own profile and password.
	tb.Matrix("updateMyProfile", authztest.NoObject, ok, func(role models.Role, _ authztest.Object) func(context.Context) error {
		return gqlAs(fresh(role), `mutation { updateMyProfile(input: {displayName: "Renamed"}) { id } }`, nil)
	})
	tb.Matrix("changePassword", authztest.NoObject, ok, func(role models.Role, _ authztest.Object) func(context.Context) error {
		return gqlAs(fresh(role), `mutation($p: String!) { changePassword(currentPassword: $p, newPassword: "another long passphrase") }`,
			map[string]any{"p": apptest.Password})
	})
	tb.Matrix("updateOrganization", authztest.OwnOther, ok, doc(`mutation($id: ID!) { updateOrganization(input: {id: $id, phone: "555-0100"}) { id } }`,
		func(obj authztest.Object) map[string]any { return map[string]any{"id": org(obj).ID.String()} }))

	// Notifications and devices: always the caller's own.
	note := func(obj authztest.Object, role models.Role) string {
		n := &models.Notification{UserID: w.Owner(role, obj).ID, Kind: "TEST", Title: "Title", Body: "Body"}
		if err := notify.Add(s.DB, n); err != nil {
			t.Fatal(err)
		}
		return n.ID.String()
	}
	tb.Matrix("myNotifications", authztest.NoObject, ok, doc(`{ myNotifications { edges { node { id } } } }`, nil))
	tb.Matrix("markNotificationsRead", authztest.OwnOther, authztest.OwnOnly, func(role models.Role, obj authztest.Object) func(context.Context) error {
		id, tok := note(obj, role), token(role)
		return func(context.Context) error {
			r := s.Do(t, tok, `mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) }`, map[string]any{"ids": []string{id}})
			if code := r.Code(); code != "" {
				return &models.Error{Code: models.ErrorCode(code)}
			}
			if apptest.Str(t, r, "markNotificationsRead") == "0" {
				return models.NotFound("Notification") // another's: not marked
			}
			return nil
		}
	})
	tb.Matrix("registerDevice", authztest.NoObject, ok, func(role models.Role, _ authztest.Object) func(context.Context) error {
		return gql(role, `mutation($t: String!) { registerDevice(platform: ANDROID, token: $t) }`, map[string]any{"t": "matrix-" + uuid.NewString()})
	})

	// Reports and partnerships: ADMINs (an ADVOCATE sets their own
	// organization's capacity).
	tb.Matrix("partnershipReport", authztest.OwnOther, ok, doc(`query($org: ID) { partnershipReport(from: "2030-01-01", to: "2030-12-31", organizationId: $org) { from } }`,
		func(obj authztest.Object) map[string]any { return map[string]any{"org": org(obj).ID.String()} }))
	tb.Matrix("healthSystems", authztest.NoObject, ok, doc(`{ healthSystems { id } }`, nil))
	tb.Matrix("partnerships", authztest.NoObject, ok, doc(`{ partnerships { id } }`, nil))
	tb.Matrix("createPartnership", authztest.OwnOther, ok, doc(`mutation($hs: ID!, $la: ID!) { createPartnership(input: {healthSystemId: $hs, legalAidId: $la, categories: [HOUSING], serviceAreas: ["CA"]}) { id } }`,
		func(obj authztest.Object) map[string]any {
			return map[string]any{"hs": s.Org(t, models.OrgHealthSystem, []string{"CA"}).ID.String(), "la": org(obj).ID.String()}
		}))
	tb.Matrix("updatePartnership", authztest.OwnOther, ok, doc(`mutation($id: ID!) { updatePartnership(input: {id: $id, categories: [HOUSING, FOOD]}) { id } }`,
		func(obj authztest.Object) map[string]any { return map[string]any{"id": partnership(obj).ID.String()} }))
	tb.Matrix("endPartnership", authztest.OwnOther, ok, doc(`mutation($id: ID!) { endPartnership(id: $id) { id } }`,
		func(obj authztest.Object) map[string]any { return map[string]any{"id": partnership(obj).ID.String()} }))
	tb.Matrix("setCapacity", authztest.OwnOther, func(role models.Role, obj authztest.Object) models.ErrorCode {
		if role == models.RoleAdvocate && obj == authztest.Other {
			return models.EFORBIDDEN
		}
		return authztest.OK
	}, doc(`mutation($id: ID!) { setCapacity(organizationId: $id, category: HOUSING, status: WAITLIST, waitDays: 5) { id } }`,
		func(obj authztest.Object) map[string]any { return map[string]any{"id": org(obj).ID.String()} }))

	// Cases: the case's own side only.
	tb.Matrix("transferCase", authztest.OwnOther, caseSide, doc(`mutation($id: ID!, $to: ID!) { transferCase(caseId: $id, organizationId: $to, reason: "We cannot take it.") { id } }`,
		func(obj authztest.Object) map[string]any {
			c, to := w.CaseFor(t, obj, models.CaseReceived), w.OtherOrg
			if obj == authztest.Other {
				to = w.Org
			}
			k := &models.Consent{ID: uuid.Must(uuid.NewV7()), PatientID: c.PatientID, Scope: models.ConsentShareWithLegalPartner,
				TextVersion: "test", CaseID: &c.ID, GrantedAt: time.Now().Add(-time.Hour)}
			if err := s.DB.Create(k).Error; err != nil {
				t.Fatal(err)
			}
			return map[string]any{"id": c.ID.String(), "to": to.ID.String()}
		}))
	tb.Matrix("setCaseDeadline", authztest.OwnOther, caseSide, doc(`mutation($id: ID!) { setCaseDeadline(caseId: $id, deadline: "2031-02-03", expectedVersion: 1) { id } }`,
		caseVars(models.CaseReceived, nil)))
	tb.Matrix("grantConsent", authztest.OwnOther, caseSide, doc(`mutation($id: ID!) { grantConsent(scope: SHARE_WITH_LEGAL_PARTNER, caseId: $id) { id } }`,
		caseVars(models.CaseSubmitted, nil)))

	// Privacy: the patient's own data; legal holds are ADMINs'.
	tb.Matrix("exportMyData", authztest.NoObject, ok, doc(`{ exportMyData }`, nil))
	tb.Matrix("deleteMyAccount", authztest.NoObject, ok, func(role models.Role, _ authztest.Object) func(context.Context) error {
		return gqlAs(fresh(role), `mutation($p: String!) { deleteMyAccount(password: $p) { erasedAt } }`, map[string]any{"p": apptest.Password})
	})
	tb.Matrix("setLegalHold", authztest.OwnOther, ok, doc(`mutation($id: ID!) { setLegalHold(caseId: $id, reason: "Litigation pending.") { id } }`,
		caseVars(models.CaseReceived, nil)))
	tb.Matrix("releaseLegalHold", authztest.OwnOther, ok, doc(`mutation($id: ID!) { releaseLegalHold(caseId: $id) { id } }`,
		func(obj authztest.Object) map[string]any {
			c := w.CaseFor(t, obj, models.CaseReceived)
			s.Do(t, w.Tokens[models.RoleAdmin], `mutation($id: ID!) { setLegalHold(caseId: $id, reason: "Hold.") { id } }`, map[string]any{"id": c.ID.String()}).MustOK(t)
			return map[string]any{"id": c.ID.String()}
		}))
	t.Logf("%d rows", tb.Run(t))
}
