package seed

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"mlp/internal/auth"
	"mlp/internal/cases"
	"mlp/internal/clock"
	"mlp/internal/unit"
	"mlp/models"
)

func init() { Steps = append(Steps, demoCases) }

// demoCases opens two cases for the demo patient through the case service
// (routing, references, consent, timeline as in real use); the demo advocate
// receives the housing one and writes to the patient.
func demoCases(ctx context.Context, tx *gorm.DB, d *Data) error {
	svc := cases.NewService(tx, clock.System)
	patient, advocate := d.Users[models.RolePatient], d.Users[models.RoleAdvocate]
	pp := &auth.Principal{ID: patient.ID, Role: patient.Role}
	w := unit.In(ctx, tx, clock.System, pp)
	deadline := models.NewDate(time.Now().AddDate(0, 0, 10))
	contact := models.ContactSMS
	household := 3
	income := int64(210000)
	zip := DemoZIP
	housing, err := svc.Open(w, cases.OpenCase{
		IdempotencyKey: "demo-housing", Category: models.CategoryHousing, Jurisdiction: "CA", ConsentToShare: true,
		Description: "My landlord gave me a 3-day notice to pay or quit. My asthma got worse because of mold in the bedroom and I held back part of the rent.",
		Deadline:    &deadline, PreferredContact: &contact, HouseholdSize: &household, MonthlyIncomeCents: &income,
		ZipCode: &zip,
	})
	if err != nil {
		return fmt.Errorf("seed demo housing case: %w", err)
	}
	if _, err := svc.Open(w, cases.OpenCase{
		IdempotencyKey: "demo-benefits", Category: models.CategoryPublicBenefits, Jurisdiction: "CA", ConsentToShare: true,
		Description: "My CalFresh benefits stopped after I missed a phone interview while I was in the hospital.",
		ZipCode:     &zip,
	}); err != nil {
		return fmt.Errorf("seed demo benefits case: %w", err)
	}
	if housing.OrganizationID == nil || advocate.OrganizationID == nil || *housing.OrganizationID != *advocate.OrganizationID {
		return fmt.Errorf("seed: the demo housing case was not routed to the demo advocate's organization")
	}
	actx := auth.WithPrincipal(ctx, &auth.Principal{ID: advocate.ID, Role: advocate.Role, OrganizationID: advocate.OrganizationID})
	note := "We have your request and will call you within two business days."
	if _, err := svc.UpdateStatus(actx, models.UpdateCaseStatusInput{CaseID: housing.ID.String(), Status: models.CaseReceived, Note: &note}); err != nil {
		return fmt.Errorf("seed demo case status: %w", err)
	}
	if _, err := svc.Assign(actx, housing.ID.String(), advocate.ID.String()); err != nil {
		return fmt.Errorf("seed demo assignment: %w", err)
	}
	if _, err := svc.AddMessage(actx, housing.ID.String(), "Please keep photos of the mold and any letters from your landlord.", nil); err != nil {
		return fmt.Errorf("seed demo message: %w", err)
	}
	return nil
}
