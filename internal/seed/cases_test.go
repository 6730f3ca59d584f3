package seed_test

import (
	"context"
	"os"
	"testing"

	"github.com/google/uuid"

	"mlp/internal/auth"
	"mlp/internal/cases"
	"mlp/internal/clock"
	"mlp/internal/database/dbtest"
	"mlp/internal/seed"
	"mlp/internal/unit"
	"mlp/models"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }

func TestDemoCases(t *testing.T) {
	db := dbtest.Open(t)
	loaded, err := seed.Demo(context.Background(), db, func(string) (string, error) { return "not-a-real-hash", nil })
	if err != nil || !loaded {
		t.Fatalf("Demo = %v, %v", loaded, err)
	}
	var patient models.User
	if err := db.Take(&patient, "email = ?", seed.DemoPatient).Error; err != nil {
		t.Fatal(err)
	}
	var cs []models.Case
	if err := db.Where("patient_id = ?", patient.ID).Order("reference").Find(&cs).Error; err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].OrganizationID == nil || cs[0].Status != models.CaseReceived || cs[0].AssignedAdvocateID == nil {
		t.Fatalf("demo cases = %+v", cs)
	}
	var events int64
	db.Model(&models.CaseEvent{}).Where("case_id = ?", cs[0].ID).Count(&events)
	if events != 4 { // CREATED, STATUS_CHANGED, ASSIGNED, MESSAGE
		t.Fatalf("events of the housing case = %d", events)
	}
}

// TestDemoCasesReachTheDemoAdvocate opens, as the demo patient, a case of
// every category with and without the demo ZIP code, self-intake and from a
// referral of the demo clinician: each reaches the demo advocate's
// organization.
func TestDemoCasesReachTheDemoAdvocate(t *testing.T) {
	db := dbtest.Open(t)
	if _, err := seed.Demo(context.Background(), db, func(string) (string, error) { return "not-a-real-hash", nil }); err != nil {
		t.Fatal(err)
	}
	users := map[string]models.User{}
	for _, e := range []string{seed.DemoPatient, seed.DemoClinician, seed.DemoAdvocate} {
		var u models.User
		if err := db.Take(&u, "email = ?", e).Error; err != nil {
			t.Fatal(err)
		}
		users[e] = u
	}
	patient, advocate := users[seed.DemoPatient], users[seed.DemoAdvocate]
	clinicianOrg := users[seed.DemoClinician].OrganizationID
	svc := cases.NewService(db, clock.System)
	p := &auth.Principal{ID: patient.ID, Role: models.RolePatient}
	zip := seed.DemoZIP
	for _, cat := range models.AllLegalCategories {
		for _, z := range []*string{&zip, nil} {
			for _, hs := range []*uuid.UUID{nil, clinicianOrg} {
				err := unit.Do(context.Background(), db, clock.System, p, func(w *unit.Work) error {
					c, err := svc.Open(w, cases.OpenCase{IdempotencyKey: uuid.NewString(), Category: cat,
						Description: "Help.", Jurisdiction: "CA", ConsentToShare: true, ZipCode: z, HealthSystemID: hs})
					if err != nil {
						return err
					}
					if c.OrganizationID == nil || *c.OrganizationID != *advocate.OrganizationID {
						t.Errorf("%s zip=%v referral=%v: routed to %v, not the demo advocate's organization", cat, z != nil, hs != nil, c.OrganizationID)
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}
