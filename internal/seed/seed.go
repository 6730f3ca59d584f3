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
// Areas are the partner's real coverage (county FIPS codes or state codes):
// they are both the legal-aid organization's service areas and the
// partnership's, and the region's health system serves Region's areas.
type Partnership struct {
	Region       string
	HealthSystem string
	LegalAid     string
	// RegionAreas are where the health system's members live.
	RegionAreas []string
	// Areas are where the legal-aid partner takes cases.
	Areas      []string
	Website    string
	Categories []models.LegalCategory
}

// Counties of the demo partnerships (FIPS codes).
var (
	losAngelesCounty = "06037"
	// southernCalifornia: Los Angeles, Orange, Riverside, San Bernardino,
	// San Diego, Ventura, Kern and Imperial counties.
	southernCalifornia = []string{"06037", "06059", "06065", "06071", "06073", "06111", "06029", "06025"}
	// lsncCounties are the 23 counties Legal Services of Northern California
	// serves: Butte, Colusa, Del Norte, El Dorado, Glenn, Humboldt, Lake,
	// Lassen, Mendocino, Modoc, Nevada, Placer, Plumas, Sacramento, Shasta,
	// Sierra, Siskiyou, Solano, Sutter, Tehama, Trinity, Yolo, Yuba.
	lsncCounties = []string{"06007", "06011", "06015", "06017", "06021", "06023", "06033", "06035", "06045", "06049", "06057", "06061",
		"06063", "06067", "06089", "06091", "06093", "06095", "06101", "06103", "06105", "06113", "06115"}
)

// DemoZIP is the demo patient's ZIP code (downtown Los Angeles, in Los
// Angeles County), which the demo cases give.
const DemoZIP = "90012"

// Partnerships are the five medical-legal partnerships of the demo data. The
// first is the demo accounts' home: NLSLA takes every category, so that the
// demo patient's and the demo clinician's cases always reach the demo
// advocate.
var Partnerships = []Partnership{
	{Region: "Southern California", HealthSystem: "Southern California Region Medical Group", LegalAid: "Neighborhood Legal Services of Los Angeles County",
		RegionAreas: southernCalifornia, Areas: []string{losAngelesCounty}, Website: "https://nlsla.org",
		Categories: models.AllLegalCategories},
	{Region: "Northwest", HealthSystem: "Northwest Region Medical Group", LegalAid: "Legal Aid Services of Oregon",
		RegionAreas: []string{"OR"}, Areas: []string{"OR"}, Website: "https://lasoregon.org",
		Categories: []models.LegalCategory{models.CategoryHousing, models.CategoryPublicBenefits, models.CategoryEmployment, models.CategoryFamily, models.CategoryUtilities, models.CategoryMedicalDebt}},
	{Region: "Mid-Atlantic", HealthSystem: "Mid-Atlantic Region Medical Group", LegalAid: "Maryland Legal Aid",
		RegionAreas: []string{"MD"}, Areas: []string{"MD"}, Website: "https://www.mdlab.org",
		Categories: []models.LegalCategory{models.CategoryHousing, models.CategoryPublicBenefits, models.CategoryEmployment, models.CategoryEducation, models.CategoryFamily, models.CategoryMedicalDebt, models.CategoryUtilities, models.CategoryDisability}},
	{Region: "Northern California", HealthSystem: "Northern California Region Medical Group", LegalAid: "Legal Services of Northern California",
		RegionAreas: lsncCounties, Areas: lsncCounties, Website: "https://lsnc.net",
		Categories: []models.LegalCategory{models.CategoryHousing, models.CategoryPublicBenefits, models.CategoryEducation, models.CategoryDisability, models.CategoryMedicalDebt, models.CategoryFood, models.CategoryUtilities}},
	{Region: "Colorado", HealthSystem: "Colorado Region Medical Group", LegalAid: "Colorado Legal Services",
		RegionAreas: []string{"CO"}, Areas: []string{"CO"}, Website: "https://www.coloradolegalservices.org",
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
			hs := &models.Organization{Name: p.HealthSystem, Kind: models.OrgHealthSystem, ServiceAreas: p.RegionAreas, Categories: []models.LegalCategory{}}
			site := p.Website
			la := &models.Organization{Name: p.LegalAid, Kind: models.OrgLegalAid, ServiceAreas: p.Areas, Categories: p.Categories, Website: &site}
			if err := tx.Create(hs).Error; err != nil {
				return fmt.Errorf("seed %s: %w", p.HealthSystem, err)
			}
			if err := tx.Create(la).Error; err != nil {
				return fmt.Errorf("seed %s: %w", p.LegalAid, err)
			}
			if err := tx.Create(&models.Partnership{HealthSystemID: hs.ID, LegalAidID: la.ID, Categories: p.Categories,
				ServiceAreas: p.Areas, Version: 1}).Error; err != nil {
				return fmt.Errorf("seed partnership %s: %w", p.Region, err)
			}
			d.HealthSystems[p.Region] = hs
			d.LegalAid[p.Region] = la
		}
		home := Partnerships[0].Region
		accounts := []struct {
			email, name string
			role        models.Role
			org, hs     *models.Organization
			lang        string
		}{
			{DemoPatient, "Maria P.", models.RolePatient, nil, d.HealthSystems[home], "es"},
			{DemoClinician, "Dr. Sam Rivera", models.RoleClinician, d.HealthSystems[home], nil, "en"},
			{DemoAdvocate, "Alex Chen, Esq.", models.RoleAdvocate, d.LegalAid[home], nil, "en"},
			{DemoEditor, "Jordan Lee", models.RoleEditor, d.LegalAid[home], nil, "en"},
			{DemoAdmin, "Pat Admin", models.RoleAdmin, nil, nil, "en"},
		}
		for _, a := range accounts {
			u := &models.User{Email: a.email, PasswordHash: pw, DisplayName: a.name, Role: a.role, PreferredLanguage: a.lang}
			if a.org != nil {
				u.OrganizationID = &a.org.ID
			}
			if a.hs != nil {
				u.HealthSystemID = &a.hs.ID
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
