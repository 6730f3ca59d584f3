package guides_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"mlp/models"
)

// guides without filter.locale: one copy per slug, in the reader's language
// (preferredLanguage, else Accept-Language), else English.
func TestGuidesDefaultToTheReadersLanguage(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	tm := newTeam(t, s)
	both := slug("both")
	only := slug("only-en")
	filter := map[string]any{"jurisdiction": "WY", "category": "EDUCATION"}
	over := func(slug, locale, title string) map[string]any {
		return input(map[string]any{"slug": slug, "locale": locale, "title": title, "jurisdictions": []string{"WY"}, "category": "EDUCATION"})
	}
	enBoth := tm.published(t, over(both, "en", "School rights"))
	esBoth := tm.published(t, over(both, "es", "Derechos en la escuela"))
	enOnly := tm.published(t, over(only, "en", "School meals"))

	mine := func(gs []guide) map[string]guide {
		out := map[string]guide{}
		for _, g := range gs {
			if g.Slug == both || g.Slug == only {
				if _, twice := out[g.Slug]; twice {
					t.Fatalf("two copies of %s", g.Slug)
				}
				out[g.Slug] = g
			}
		}
		return out
	}
	check := func(t *testing.T, got map[string]guide, wantBoth, wantOnly string) {
		t.Helper()
		if len(got) != 2 || got[both].ID != wantBoth || got[only].ID != wantOnly {
			t.Fatalf("got %+v", got)
		}
	}
	t.Run("EnglishByDefault", func(t *testing.T) {
		check(t, mine(tm.list(t, "", filter)), enBoth.ID, enOnly.ID)
	})
	t.Run("AcceptLanguageSpanish", func(t *testing.T) {
		body, _ := json.Marshal(map[string]any{"query": `query($f: GuideFilter) { guides(filter: $f, first: 100) { edges { node { id slug locale } } } }`,
			"variables": map[string]any{"f": filter}})
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept-Language", "es-US,es;q=0.9,en;q=0.5")
		var out struct {
			Guides struct{ Edges []struct{ Node guide } }
		}
		s.Send(t, req).Decode(t, &out)
		var gs []guide
		for _, e := range out.Guides.Edges {
			gs = append(gs, e.Node)
		}
		check(t, mine(gs), esBoth.ID, enOnly.ID)
	})
	t.Run("PreferredLanguageSpanish", func(t *testing.T) {
		u, tok := s.User(t, models.RolePatient, nil)
		if err := s.DB.Model(u).Update("preferred_language", "es").Error; err != nil {
			t.Fatal(err)
		}
		check(t, mine(tm.list(t, tok, filter)), esBoth.ID, enOnly.ID)
	})
	t.Run("LocaleFilterStillWins", func(t *testing.T) {
		f := map[string]any{"jurisdiction": "WY", "category": "EDUCATION", "locale": "es"}
		if got := mine(tm.list(t, "", f)); len(got) != 1 || got[both].ID != esBoth.ID {
			t.Fatalf("got %+v", got)
		}
	})
}
