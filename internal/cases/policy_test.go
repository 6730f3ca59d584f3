package cases_test

import (
	"context"
	"crypto/sha256"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/internal/auth"
	"mlp/internal/authztest"
	"mlp/internal/cases"
	"mlp/internal/clock"
	"mlp/internal/page"
	"mlp/internal/unit"
	"mlp/models"
)

// TestPolicyCoversEveryMethod: every exported method of the case service has
// a row in its policy.
func TestPolicyCoversEveryMethod(t *testing.T) {
	authztest.Covers(t, cases.Policy, &cases.Service{})
}

// policyWorld is the fixture of the service-level table: a patient with
// cases routed to the advocate's organization (own), another patient with
// cases routed to another organization (other), and one caller of each role.
// The editor belongs to the legal-aid organization, so that its cases are in
// reach of a role check that would forget the role.
type policyWorld struct {
	s                   *apptest.Server
	svc                 *cases.Service
	org, otherOrg       *models.Organization
	patient, other, adv *models.User
	principals          map[models.Role]*auth.Principal
}

func newPolicyWorld(t *testing.T) *policyWorld {
	s := apptest.New(t)
	w := &policyWorld{s: s, svc: s.App.Resolver.Cases, principals: map[models.Role]*auth.Principal{}}
	w.org = s.Org(t, models.OrgLegalAid, []string{freeState(t)})
	w.otherOrg = s.Org(t, models.OrgLegalAid, []string{freeState(t)})
	health := s.Org(t, models.OrgHealthSystem, []string{freeState(t)})
	var tokens = map[models.Role]string{}
	w.patient, tokens[models.RolePatient] = s.User(t, models.RolePatient, nil)
	w.other, _ = s.User(t, models.RolePatient, nil)
	_, tokens[models.RoleClinician] = s.User(t, models.RoleClinician, health)
	w.adv, tokens[models.RoleAdvocate] = s.User(t, models.RoleAdvocate, w.org)
	_, tokens[models.RoleEditor] = s.User(t, models.RoleEditor, w.org)
	_, tokens[models.RoleAdmin] = s.User(t, models.RoleAdmin, nil)
	for role, tok := range tokens {
		p, err := s.App.Resolver.Auth.Authenticate(context.Background(), tok)
		if err != nil {
			t.Fatal(err)
		}
		w.principals[role] = p
	}
	return w
}

// caseFor returns a fresh case in status that the caller of role owns (own)
// or does not (other): for a PATIENT their own or another patient's, for an
// ADVOCATE one of their organization or another's; anyone else gets the
// own-side case (an ADMIN sees both, the rest neither).
func (w *policyWorld) caseFor(t *testing.T, obj authztest.Object, status models.CaseStatus) *models.Case {
	if obj == authztest.Other {
		return insertCase(t, w.s, w.other, w.otherOrg, status)
	}
	return insertCase(t, w.s, w.patient, w.org, status)
}

// withOutcome makes a RESOLVED case with an outcome.
func (w *policyWorld) withOutcome(t *testing.T, obj authztest.Object) *models.Case {
	c := w.caseFor(t, obj, models.CaseResolved)
	if err := w.s.DB.Create(&models.CaseOutcome{CaseID: c.ID, Code: models.OutcomeEvictionPrevented, RecordedAt: clock.System.Now()}).Error; err != nil {
		t.Fatal(err)
	}
	return c
}

// referred makes a case opened from a referral of the fixture's clinician.
func (w *policyWorld) referred(t *testing.T, obj authztest.Object) *models.Case {
	c := w.caseFor(t, obj, models.CaseSubmitted)
	now := clock.System.Now()
	r := &models.Referral{CodeHash: hash32(), CodeHint: "ABCD", Status: models.ReferralClaimed,
		ClinicianID: w.principals[models.RoleClinician].ID, PatientLabel: "AB", Categories: []models.LegalCategory{models.CategoryHousing},
		Screening: []*models.ScreeningAnswer{}, Jurisdiction: "CA", RecommendedGuideSlugs: []string{}, ClaimedByID: &c.PatientID,
		ClaimedAt: &now, ExpiresAt: now.Add(models.ReferralTTL), CreatedAt: now, UpdatedAt: now}
	if err := w.s.DB.Create(r).Error; err != nil {
		t.Fatal(err)
	}
	if err := w.s.DB.Model(c).UpdateColumn("referral_id", r.ID).Error; err != nil {
		t.Fatal(err)
	}
	c.ReferralID = &r.ID
	return c
}

func hash32() []byte {
	h := sha256.Sum256([]byte(uuid.NewString()))
	return h[:]
}

// withConsent makes a RESOLVED case whose patient's SHARE_WITH_LEGAL_PARTNER
// consent stands, and remembers the consent's id.
func (w *policyWorld) withConsent(t *testing.T, obj authztest.Object, ids map[uuid.UUID]uuid.UUID) *models.Case {
	c := w.caseFor(t, obj, models.CaseResolved)
	k := &models.Consent{ID: uuid.Must(uuid.NewV7()), PatientID: c.PatientID, Scope: models.ConsentShareWithLegalPartner,
		TextVersion: "test", CaseID: &c.ID, GrantedAt: clock.System.Now().Add(-time.Hour)}
	if err := w.s.DB.Create(k).Error; err != nil {
		t.Fatal(err)
	}
	ids[c.ID] = k.ID
	return c
}

