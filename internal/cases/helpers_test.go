package cases_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/models"
)

var (
	statesMu sync.Mutex
	// Tests that only need some valid jurisdiction use these; freeState never
	// hands them out.
	statesUsed = map[string]bool{"CA": true, "TX": true, "NY": true, "WA": true, "PR": true, "NV": true}
	refSeq     atomic.Int64
)

// freeState hands each test a jurisdiction of its own, so that the legal-aid
// organizations a test creates are the only ones routing can pick there.
func freeState(t testing.TB) string {
	t.Helper()
	statesMu.Lock()
	defer statesMu.Unlock()
	for st := range models.USJurisdictions {
		if !statesUsed[st] {
			statesUsed[st] = true
			return st
		}
	}
	t.Fatal("no free jurisdiction left for this test")
	return ""
}

// caseOpt changes a case insertCase stores.
type caseOpt func(*models.Case)

func withDeadline(d models.Date) caseOpt { return func(c *models.Case) { c.Deadline = &d } }
func withCategory(cat models.LegalCategory) caseOpt {
	return func(c *models.Case) { c.Category = cat }
}
func assignedTo(u *models.User) caseOpt { return func(c *models.Case) { c.AssignedAdvocateID = &u.ID } }

// insertCase stores a case of patient routed to org (nil for none) in status
// directly, with a CREATED event visible to the patient, for tests that need a
// case in a given state.
func insertCase(t testing.TB, s *apptest.Server, patient *models.User, org *models.Organization, status models.CaseStatus, opts ...caseOpt) *models.Case {
	t.Helper()
	c := &models.Case{
		ID:             uuid.Must(uuid.NewV7()),
		Reference:      fmt.Sprintf("MLP-0001-%06d", refSeq.Add(1)),
		PatientID:      patient.ID,
		IdempotencyKey: uuid.NewString(),
		Category:       models.CategoryHousing,
		Description:    "Test case.",
		Status:         status,
		Jurisdiction:   "CA",
		Version:        1,
	}
	if org != nil {
		c.OrganizationID = &org.ID
	}
	for _, o := range opts {
		o(c)
	}
	if err := s.DB.Create(c).Error; err != nil {
		t.Fatal(err)
	}
	msg := "Created."
	to := models.CaseSubmitted
	role := models.RolePatient
	ev := &models.CaseEvent{ID: uuid.Must(uuid.NewV7()), CaseID: c.ID, Kind: models.EventCreated, ToStatus: &to,
		Message: &msg, ActorID: &patient.ID, ActorRole: &role, VisibleToPatient: true}
	if err := s.DB.Create(ev).Error; err != nil {
		t.Fatal(err)
	}
	return c
}

// reload reads case id from the database.
func reload(t testing.TB, s *apptest.Server, id uuid.UUID) *models.Case {
	t.Helper()
	var c models.Case
	if err := s.DB.Take(&c, "id = ?", id).Error; err != nil {
		t.Fatal(err)
	}
	return &c
}

// countEvents counts the events of case id.
func countEvents(t testing.TB, s *apptest.Server, id uuid.UUID) int64 {
	t.Helper()
	var n int64
	if err := s.DB.Model(&models.CaseEvent{}).Where("case_id = ?", id).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// countWhere counts rows of model matching the condition.
func countWhere(t testing.TB, s *apptest.Server, model any, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := s.DB.Model(model).Where(query, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
