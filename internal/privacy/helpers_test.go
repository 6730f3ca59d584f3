package privacy_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

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