// hiddenUnlessFound turns an empty answer of a batch loader into NOT_FOUND,
// so that a table row can say "hidden".
func hiddenUnlessFound(n int, err error) error {
	if err == nil && n == 0 {
		return models.NotFound("Case")
	}
	return err
}

// objectRows adds the rows of an operation on one case for every role: the
// roles the policy refuses are refused; a PATIENT and an ADVOCATE get own OK
// and other NOT_FOUND; an ADMIN both OK; a CLINICIAN and an EDITOR (whom the
// policy admits only to signed-in operations) NOT_FOUND. mk makes the row's
// case before the row runs.
func (w *policyWorld) objectRows(t *testing.T, tb *authztest.Table, op string, status models.CaseStatus, call func(ctx context.Context, c *models.Case) error) {
	w.objectRowsWith(t, tb, op, func(obj authztest.Object) *models.Case { return w.caseFor(t, obj, status) }, call)
}

// objectRowsWith is objectRows with the row's case made by mk.
func (w *policyWorld) objectRowsWith(t *testing.T, tb *authztest.Table, op string, mk func(authztest.Object) *models.Case, call func(ctx context.Context, c *models.Case) error) {
	for _, role := range authztest.Roles {
		if !tb.Policy[op].Admits(tb.Principals[role]) {
			c := mk(authztest.Own)
			tb.Add(op, role, authztest.Own, refusalOf(role), func(ctx context.Context) error { return call(ctx, c) })
			continue
		}
		for _, obj := range []authztest.Object{authztest.Own, authztest.Other} {
			want := models.ErrorCode(authztest.OK)
			switch {
			case role == models.RoleAdmin:
			case role == models.RolePatient || role == models.RoleAdvocate:
				if obj == authztest.Other {
					want = models.ENOTFOUND
				}
			default:
				want = models.ENOTFOUND
			}
			c := mk(obj)
			tb.Add(op, role, obj, want, func(ctx context.Context) error { return call(ctx, c) })
		}
	}
}

func refusalOf(role models.Role) models.ErrorCode {
	if role == authztest.Anonymous {
		return models.EUNAUTHENTICATED
	}
	return models.EFORBIDDEN
}

