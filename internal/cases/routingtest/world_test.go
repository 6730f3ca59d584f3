package routingtest

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/models"
)

// ZIP codes of the world, each in one county (internal/geo).
const (
	zipLosAngeles  = "90012" // 06037 Los Angeles
	zipSacramento  = "95814" // 06067 Sacramento
	zipSF          = "94102" // 06075 San Francisco
	zipChinoHills  = "91709" // 06037 Los Angeles and 06071 San Bernardino
	zipPortland    = "97201" // 41051 Multnomah
	zipBaltimore   = "21201" // 24510 Baltimore City
	countyLA       = "06037"
	countySac      = "06067"
	countyPlacer   = "06061"
	countyMultnoma = "41051"
	countyBaltCity = "24510"
)

var (
	housing   = models.CategoryHousing
	benefits  = models.CategoryPublicBenefits
	food      = models.CategoryFood
	education = models.CategoryEducation
)

// world is the partners of the routing table, made once per test server:
//
//	CA  statewide: areas CA, HOUSING and PUBLIC_BENEFITS (the oldest)
//	    laAid: Los Angeles County, HOUSING, PUBLIC_BENEFITS, FOOD; SoCal's partner there (HOUSING, PUBLIC_BENEFITS)
//	    norCalAid: Sacramento and Placer counties, HOUSING, PUBLIC_BENEFITS, EDUCATION; NorCal's partner in Sacramento (HOUSING)
//	OR  oregonAid: OR, HOUSING (older, two more open cases); oregonTwo: Multnomah County, HOUSING
//	MD  marylandAid: MD, HOUSING, WAITLIST 30 days; baltimoreAid: Baltimore City, HOUSING, NOT_ACCEPTING, Mid-Atlantic's partner
//	CO  coloradoFood: CO, FOOD, NOT_ACCEPTING; nobody takes HOUSING
type world struct {
	statewide, laAid, norCalAid             *models.Organization
	oregonAid, oregonTwo                    *models.Organization
	marylandAid, baltimoreAid, coloradoFood *models.Organization
	soCal, norCal, midAtlantic              *models.Organization
	names                                   map[uuid.UUID]string
}

func newWorld(t *testing.T, s *apptest.Server) *world {
	t.Helper()
	w := &world{names: map[uuid.UUID]string{}}
	org := func(name string, kind models.OrganizationKind, areas []string, cats ...models.LegalCategory) *models.Organization {
		o := s.Org(t, kind, areas, cats...)
		w.names[o.ID] = name
		return o
	}
	w.statewide = org("statewide", models.OrgLegalAid, []string{"CA"}, housing, benefits)
	w.laAid = org("laAid", models.OrgLegalAid, []string{countyLA}, housing, benefits, food)
	w.norCalAid = org("norCalAid", models.OrgLegalAid, []string{countySac, countyPlacer}, housing, benefits, education)
	w.oregonAid = org("oregonAid", models.OrgLegalAid, []string{"OR"}, housing)
	w.oregonTwo = org("oregonTwo", models.OrgLegalAid, []string{countyMultnoma}, housing)
	w.marylandAid = org("marylandAid", models.OrgLegalAid, []string{"MD"}, housing)
	w.baltimoreAid = org("baltimoreAid", models.OrgLegalAid, []string{countyBaltCity}, housing)
	w.coloradoFood = org("coloradoFood", models.OrgLegalAid, []string{"CO"}, food)
	w.soCal = org("soCal", models.OrgHealthSystem, []string{"CA"})
	w.norCal = org("norCal", models.OrgHealthSystem, []string{"CA"})
	w.midAtlantic = org("midAtlantic", models.OrgHealthSystem, []string{"MD"})

	partner(t, s, w.soCal, w.laAid, []string{countyLA}, housing, benefits)
	partner(t, s, w.norCal, w.norCalAid, []string{countySac}, housing)
	partner(t, s, w.midAtlantic, w.baltimoreAid, []string{countyBaltCity}, housing)
	capacity(t, s, w.marylandAid, housing, models.CapacityWaitlist, 30)
	capacity(t, s, w.baltimoreAid, housing, models.CapacityNotAccepting, 0)
	capacity(t, s, w.coloradoFood, food, models.CapacityNotAccepting, 0)
	// oregonAid is older; two more open cases make oregonTwo the fewest.
	patient, _ := s.User(t, models.RolePatient, nil)
	for range 2 {
		openCase(t, s, patient, w.oregonAid, "OR")
	}
	return w
}

// name is the world's name of organization id, "none" for nil.
func (w *world) name(id *uuid.UUID) string {
	if id == nil {
		return "none"
	}
	if n, ok := w.names[*id]; ok {
		return n
	}
	return id.String()
}

// partner stores an active partnership.
func partner(t *testing.T, s *apptest.Server, hs, la *models.Organization, areas []string, cats ...models.LegalCategory) *models.Partnership {
	t.Helper()
	p := &models.Partnership{HealthSystemID: hs.ID, LegalAidID: la.ID, ServiceAreas: areas, Categories: cats, Version: 1}
	if err := s.DB.Create(p).Error; err != nil {
		t.Fatal(err)
	}
	return p
}

// capacity stores org's capacity for cat.
func capacity(t *testing.T, s *apptest.Server, org *models.Organization, cat models.LegalCategory, st models.CapacityStatus, wait int) {
	t.Helper()
	c := &models.OrganizationCapacity{OrganizationID: org.ID, Category: cat, Status: st}
	if st == models.CapacityWaitlist {
		c.WaitDays = &wait
	}
	if err := s.DB.Save(c).Error; err != nil {
		t.Fatal(err)
	}
}

// openCase stores an open case of patient routed to org.
func openCase(t *testing.T, s *apptest.Server, patient *models.User, org *models.Organization, state string) *models.Case {
	t.Helper()
	c := &models.Case{ID: uuid.Must(uuid.NewV7()), Reference: fmt.Sprintf("MLP-0001-%06d", refSeq.Add(1)), PatientID: patient.ID,
		IdempotencyKey: uuid.NewString(), Category: housing, Description: "Open.", Status: models.CaseReceived,
		Jurisdiction: state, Version: 1}
	if org != nil {
		c.OrganizationID = &org.ID
	}
	if err := s.DB.Create(c).Error; err != nil {
		t.Fatal(err)
	}
	return c
}

var refSeq atomic.Int64
