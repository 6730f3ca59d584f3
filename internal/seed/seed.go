// Package seed loads the demo data of a development database: the five
// partnerships of a large HMO's medical-legal initiative and one account per
// role. It runs only on an empty database.
package seed

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"mlp/models"
)

// DemoPassword is the password of every demo account (README lists them).
const DemoPassword = "demo-password-2026"

// Demo accounts, one per role.
const (
	DemoPatient   = "patient@demo.mlp.test"
	DemoClinician = "clinician@demo.mlp.test"
	DemoAdvocate  = "advocate@demo.mlp.test"
	DemoEditor    = "editor@demo.mlp.test"
	DemoAdmin     = "admin@demo.mlp.test"
)

// Partnership is one region of the health system and its legal-aid partner.
type Partnership struct {
	Region       string
	HealthSystem string
	LegalAid     string
	States       []string
	Website      string
	Categories   []models.LegalCategory
}

// Partnerships are the five medical-legal partnerships of the demo data.
var Partnerships = []Partnership{
	{Region: "Southern California", HealthSystem: "Southern California Region Medical Group", LegalAid: "Neighborhood Legal Services of Los Angeles County",
		States: []string{"CA"}, Website: "https://nlsla.org",
		Categories: []models.LegalCategory{models.CategoryHousing, models.CategoryPublicBenefits, models.CategoryEmployment, models.CategoryFamily, models.CategoryMedicalDebt, models.CategoryImmigration, models.CategoryFood}},
	{Region: "Northwest", HealthSystem: "Northwest Region Medical Group", LegalAid: "Legal Aid Services of Oregon",
		States: []string{"OR"}, Website: "https://lasoregon.org",
		Categories: []models.LegalCategory{models.CategoryHousing, models.CategoryPublicBenefits, models.CategoryEmployment, models.CategoryFamily, models.CategoryUtilities, models.CategoryMedicalDebt}},
	{Region: "Mid-Atlantic", HealthSystem: "Mid-Atlantic Region Medical Group", LegalAid: "Maryland Legal Aid",
		States: []string{"MD"}, Website: "https://www.mdlab.org",
		Categories: []models.LegalCategory{models.CategoryHousing, models.CategoryPublicBenefits, models.CategoryEmployment, models.CategoryEducation, models.CategoryFamily, models.CategoryMedicalDebt, models.CategoryUtilities, models.CategoryDisability}},
	{Region: "Northern California", HealthSystem: "Northern California Region Medical Group", LegalAid: "Legal Services of Northern California",
		States: []string{"CA"}, Website: "https://lsnc.net",
		Categories: []models.LegalCategory{models.CategoryHousing, models.CategoryPublicBenefits, models.CategoryEducation, models.CategoryDisability, models.CategoryMedicalDebt, models.CategoryFood, models.CategoryUtilities}},
	{Region: "Colorado", HealthSystem: "Colorado Region Medical Group", LegalAid: "Colorado Legal Services",
		States: []string{"CO"}, Website: "https://www.coloradolegalservices.org",
		Categories: []models.LegalCategory{models.CategoryHousing, models.CategoryPublicBenefits, models.CategoryEmployment, models.CategoryFamily, models.CategoryDisability, models.CategoryMedicalDebt, models.CategoryOther}},
}

// Data is what Demo created, for the seed steps of other areas.
type Data struct {
	HealthSystems map[string]*models.Organization // by region
	LegalAid      map[string]*models.Organization // by region
	Users         map[models.Role]*models.User
}

// Step adds demo data of one area, after the accounts exist.
type Step func(ctx context.Context, tx *gorm.DB, d *Data) error

// Steps are the seed steps of the other areas, run in order after accounts.
var Steps []Step

// Demo loads the demo data into an empty database and reports whether it did.
// hash hashes the demo password.
func Demo(ctx context.Context, db *gorm.DB, hash func(string) (string, error)) (bool, error) {
	var n int64
	if err := db.WithContext(ctx).Model(&models.User{}).Count(&n).Error; err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	pw, err := hash(DemoPassword)
	if err != nil {
		return false, err
	}
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		d := &Data{HealthSystems: map[string]*models.Organization{}, LegalAid: map[string]*models.Organization{}, Users: map[models.Role]*models.User{}}
		for _, p := range Partnerships {
			hs := &models.Organization{Name: p.HealthSystem, Kind: models.OrgHealthSystem, ServiceAreas: p.States, Categories: []models.LegalCategory{}}
			site := p.Website
			la := &models.Organization{Name: p.LegalAid, Kind: models.OrgLegalAid, ServiceAreas: p.States, Categories: p.Categories, Website: &site}
			if err := tx.Create(hs).Error; err != nil {
				return fmt.Errorf("seed %s: %w", p.HealthSystem, err)
			}
			if err := tx.Create(la).Error; err != nil {
				return fmt.Errorf("seed %s: %w", p.LegalAid, err)
			}
			d.HealthSystems[p.Region] = hs
			d.LegalAid[p.Region] = la
		}
		home := Partnerships[0].Region
		accounts := []struct {
			email, name string
			role        models.Role
			org         *models.Organization
			lang        string
		}{
			{DemoPatient, "Maria P.", models.RolePatient, nil, "es"},
			{DemoClinician, "Dr. Sam Rivera", models.RoleClinician, d.HealthSystems[home], "en"},
			{DemoAdvocate, "Alex Chen, Esq.", models.RoleAdvocate, d.LegalAid[home], "en"},
			{DemoEditor, "Jordan Lee", models.RoleEditor, d.LegalAid[home], "en"},
			{DemoAdmin, "Pat Admin", models.RoleAdmin, nil, "en"},
		}
		for _, a := range accounts {
			u := &models.User{Email: a.email, PasswordHash: pw, DisplayName: a.name, Role: a.role, PreferredLanguage: a.lang}
			if a.org != nil {
				u.OrganizationID = &a.org.ID
			}
			if err := tx.Create(u).Error; err != nil {
				return fmt.Errorf("seed %s: %w", a.email, err)
			}
			d.Users[a.role] = u
		}
		for _, step := range Steps {
			if err := step(ctx, tx, d); err != nil {
				return err
			}
		}
		return nil
	})
	return err == nil, err
}
