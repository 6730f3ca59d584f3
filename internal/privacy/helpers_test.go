package privacy_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/internal/auth"
	"mlp/models"
)

var refSeq atomic.Int64

// world is a legal-aid organization with an advocate, a health system with
// a clinician, an editor, an admin and two patients, each with a token.
type world struct {
	org, clinic                        *models.Organization
	advocate, clinician, editor, admin *models.User
	patient, other                     *models.User
	advTok, clinTok, edTok, adminTok   string
	patientTok, otherTok               string
}

func newWorld(t *testing.T, s *apptest.Server) *world {
	t.Helper()
	w := &world{}
	w.org = s.Org(t, models.OrgLegalAid, []string{"CA"})
	w.clinic = s.Org(t, models.OrgHealthSystem, []string{"CA"})
	w.advocate, w.advTok = s.User(t, models.RoleAdvocate, w.org)
	w.clinician, w.clinTok = s.User(t, models.RoleClinician, w.clinic)
	w.editor, w.edTok = s.User(t, models.RoleEditor, w.org)
	w.admin, w.adminTok = s.User(t, models.RoleAdmin, nil)
	w.patient, w.patientTok = s.User(t, models.RolePatient, nil)
	w.other, w.otherTok = s.User(t, models.RolePatient, nil)
	// Names that the access log must never show.
	for _, u := range []*models.User{w.advocate, w.clinician, w.editor, w.admin} {
		u.DisplayName = "Staffname" + uuid.NewString()[:8]
		if err := s.DB.Model(u).Update("display_name", u.DisplayName).Error; err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// insertCase stores a case of patient routed to org, with a CREATED event.
func insertCase(t testing.TB, s *apptest.Server, patient *models.User, org *models.Organization, status models.CaseStatus, description string) *models.Case {
	t.Helper()
	c := &models.Case{
		ID:             uuid.Must(uuid.NewV7()),
		Reference:      fmt.Sprintf("MLP-0002-%06d", refSeq.Add(1)),
		PatientID:      patient.ID,
		IdempotencyKey: uuid.NewString(),
		Category:       models.CategoryHousing,
		Description:    description,
		Status:         status,
		Jurisdiction:   "CA",
		Version:        1,
	}
	if org != nil {
		c.OrganizationID = &org.ID
	}
	if err := s.DB.Create(c).Error; err != nil {
		t.Fatal(err)
	}
	to := models.CaseSubmitted
	role := models.RolePatient
	ev := &models.CaseEvent{ID: uuid.Must(uuid.NewV7()), CaseID: c.ID, Kind: models.EventCreated, ToStatus: &to,
		ActorID: &patient.ID, ActorRole: &role, VisibleToPatient: true}
	if err := s.DB.Create(ev).Error; err != nil {
		t.Fatal(err)
	}
	return c
}

// as returns a context whose caller is u.
func as(u *models.User) context.Context {
	return auth.WithPrincipal(context.Background(), &auth.Principal{ID: u.ID, Role: u.Role, OrganizationID: u.OrganizationID})
}

// code returns the error code of err ("" for nil).
func code(err error) string {
	if err == nil {
		return ""
	}
	return string(models.ErrorCodeOf(err))
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// person is a patient's data across the tables, each text holding tag.
type person struct {
	user     *models.User
	tok      string
	c        *models.Case
	referral *models.Referral
	tag      string
}

// seedPerson gives patient a case routed to w.org with description, a
// message of theirs and an internal one of the advocate, a claimed referral
// of w.clinician, a consent, a notification and a push device; every text
// holds tag.
func seedPerson(t *testing.T, s *apptest.Server, w *world, patient *models.User, tok, tag string) *person {
	t.Helper()
	c := insertCase(t, s, patient, w.org, models.CaseInProgress, "Description "+tag)
	income := int64(123456)
	if err := s.DB.Model(c).Update("monthly_income_cents", income).Error; err != nil {
		t.Fatal(err)
	}
	addMsg := func(tok, body string, visible bool) {
		s.Do(t, tok, `mutation($id: ID!, $b: String!, $v: Boolean) { addCaseMessage(caseId: $id, body: $b, visibleToPatient: $v) { id } }`,
			map[string]any{"id": c.ID.String(), "b": body, "v": visible}).MustOK(t)
	}
	addMsg(tok, "Patient message "+tag, true)
	addMsg(w.advTok, "Internal note "+tag, false)
	now := time.Now()
	note := "Screening note " + tag
	hash := sha256.Sum256([]byte(uuid.NewString()))
	r := &models.Referral{CodeHash: hash[:], CodeHint: "ABCD", Status: models.ReferralClaimed, ClinicianID: w.clinician.ID,
		OrganizationID: &w.clinic.ID, PatientLabel: "Label " + tag[:8], Categories: []models.LegalCategory{models.CategoryHousing},
		Screening: []*models.ScreeningAnswer{{Domain: models.DomainHousingAndUtilities, Positive: true, Note: &note}},
		Notes:     &note, Jurisdiction: "CA", RecommendedGuideSlugs: []string{}, ClaimedByID: &patient.ID, ClaimedAt: &now,
		ExpiresAt: now.Add(models.ReferralTTL)}
	if err := s.DB.Create(r).Error; err != nil {
		t.Fatal(err)
	}
	if err := s.DB.Model(c).Update("referral_id", r.ID).Error; err != nil {
		t.Fatal(err)
	}
	consent := &models.Consent{PatientID: patient.ID, Scope: models.ConsentShareWithLegalPartner,
		TextVersion: models.ConsentTextVersions[models.ConsentShareWithLegalPartner], CaseID: &c.ID, GrantedAt: now}
	if err := s.DB.Create(consent).Error; err != nil {
		t.Fatal(err)
	}
	n := &models.Notification{UserID: patient.ID, Kind: "CASE_UPDATED", Title: "Update", Body: "Body " + tag, CaseID: &c.ID}
	if err := s.DB.Create(n).Error; err != nil {
		t.Fatal(err)
	}
	s.Do(t, tok, `mutation($t: String!) { registerDevice(platform: ANDROID, token: $t) }`, map[string]any{"t": "pushtoken-" + tag}).MustOK(t)
	return &person{user: patient, tok: tok, c: c, referral: r, tag: tag}
}
