package apptest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"mlp/internal/auth"
	"mlp/internal/authztest"
	"mlp/models"
)

// World is the fixture of the services' authorization tables: one caller of
// each role with real sessions, and for the object half a second of the
// roles that own things (another patient, another legal-aid organization
// with its advocate, another clinician), so that a row can be about the
// caller's own object or someone else's.
type World struct {
	S *Server
	// Org is the legal-aid organization of Advocate and Editor; OtherOrg
	// is another one, of OtherAdvocate. Health is Clinician's.
	Org, OtherOrg, Health *models.Organization
	// Users by role; the Other* ones own the "other" objects.
	Patient, Clinician, Advocate, Editor, Admin    *models.User
	OtherPatient, OtherClinician, OtherAdvocate    *models.User
	Tokens                                         map[models.Role]string
	Principals                                     map[models.Role]*auth.Principal
	OtherPatientP, OtherClinicianP, OtherAdvocateP *auth.Principal
}

// NewWorld builds the fixture on a new test server (options as New).
func NewWorld(tb testing.TB, opts ...Option) *World {
	tb.Helper()
	s := New(tb, opts...)
	w := &World{S: s, Tokens: map[models.Role]string{}, Principals: map[models.Role]*auth.Principal{}}
	w.Org = s.Org(tb, models.OrgLegalAid, []string{"CA"})
	w.OtherOrg = s.Org(tb, models.OrgLegalAid, []string{"CA"})
	w.Health = s.Org(tb, models.OrgHealthSystem, []string{"CA"})
	// Afterwards the world's organizations serve nowhere: the package's
	// other tests route their cases without them.
	tb.Cleanup(func() {
		s.DB.Exec(`UPDATE organizations SET service_areas = '{}' WHERE id IN ?`, []uuid.UUID{w.Org.ID, w.OtherOrg.ID, w.Health.ID})
	})
	add := func(role models.Role, org *models.Organization) *models.User {
		u, tok := s.User(tb, role, org)
		w.Tokens[role], w.Principals[role] = tok, w.Principal(tb, tok)
		return u
	}
	w.Patient = add(models.RolePatient, nil)
	w.Clinician = add(models.RoleClinician, w.Health)
	w.Advocate = add(models.RoleAdvocate, w.Org)
	w.Editor = add(models.RoleEditor, w.Org)
	w.Admin = add(models.RoleAdmin, nil)
	var tok string
	w.OtherPatient, tok = s.User(tb, models.RolePatient, nil)
	w.OtherPatientP = w.Principal(tb, tok)
	w.OtherClinician, tok = s.User(tb, models.RoleClinician, w.Health)
	w.OtherClinicianP = w.Principal(tb, tok)
	w.OtherAdvocate, tok = s.User(tb, models.RoleAdvocate, w.OtherOrg)
	w.OtherAdvocateP = w.Principal(tb, tok)
	return w
}

// Principal authenticates an access token as the doors do.
func (w *World) Principal(tb testing.TB, token string) *auth.Principal {
	tb.Helper()
	p, err := w.S.App.Resolver.Auth.Authenticate(context.Background(), token)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// Table returns an authorization table of pol over the world's callers.
func (w *World) Table(pol auth.Policy) *authztest.Table {
	ps := map[models.Role]*auth.Principal{}
	for r, p := range w.Principals {
		ps[r] = p
	}
	return &authztest.Table{Policy: pol, DB: w.S.DB, Principals: ps}
}

// Owner returns the user whose object a row of role is about: for obj Own
// the caller of role itself, for Other the other user of that role (the
// other patient, clinician or advocate; the caller itself for the roles
// with no other).
func (w *World) Owner(role models.Role, obj authztest.Object) *models.User {
	own := map[models.Role]*models.User{models.RolePatient: w.Patient, models.RoleClinician: w.Clinician,
		models.RoleAdvocate: w.Advocate, models.RoleEditor: w.Editor, models.RoleAdmin: w.Admin}
	if obj == authztest.Other {
		switch role {
		case models.RoleClinician:
			return w.OtherClinician
		case models.RoleAdvocate:
			return w.OtherAdvocate
		}
		return w.OtherPatient
	}
	if u := own[role]; u != nil {
		return u
	}
	return w.Patient
}

var caseSeq atomic.Int64

// caseSeries keeps the world's case references (MLP-7nnn-…) apart from the
// other tests' fixed series and from the application's (MLP-<year>-…).
var caseSeries = 7000 + rand.IntN(1000)

// Case inserts a case of patient routed to org (nil: unrouted) in status,
// with its CREATED event.
func (w *World) Case(tb testing.TB, patient *models.User, org *models.Organization, status models.CaseStatus) *models.Case {
	tb.Helper()
	c := &models.Case{ID: uuid.Must(uuid.NewV7()), Reference: fmt.Sprintf("MLP-%04d-%06d", caseSeries, caseSeq.Add(1)), PatientID: patient.ID,
		IdempotencyKey: uuid.NewString(), Category: models.CategoryHousing, Description: "World case.", Status: status,
		Jurisdiction: "CA", Version: 1}
	if org != nil {
		c.OrganizationID = &org.ID
	}
	if err := w.S.DB.Create(c).Error; err != nil {
		tb.Fatal(err)
	}
	to, role, msg := models.CaseSubmitted, models.RolePatient, "Created."
	ev := &models.CaseEvent{ID: uuid.Must(uuid.NewV7()), CaseID: c.ID, Kind: models.EventCreated, ToStatus: &to,
		Message: &msg, ActorID: &patient.ID, ActorRole: &role, VisibleToPatient: true}
	if err := w.S.DB.Create(ev).Error; err != nil {
		tb.Fatal(err)
	}
	return c
}

// OwnCase and OtherCase are a case of Patient routed to Org (the own
// patient's and own advocate's) and one of OtherPatient routed to OtherOrg.
func (w *World) OwnCase(tb testing.TB, status models.CaseStatus) *models.Case {
	return w.Case(tb, w.Patient, w.Org, status)
}

// OtherCase: see OwnCase.
func (w *World) OtherCase(tb testing.TB, status models.CaseStatus) *models.Case {
	return w.Case(tb, w.OtherPatient, w.OtherOrg, status)
}

// CaseFor returns OwnCase for obj Own and OtherCase for Other.
func (w *World) CaseFor(tb testing.TB, obj authztest.Object, status models.CaseStatus) *models.Case {
	if obj == authztest.Other {
		return w.OtherCase(tb, status)
	}
	return w.OwnCase(tb, status)
}