// TestServiceAuthorizationTable calls every operation of the case service
// directly (no GraphQL, no directive) as every role, on its own and another's
// case; a refused call changes no table. Not parallel: refused calls compare
// the whole database before and after.
func TestServiceAuthorizationTable(t *testing.T) {
	w := newPolicyWorld(t)
	svc := w.svc
	tb := &authztest.Table{Policy: cases.Policy, DB: w.s.DB, Principals: w.principals}
	// The principals the table tries must be the fixture's, not stand-ins.
	tb.Principals[authztest.Anonymous] = nil

	okRow := func(op string, role models.Role, call func(ctx context.Context) error) {
		tb.Add(op, role, authztest.None, authztest.OK, call)
		tb.Refused(op, call)
	}

	okRow("MyCases", models.RolePatient, func(ctx context.Context) error {
		_, err := svc.MyCases(ctx, nil, page.Args{})
		return err
	})
	okRow("CaseQueue", models.RoleAdvocate, func(ctx context.Context) error {
		_, err := svc.CaseQueue(ctx, nil, page.Args{})
		return err
	})
	okRow("MyConsents", models.RolePatient, func(ctx context.Context) error {
		_, err := svc.MyConsents(ctx)
		return err
	})
	request := func(ctx context.Context) error {
		_, err := svc.RequestLegalHelp(ctx, models.RequestLegalHelpInput{IdempotencyKey: "policy-" + uuid.NewString(), Category: models.CategoryHousing,
			Description: "My landlord changed the locks.", Jurisdiction: w.org.ServiceAreas[0], ConsentToShare: true})
		return err
	}
	okRow("RequestLegalHelp", models.RolePatient, request)
	okRow("Open", models.RolePatient, func(ctx context.Context) error {
		p, _ := auth.UserFrom(ctx)
		return unit.Do(ctx, w.s.DB, clock.System, p, func(u *unit.Work) error {
			_, err := svc.Open(u, cases.OpenCase{IdempotencyKey: "policy-" + uuid.NewString(), Category: models.CategoryHousing,
				Description: "Mold in the bedroom.", Jurisdiction: w.org.ServiceAreas[0], ConsentToShare: true})
			return err
		})
	})
	consentCase := w.caseFor(t, authztest.Own, models.CaseSubmitted)
	okRow("RecordConsent", models.RolePatient, func(ctx context.Context) error {
		p, _ := auth.UserFrom(ctx)
		return unit.Do(ctx, w.s.DB, clock.System, p, func(u *unit.Work) error {
			_, err := svc.RecordConsent(u, models.ConsentShareWithLegalPartner, &consentCase.ID)
			return err
		})
	})

	w.objectRows(t, tb, "Case", models.CaseSubmitted, func(ctx context.Context, c *models.Case) error {
		_, err := svc.Case(ctx, c.ID.String())
		return err
	})
	// The ADMIN's list of every organization's cases: both sides' case is
	// listed (filtered to its organization and status).
	w.objectRows(t, tb, "Cases", models.CaseDeclined, func(ctx context.Context, c *models.Case) error {
		org := c.OrganizationID.String()
		pg, err := svc.Cases(ctx, &models.CaseFilter{Status: []models.CaseStatus{c.Status}, OrganizationID: &org}, page.Args{})
		return hiddenUnlessFound(len(slices.DeleteFunc(pg.Items, func(x *models.Case) bool { return x.ID != c.ID })), err)
	})
	w.objectRows(t, tb, "Withdraw", models.CaseSubmitted, func(ctx context.Context, c *models.Case) error {
		_, err := svc.Withdraw(ctx, c.ID.String(), nil)
		return err
	})
	w.objectRows(t, tb, "AddMessage", models.CaseSubmitted, func(ctx context.Context, c *models.Case) error {
		_, err := svc.AddMessage(ctx, c.ID.String(), "Hello.", nil)
		return err
	})
	w.objectRows(t, tb, "UpdateStatus", models.CaseSubmitted, func(ctx context.Context, c *models.Case) error {
		_, err := svc.UpdateStatus(ctx, models.UpdateCaseStatusInput{CaseID: c.ID.String(), Status: models.CaseReceived})
		return err
	})
	w.objectRows(t, tb, "Assign", models.CaseSubmitted, func(ctx context.Context, c *models.Case) error {
		_, err := svc.Assign(ctx, c.ID.String(), w.adv.ID.String())
		if err != nil && models.ErrorCodeOf(err) == models.EINVALID {
			return nil // another organization's case, seen by an ADMIN: the advocate is not of it
		}
		return err
	})
	w.objectRows(t, tb, "RecordOutcome", models.CaseResolved, func(ctx context.Context, c *models.Case) error {
		_, err := svc.RecordOutcome(ctx, models.CaseOutcomeInput{CaseID: c.ID.String(), Code: models.OutcomeEvictionPrevented})
		return err
	})
	w.objectRows(t, tb, "SubscribeEvents", models.CaseSubmitted, func(ctx context.Context, c *models.Case) error {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		_, err := svc.SubscribeEvents(ctx, c.ID.String(), nil)
		return err
	})
	w.objectRows(t, tb, "Timelines", models.CaseSubmitted, func(ctx context.Context, c *models.Case) error {
		pages, errs := svc.Timelines(ctx, []cases.TimelineKey{cases.NewTimelineKey(c.ID, page.Args{})})
		return hiddenUnlessFound(len(pages[0].Items), errs[0])
	})
	w.objectRowsWith(t, tb, "OutcomesByCaseID", func(o authztest.Object) *models.Case { return w.withOutcome(t, o) }, func(ctx context.Context, c *models.Case) error {
		out, err := svc.OutcomesByCaseID(ctx, []uuid.UUID{c.ID})
		return hiddenUnlessFound(len(out), err)
	})
	w.objectRowsWith(t, tb, "CasesByReferralID", func(o authztest.Object) *models.Case { return w.referred(t, o) }, func(ctx context.Context, c *models.Case) error {
		out, err := svc.CasesByReferralID(ctx, []uuid.UUID{*c.ReferralID})
		return hiddenUnlessFound(len(out), err)
	})
	w.objectRows(t, tb, "GrantConsent", models.CaseSubmitted, func(ctx context.Context, c *models.Case) error {
		id := c.ID.String()
		_, err := svc.GrantConsent(ctx, models.ConsentShareWithLegalPartner, &id)
		return err
	})
	consents := map[uuid.UUID]uuid.UUID{}
	w.objectRowsWith(t, tb, "RevokeConsent", func(o authztest.Object) *models.Case { return w.withConsent(t, o, consents) }, func(ctx context.Context, c *models.Case) error {
		_, err := svc.RevokeConsent(ctx, consents[c.ID].String())
		return err
	})

	w.objectRows(t, tb, "SetDeadline", models.CaseReceived, func(ctx context.Context, c *models.Case) error {
		d := models.NewDate(time.Now().AddDate(0, 0, 30))
		_, err := svc.SetDeadline(ctx, c.ID.String(), &d, c.Version)
		return err
	})

	// Transfer: a case whose patient shares it, to a partner that serves it.
	target := w.s.Org(t, models.OrgLegalAid, []string{"CA"}, models.CategoryHousing)
	w.objectRowsWith(t, tb, "Transfer", func(o authztest.Object) *models.Case {
		c := w.withConsent(t, o, map[uuid.UUID]uuid.UUID{})
		if err := w.s.DB.Model(c).UpdateColumn("status", models.CaseReceived).Error; err != nil {
			t.Fatal(err)
		}
		return c
	}, func(ctx context.Context, c *models.Case) error {
		_, err := svc.Transfer(ctx, c.ID.String(), target.ID.String(), "We cannot take it.")
		return err
	})

	n := tb.Run(t)
	t.Logf("%d rows", n)
}
