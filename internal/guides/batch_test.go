package guides_test

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"mlp/graph/loaders"
	"mlp/internal/database"
	"mlp/internal/guides"
	"mlp/models"
)

// TestRelatedForCases covers the batch functions that Case.relatedGuides and
// Referral.recommendedGuides resolve through. It alone uses the category
// FAMILY, so the lists below are exact.
func TestRelatedForCases(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	tm := newTeam(t, s)
	svc := s.App.Resolver.Guides
	fam := func(over map[string]any) map[string]any {
		over["category"] = "FAMILY"
		return input(over)
	}
	shared := slug("custody")
	caEN := tm.published(t, fam(map[string]any{"slug": shared, "locale": "en", "jurisdictions": []string{"CA"}}))
	caES := tm.published(t, fam(map[string]any{"slug": shared, "locale": "es", "jurisdictions": []string{"CA"}}))
	us := tm.published(t, fam(map[string]any{"slug": slug("fmla"), "jurisdictions": []string{"US"}}))
	or := tm.published(t, fam(map[string]any{"slug": slug("oregon"), "jurisdictions": []string{"OR"}}))
	esOnly := tm.published(t, fam(map[string]any{"slug": slug("solo"), "locale": "es", "jurisdictions": []string{"CA"}}))
	training := tm.published(t, fam(map[string]any{"slug": slug("training"), "audience": "CLINICIANS", "jurisdictions": []string{"CA"}}))
	draft := tm.create(t, tm.author, fam(map[string]any{"slug": slug("draft"), "jurisdictions": []string{"CA"}}))
	// Published in French and German only, in another category: no case key
	// above lists it.
	elsewhere := slug("elsewhere")
	de := tm.published(t, input(map[string]any{"slug": elsewhere, "locale": "de", "jurisdictions": []string{"NV"}}))
	tm.published(t, input(map[string]any{"slug": elsewhere, "locale": "fr", "jurisdictions": []string{"NV"}}))
	spanishReader := &models.User{Email: "lector-" + uuid.NewString()[:8] + "@example.test", PasswordHash: "x",
		DisplayName: "Lector", Role: models.RolePatient, PreferredLanguage: "es"}
	if err := s.DB.Create(spanishReader).Error; err != nil {
		t.Fatal(err)
	}

	counted := func() (context.Context, *atomic.Int64) {
		n := &atomic.Int64{}
		return database.WithStatementCounter(context.Background(), n), n
	}

	t.Run("StateThenUSInReadersLanguageInOneStatement", func(t *testing.T) {
		keys := []guides.RelatedKey{
			{Category: models.CategoryFamily, Jurisdiction: "CA", Locale: "es"},
			{Category: models.CategoryFamily, Jurisdiction: "CA", Locale: "en"},
			{Category: models.CategoryFamily, Jurisdiction: "or", Locale: "es-MX"},
			{Category: models.CategoryFamily, Jurisdiction: "CA", LanguageOf: spanishReader.ID},
			{Category: models.CategoryFamily, Jurisdiction: "WY"},
			{Category: models.CategoryEducation, Jurisdiction: "WY", Locale: "en"},
		}
		want := [][]string{
			{esOnly.ID, caES.ID, us.ID}, // own state first, newest first, then US-wide in English
			{caEN.ID, us.ID},            // the Spanish-only guide is left out
			{or.ID, us.ID},              // no Spanish: English
			{esOnly.ID, caES.ID, us.ID}, // the reader's preferred language
			{us.ID},
			nil,
		}
		mine := []string{caEN.ID, caES.ID, us.ID, or.ID, esOnly.ID, training.ID, draft.ID}
		ctx, n := counted()
		got, err := svc.RelatedForCases(ctx, keys)
		if err != nil {
			t.Fatal(err)
		}
		for i := range keys {
			var gotIDs []string
			for _, g := range got[i] {
				if !slices.Contains(mine, g.ID.String()) {
					continue // a guide of an earlier run (-count)
				}
				gotIDs = append(gotIDs, g.ID.String())
				if g.ID.String() == training.ID || g.ID.String() == draft.ID {
					t.Fatalf("key %d: training or draft guide listed", i)
				}
			}
			if !slices.Equal(gotIDs, want[i]) {
				t.Errorf("key %d %+v: got %v, want %v", i, keys[i], gotIDs, want[i])
			}
		}
		if n.Load() != 1 {
			t.Fatalf("%d statements for %d keys, want 1", n.Load(), len(keys))
		}
	})
	t.Run("LoaderCutsToFirst", func(t *testing.T) {
		l := loaders.New(loaders.Sources{Guides: loaders.GuideSources{RelatedForCases: svc.RelatedForCases}})
		key := guides.RelatedKey{Category: models.CategoryFamily, Jurisdiction: "CA", Locale: "es"}
		one := 1
		gs, err := l.Guides.RelatedGuides(context.Background(), key, &one)
		if err != nil || len(gs) != 1 || gs[0].ID.String() != esOnly.ID {
			t.Fatalf("first 1: %v %v", gs, err)
		}
		tooMany := 101
		if _, err := l.Guides.RelatedGuides(context.Background(), key, &tooMany); models.ErrorCodeOf(err) != models.EINVALID {
			t.Fatalf("first 101: %v", err)
		}
	})
	t.Run("PrefetchServesLoadsFromCache", func(t *testing.T) {
		src := loaders.Sources{Guides: loaders.GuideSources{RelatedForCases: svc.RelatedForCases, PublishedBySlugs: svc.PublishedBySlugs}}
		l := loaders.New(src)
		ctx, n := counted()
		keys := []guides.RelatedKey{
			{Category: models.CategoryFamily, Jurisdiction: "CA", Locale: "es"},
			{Category: models.CategoryFamily, Jurisdiction: "OR", Locale: "en"},
		}
		l.PrefetchRelated(ctx, keys, loaders.GuideFields{})
		l.PrefetchRecommended(ctx, []guides.SlugKey{{Slug: us.Slug, Locale: "es"}, {Slug: shared, Locale: "es"}}, loaders.GuideFields{})
		for _, k := range keys {
			if gs, err := l.Guides.RelatedGuides(ctx, k, nil); err != nil || len(gs) == 0 {
				t.Fatalf("related %+v: %v %v", k, gs, err)
			}
		}
		if gs, err := l.Guides.Recommended(ctx, []string{us.Slug, shared}, "es", uuid.Nil); err != nil || len(gs) != 2 {
			t.Fatalf("recommended %v %v", gs, err)
		}
		if n.Load() != 2 {
			t.Fatalf("%d statements, want 2 (one per prefetch)", n.Load())
		}
	})
	t.Run("PublishedBySlugsFallsBackInOneStatement", func(t *testing.T) {
		keys := []guides.SlugKey{
			{Slug: shared, Locale: "es"},
			{Slug: shared, Locale: "fr"},
			{Slug: shared, LanguageOf: spanishReader.ID},
			{Slug: esOnly.Slug, Locale: "en"},
			{Slug: esOnly.Slug},
			{Slug: elsewhere, Locale: "en"},
			{Slug: training.Slug},
			{Slug: draft.Slug},
			{Slug: "no-such-guide"},
		}
		// A slug published in none of the reader's locales comes in a locale
		// it has (the first by locale), as ValidatePublishedSlugs accepted it.
		want := []string{caES.ID, caEN.ID, caES.ID, esOnly.ID, esOnly.ID, de.ID, "", "", ""}
		ctx, n := counted()
		got, err := svc.PublishedBySlugs(ctx, keys)
		if err != nil {
			t.Fatal(err)
		}
		for i, g := range got {
			id := ""
			if g != nil {
				id = g.ID.String()
			}
			if id != want[i] {
				t.Errorf("key %+v: got %q, want %q", keys[i], id, want[i])
			}
		}
		if n.Load() != 1 {
			t.Fatalf("%d statements, want 1", n.Load())
		}
	})
	t.Run("RecommendedKeepsOrderAndDropsMissing", func(t *testing.T) {
		l := loaders.New(loaders.Sources{Guides: loaders.GuideSources{PublishedBySlugs: svc.PublishedBySlugs}})
		gs, err := l.Guides.Recommended(context.Background(), []string{us.Slug, "gone-guide", shared}, "es", uuid.Nil)
		if err != nil || len(gs) != 2 || gs[0].ID.String() != us.ID || gs[1].ID.String() != caES.ID {
			t.Fatalf("recommended %v %v", gs, err)
		}
	})
	t.Run("ValidatePublishedSlugs", func(t *testing.T) {
		const field = "input.recommendedGuideSlugs"
		got, err := svc.ValidatePublishedSlugs(context.Background(), field, []string{" " + us.Slug, shared, us.Slug, esOnly.Slug})
		if err != nil || !slices.Equal(got, []string{us.Slug, shared, esOnly.Slug}) {
			t.Fatalf("valid slugs: %v %v", got, err)
		}
		if got, err := svc.ValidatePublishedSlugs(context.Background(), field, nil); err != nil || got != nil {
			t.Fatalf("no slugs: %v %v", got, err)
		}
		many := make([]string, guides.MaxRecommended+1)
		for i := range many {
			many[i] = slug("many")
		}
		for name, slugs := range map[string][]string{
			"Draft":     {us.Slug, draft.Slug},
			"Training":  {training.Slug},
			"Unknown":   {"no-such-guide"},
			"Malformed": {"Not A Slug"},
			"TooMany":   many,
		} {
			_, err := svc.ValidatePublishedSlugs(context.Background(), field, slugs)
			var e *models.Error
			if !asError(err, &e) || e.Code != models.EINVALID || e.Field != field {
				t.Errorf("%s: %v, want BAD_USER_INPUT on %s", name, err, field)
			}
		}
	})
}
