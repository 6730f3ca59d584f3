package guides_test

import (
	"slices"
	"testing"

	"github.com/google/uuid"

	"mlp/internal/page"
)

func TestGuideLocaleFallback(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	tm := newTeam(t, s)
	sl := slug("fallback")
	en := tm.published(t, input(map[string]any{"slug": sl, "locale": "en", "title": "In English"}))
	es := tm.published(t, input(map[string]any{"slug": sl, "locale": "es", "title": "En español"}))
	esOnly := slug("solo")
	tm.published(t, input(map[string]any{"slug": esOnly, "locale": "es", "title": "Solo en español"}))
	draftFr := tm.create(t, tm.author, input(map[string]any{"slug": sl, "locale": "fr", "title": "En français"}))

	for _, c := range []struct {
		name, slug string
		locale     any
		want       string // guide id, "" for null
	}{
		{"OwnLocale", sl, "es", es.ID},
		{"RegionFallsBackToLanguage", sl, "es-MX", es.ID},
		{"NoTranslationFallsBackToEnglish", sl, "vi", en.ID},
		{"UnpublishedTranslationFallsBackToEnglish", sl, "fr", en.ID},
		{"DefaultEnglish", sl, nil, en.ID},
		{"NeitherLocaleNorEnglishIsNull", esOnly, "en", ""},
		{"UnknownSlugIsNull", slug("nothing"), "es", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := tm.read(t, tm.patient, c.slug, c.locale)
			switch {
			case c.want == "" && g != nil:
				t.Fatalf("got %+v, want null", g)
			case c.want != "" && (g == nil || g.ID != c.want):
				t.Fatalf("got %+v, want %s", g, c.want)
			}
		})
	}
	t.Run("EditorsSeeUnpublishedTranslation", func(t *testing.T) {
		if g := tm.read(t, tm.reviewer, sl, "fr"); g == nil || g.ID != draftFr.ID || g.Status != "DRAFT" {
			t.Fatalf("editor got %+v", g)
		}
	})
	t.Run("TranslationsListOtherPublishedLocales", func(t *testing.T) {
		g := tm.read(t, "", sl, "en")
		if len(g.Translations) != 1 || g.Translations[0].Locale != "es" || g.Translations[0].Title != "En español" {
			t.Fatalf("translations %+v", g.Translations)
		}
	})
	t.Run("BadLocale", func(t *testing.T) {
		r := s.Do(t, "", `{ guide(slug: "abc", locale: "not a tag") { id } }`, nil).MustCode(t, "BAD_USER_INPUT")
		if r.Field() != "locale" {
			t.Fatalf("field %q", r.Field())
		}
	})
}

