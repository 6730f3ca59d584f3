package guides_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"gorm.io/gorm"

	"mlp/internal/guides"
	"mlp/internal/seed"
	"mlp/models"
)

// TestDemoGuides runs the guides seed step in a transaction that is rolled
// back, and checks the demo content: at least 12 published PATIENTS guides in
// 6 categories, English and Spanish, for CA, OR, MD, CO and the US, each at
// reading grade 8 or below by ReadingGrade; at least 3 CLINICIANS trainings;
// every PATIENTS guide in both English and Spanish.
func TestDemoGuides(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	tm := newTeam(t, s)
	var pub []models.PublishedGuide
	errRollback := errors.New("rollback")
	err := s.DB.Transaction(func(tx *gorm.DB) error {
		d := &seed.Data{Users: map[models.Role]*models.User{models.RoleEditor: tm.authorUser, models.RoleAdmin: tm.reviewerUser}}
		if err := seed.GuideStep(context.Background(), tx, d); err != nil {
			return err
		}
		if err := tx.Where("author_id = ?", tm.authorUser.ID).Find(&pub).Error; err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	if len(pub) != len(seed.DemoGuides) {
		t.Fatalf("%d published, want %d", len(pub), len(seed.DemoGuides))
	}
	var patients, clinicians int
	cats, locales, places := map[models.LegalCategory]bool{}, map[string]bool{}, map[string]bool{}
	for _, g := range pub {
		if g.Audience == models.AudienceClinicians {
			clinicians++
			continue
		}
		patients++
		cats[g.Category] = true
		locales[g.Locale] = true
		for _, j := range g.Jurisdictions {
			places[j] = true
		}
		t.Logf("%-42s %s grade %4.1f", g.Slug, g.Locale, g.ReadingGrade)
		if g.ReadingGrade > 8 || g.ReadingGrade != guides.ReadingGrade(g.Locale, g.Body) {
			t.Errorf("%s/%s: reading grade %.1f, want 8 or below", g.Slug, g.Locale, g.ReadingGrade)
		}
	}
	if patients < 12 || clinicians < 3 || len(cats) < 6 || !locales["en"] || !locales["es"] {
		t.Fatalf("%d patient guides, %d trainings, %d categories, locales %v", patients, clinicians, len(cats), locales)
	}
	for _, j := range []string{"CA", "OR", "MD", "CO", "US"} {
		if !places[j] {
			t.Errorf("no guide for %s", j)
		}
	}
	if !slices.ContainsFunc(pub, func(g models.PublishedGuide) bool { return g.Locale == "es" && g.Jurisdictions[0] == "CA" }) {
		t.Error("no Spanish guide for California")
	}
	// Every patient guide is in English and in Spanish, with the same
	// category, audience and jurisdictions.
	bySlug := map[string]map[string]models.PublishedGuide{}
	for _, g := range pub {
		if g.Audience != models.AudiencePatients {
			continue
		}
		if bySlug[g.Slug] == nil {
			bySlug[g.Slug] = map[string]models.PublishedGuide{}
		}
		bySlug[g.Slug][g.Locale] = g
	}
	for slug, copies := range bySlug {
		en, hasEN := copies["en"]
		es, hasES := copies["es"]
		switch {
		case !hasES:
			t.Errorf("patient guide %s has no Spanish version", slug)
		case !hasEN:
			t.Errorf("patient guide %s has no English version", slug)
		case en.Category != es.Category || !slices.Equal(en.Jurisdictions, es.Jurisdictions):
			t.Errorf("%s: the Spanish version's category or jurisdictions differ from the English one's", slug)
		}
	}
}
