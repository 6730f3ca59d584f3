package seed_test

import (
	"context"
	"os"
	"testing"

	"mlp/internal/database/dbtest"
	"mlp/internal/seed"
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