func TestGuidesFilters(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	tm := newTeam(t, s)
	w := word()
	ca := tm.published(t, input(map[string]any{"title": "California " + w, "jurisdictions": []string{"CA"}, "category": "HOUSING"}))
	or := tm.published(t, input(map[string]any{"title": "Oregon " + w, "jurisdictions": []string{"OR"}, "category": "HOUSING"}))
	us := tm.published(t, input(map[string]any{"title": "Federal " + w, "jurisdictions": []string{"US"}, "category": "FOOD"}))
	es := tm.published(t, input(map[string]any{"title": "Federal " + w, "locale": "es", "jurisdictions": []string{"US"}, "category": "FOOD"}))
	tm.create(t, tm.author, input(map[string]any{"title": "Draft " + w, "jurisdictions": []string{"OR"}}))

	for _, c := range []struct {
		name   string
		filter map[string]any
		want   []string
	}{
		{"StateAndUSWide", map[string]any{"jurisdiction": "OR"}, []string{or.ID, us.ID, es.ID}},
		{"LowerCaseState", map[string]any{"jurisdiction": "ca"}, []string{ca.ID, us.ID, es.ID}},
		{"USOnly", map[string]any{"jurisdiction": "US"}, []string{us.ID, es.ID}},
		{"Category", map[string]any{"category": "HOUSING"}, []string{ca.ID, or.ID}},
		{"Locale", map[string]any{"locale": "es"}, []string{es.ID}},
		{"All", map[string]any{}, []string{ca.ID, or.ID, us.ID, es.ID}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.filter["search"] = w
			got := ids(tm.list(t, tm.patient, c.filter))
			slices.Sort(got)
			slices.Sort(c.want)
			if !slices.Equal(got, c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
	t.Run("BadFilterNamesField", func(t *testing.T) {
		for _, c := range []struct {
			filter map[string]any
			field  string
		}{
			{map[string]any{"jurisdiction": "Oregon"}, "filter.jurisdiction"},
			{map[string]any{"locale": "??"}, "filter.locale"},
			{map[string]any{"search": string(make([]rune, 201))}, "filter.search"},
		} {
			r := s.Do(t, "", `query($f: GuideFilter) { guides(filter: $f) { totalCount } }`, map[string]any{"f": c.filter}).
				MustCode(t, "BAD_USER_INPUT")
			if r.Field() != c.field {
				t.Errorf("%v: field %q, want %q", c.filter, r.Field(), c.field)
			}
		}
		s.Do(t, "", `{ guides(first: 101) { totalCount } }`, nil).MustCode(t, "BAD_USER_INPUT")
		s.Do(t, "", `{ guides(after: "garbage!") { totalCount } }`, nil).MustCode(t, "BAD_USER_INPUT")
	})
}

func TestGuidesPagination(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	tm := newTeam(t, s)
	w := word()
	var want []string
	for i := 0; i < 5; i++ {
		g := tm.published(t, input(map[string]any{"title": "Page " + w, "jurisdictions": []string{"MD"}}))
		want = append([]string{g.ID}, want...) // newest first
	}
	walk := func(t *testing.T, filter map[string]any) (got []string, total int) {
		var after any
		for {
			var out struct {
				Guides struct {
					Edges    []struct{ Node struct{ ID string } }
					PageInfo struct {
						HasNextPage bool
						EndCursor   string
					}
					TotalCount int
				}
			}
			s.Do(t, "", `query($f: GuideFilter, $a: String) { guides(filter: $f, first: 2, after: $a) {
				edges { node { id } } pageInfo { hasNextPage endCursor } totalCount } }`,
				map[string]any{"f": filter, "a": after}).Decode(t, &out)
			for _, e := range out.Guides.Edges {
				got = append(got, e.Node.ID)
			}
			total = out.Guides.TotalCount
			if !out.Guides.PageInfo.HasNextPage {
				return got, total
			}
			after = out.Guides.PageInfo.EndCursor
		}
	}
	t.Run("SearchPages", func(t *testing.T) {
		got, total := walk(t, map[string]any{"search": w})
		sorted := slices.Clone(got)
		slices.Sort(sorted)
		wantSorted := slices.Clone(want)
		slices.Sort(wantSorted)
		if !slices.Equal(sorted, wantSorted) || total != 5 {
			t.Fatalf("got %v (total %d), want %v", got, total, want)
		}
	})
	t.Run("TypoFallbackPages", func(t *testing.T) {
		typo := w[:len(w)-1] + "a" // one letter off: full-text finds nothing
		got, total := walk(t, map[string]any{"search": typo, "jurisdiction": "MD"})
		if len(got) < 5 || total < 5 {
			t.Fatalf("typo %q found %v (total %d)", typo, got, total)
		}
		for _, id := range want {
			if !slices.Contains(got, id) {
				t.Fatalf("typo %q missed %s in %v", typo, id, got)
			}
		}
	})
	t.Run("SearchCursorRefusedForList", func(t *testing.T) {
		var out struct {
			Guides struct{ PageInfo struct{ EndCursor string } }
		}
		s.Do(t, "", `query($f: GuideFilter) { guides(filter: $f, first: 1) { pageInfo { endCursor } } }`,
			map[string]any{"f": map[string]any{"search": w}}).Decode(t, &out)
		s.Do(t, "", `query($a: String) { guides(first: 1, after: $a) { totalCount } }`,
			map[string]any{"a": out.Guides.PageInfo.EndCursor}).MustCode(t, "BAD_USER_INPUT")
	})
}

// TestSearchWithoutWordsToFind: a search of excluded words only would match
// nearly every guide, so it is refused, and the typo fallback does not run
// for it; a search of stop words only finds nothing.
func TestSearchWithoutWordsToFind(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	tm := newTeam(t, s)
	w := word()
	// Titles the typo fallback would find for the searches below.
	tm.published(t, input(map[string]any{"title": "Know the rules " + w}))
	tm.published(t, input(map[string]any{"title": "Conozca el reglamento de la " + w, "locale": "es"}))
	const doc = `query($f: GuideFilter, $a: String) { guides(filter: $f, first: 10, after: $a) { edges { node { id } } totalCount } }`

	t.Run("ExcludedWordsOnlyRefused", func(t *testing.T) {
		t.Parallel()
		for _, f := range []map[string]any{
			{"search": "-landlord"},
			{"search": " -landlord  -rent "},
			{"search": "-landlord or -rent"},
			{"search": "-landlord or rent"}, // everything without landlord
			{"search": `-"eviction notice"`},
			{"search": "-" + w},                         // the typo fallback would find the guide
			{"search": "the -landlord", "locale": "en"}, // the is an English stop word
			{"search": "-" + w, "locale": "es", "category": "UTILITIES"},
		} {
			r := s.Do(t, "", doc, map[string]any{"f": f}).MustCode(t, "BAD_USER_INPUT")
			if r.Field() != "filter.search" || r.Errors[0].Message != "Add at least one word to look for; a minus sign only leaves words out." {
				t.Errorf("%v: %s", f, r.Raw)
			}
		}
	})
	t.Run("RefusedOnFallbackPagesToo", func(t *testing.T) {
		t.Parallel()
		after := page.Encode("trgm", "0.5", uuid.NewString())
		r := s.Do(t, "", doc, map[string]any{"f": map[string]any{"search": "-" + w}, "a": after}).MustCode(t, "BAD_USER_INPUT")
		if r.Field() != "filter.search" {
			t.Fatalf("field %q", r.Field())
		}
	})
	t.Run("StopWordsOnlyFindNothing", func(t *testing.T) {
		t.Parallel()
		for _, f := range []map[string]any{
			{"search": "the", "locale": "en"},
			{"search": `"the" of and`, "locale": "en"},
			{"search": "el de la", "locale": "es"},
			{"search": "-"},
			{"search": "!!"},
		} {
			var out struct {
				Guides struct {
					Edges      []struct{ Node struct{ ID string } }
					TotalCount int
				}
			}
			s.Do(t, "", doc, map[string]any{"f": f}).Decode(t, &out)
			if len(out.Guides.Edges) != 0 || out.Guides.TotalCount != 0 {
				t.Errorf("%v found %d guides (total %d)", f, len(out.Guides.Edges), out.Guides.TotalCount)
			}
		}
	})
	t.Run("ExclusionWithAWordStillSearches", func(t *testing.T) {
		t.Parallel()
		if got := tm.list(t, "", map[string]any{"search": w + " -landlord"}); len(got) != 2 {
			t.Fatalf("found %d guides, want 2", len(got))
		}
		if got := tm.list(t, "", map[string]any{"search": w + " -rules"}); len(got) != 1 || got[0].Locale != "es" {
			t.Fatalf("found %+v, want the Spanish guide", got)
		}
	})
}
