package searchtest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"mlp/internal/apptest"
	"mlp/internal/auth"
	"mlp/internal/guides"
	"mlp/internal/page"
	"mlp/models"
)

var serverMu sync.Mutex

// newServer starts the application; apptest.New is serialised because
// dbtest.Open initialises the shared pool without a lock.
func newServer(tb testing.TB) *apptest.Server {
	tb.Helper()
	serverMu.Lock()
	defer serverMu.Unlock()
	return apptest.New(tb)
}

// publisher writes guides through the service as an editor and publishes
// them as an admin, as the workflow demands.
type publisher struct {
	svc           *guides.Service
	editor, admin context.Context
}

func newPublisher(tb testing.TB, s *apptest.Server) *publisher {
	tb.Helper()
	org := s.Org(tb, models.OrgLegalAid, []string{"CA"})
	ed, _ := s.User(tb, models.RoleEditor, org)
	ad, _ := s.User(tb, models.RoleAdmin, nil)
	as := func(u *models.User) context.Context {
		return auth.WithPrincipal(context.Background(), &auth.Principal{ID: u.ID, Role: u.Role, OrganizationID: u.OrganizationID})
	}
	return &publisher{svc: s.App.Resolver.Guides, editor: as(ed), admin: as(ad)}
}

func (p *publisher) publish(tb testing.TB, in models.GuideInput) *models.Guide {
	tb.Helper()
	g, err := p.svc.CreateGuide(p.editor, in)
	if err == nil {
		_, err = p.svc.SubmitGuideForReview(p.editor, g.ID.String())
	}
	if err == nil {
		g, err = p.svc.PublishGuide(p.admin, g.ID.String())
	}
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

// corpus is the fixed set of guides the relevance tests search.
type corpus struct {
	evictionNotice, evictionCourt, rentReceipts, shutoff, desalojo, training *models.Guide
}

var (
	corpusOnce sync.Once
	theCorpus  corpus
)

// loadCorpus publishes the corpus once per package run.
func loadCorpus(t *testing.T, s *apptest.Server) corpus {
	corpusOnce.Do(func() { theCorpus = publishCorpus(t, s) })
	if theCorpus.training == nil {
		t.Fatal("the corpus failed to load")
	}
	return theCorpus
}

func publishCorpus(t *testing.T, s *apptest.Server) corpus {
	p := newPublisher(t, s)
	g := func(slug, locale, title, summary, body string, audience models.GuideAudience) *models.Guide {
		return p.publish(t, models.GuideInput{Slug: slug, Locale: locale, Title: title, Summary: summary, Body: body,
			Category: models.CategoryHousing, Audience: &audience, Jurisdictions: []string{"CA"}})
	}
	return corpus{
		evictionNotice: g("eviction-notice", "en", "What to do after an eviction notice",
			"Your landlord gave you a notice to leave. Here is what it means.",
			"A notice from your landlord is not a court order. Read it and count the days. Call legal aid.", models.AudiencePatients),
		evictionCourt: g("eviction-court", "en", "Going to eviction court",
			"What happens at the hearing and how to get ready.",
			"If you are being evicted, the judge decides. Bring your papers and your witnesses.", models.AudiencePatients),
		rentReceipts: g("rent-receipts", "en", "Keep your rent receipts",
			"Proof that you paid protects you.",
			"Ask for a receipt every time you pay. If your landlord sends a notice about rent, keep a copy.", models.AudiencePatients),
		shutoff: g("utility-shutoff", "en", "Stop a utility shutoff",
			"Your power company must warn you first.",
			"A shutoff notice is not an eviction notice, but both have deadlines. Call the company today.", models.AudiencePatients),
		desalojo: g("eviction-notice", "es", "Qué hacer después de un aviso de desalojo",
			"El dueño le dio un aviso para irse. Esto es lo que significa.",
			"Un aviso no es una orden de la corte. Solo un juez puede ordenar un desalojo. Llame a ayuda legal.", models.AudiencePatients),
		training: g("eviction-screening", "en", "Screening patients for eviction notices",
			"Training for care teams.",
			"Ask every patient about eviction notices and landlords.", models.AudienceClinicians),
	}
}

func search(t *testing.T, s *apptest.Server, tok string, filter map[string]any) []string {
	t.Helper()
	var out struct {
		Guides struct {
			Edges []struct{ Node struct{ Slug, Locale string } }
		}
	}
	s.Do(t, tok, `query($f: GuideFilter) { guides(filter: $f, first: 20) { edges { node { slug locale } } } }`,
		map[string]any{"f": filter}).Decode(t, &out)
	var got []string
	for _, e := range out.Guides.Edges {
		got = append(got, e.Node.Slug+"/"+e.Node.Locale)
	}
	return got
}

func key(g *models.Guide) string { return g.Slug + "/" + g.Locale }

func TestSearchRelevance(t *testing.T) {
	s := newServer(t)
	c := loadCorpus(t, s)

	for _, tc := range []struct {
		name     string
		filter   map[string]any
		want     []*models.Guide // exactly these, in this order
		anyOrder bool            // ... or in any order
	}{
		// Title (weight A) beats body (weight C); guides with one word only do not match.
		{"EvictionNoticeRanksEvictionGuideFirst", map[string]any{"search": "eviction notice"},
			[]*models.Guide{c.evictionNotice, c.shutoff}, false},
		// The Spanish guide only: the English translation of the same slug does not say desalojo.
		{"SpanishQueryFindsSpanishGuide", map[string]any{"search": "desalojo"}, []*models.Guide{c.desalojo}, false},
		{"SpanishStemming", map[string]any{"search": "desalojar"}, []*models.Guide{c.desalojo}, false},
		// evicted, eviction and evict share the stem evict.
		{"StemmingEvicted", map[string]any{"search": "evicted"}, []*models.Guide{c.evictionCourt, c.evictionNotice, c.shutoff}, false},
		// Minus excludes: both guides that mention a landlord drop out.
		{"MinusExcludes", map[string]any{"search": "eviction -landlord"}, []*models.Guide{c.evictionCourt, c.shutoff}, true},
		{"QuotedPhrase", map[string]any{"search": `"eviction notice"`}, []*models.Guide{c.evictionNotice, c.shutoff}, false},
		{"Or", map[string]any{"search": "receipts or shutoff"}, []*models.Guide{c.shutoff, c.rentReceipts}, true},
		{"LocaleFilter", map[string]any{"search": "aviso", "locale": "es"}, []*models.Guide{c.desalojo}, false},
		{"LocaleFilterExcludesOthers", map[string]any{"search": "eviction", "locale": "es"}, nil, false},
		// Full-text finds nothing; the title trigram fallback catches the typo.
		{"TypoFallsBackToTitles", map[string]any{"search": "evicton"}, []*models.Guide{c.evictionCourt, c.evictionNotice}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want []string
			for _, g := range tc.want {
				want = append(want, key(g))
			}
			got := search(t, s, "", tc.filter)
			if tc.anyOrder {
				slices.Sort(got)
				slices.Sort(want)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("search %v: got %v, want %v", tc.filter, got, want)
			}
		})
	}
	t.Run("TrainingOnlyForStaff", func(t *testing.T) {
		_, patient := s.User(t, models.RolePatient, nil)
		_, clinician := s.User(t, models.RoleClinician, s.Org(t, models.OrgHealthSystem, []string{"CA"}))
		f := map[string]any{"search": "eviction", "audience": "CLINICIANS"}
		for _, tok := range []string{"", patient} {
			if got := search(t, s, tok, f); len(got) != 0 {
				t.Fatalf("training listed to a reader: %v", got)
			}
		}
		if got := search(t, s, clinician, f); !slices.Equal(got, []string{key(c.training)}) {
			t.Fatalf("clinician got %v", got)
		}
	})
}

// TestSearchPlanUsesIndexes checks that PostgreSQL plans the statements
// Guides runs with the GIN indexes: the full-text search in its forms, and
// the title trigram fallback. Inside a transaction that is rolled back, it
// adds 5,000 guides of generated text (so that the planner prefers the
// indexes to reading the table) and refreshes the statistics.
// BenchmarkGuideSearch shows the plan on 20,000 guides.
func TestSearchPlanUsesIndexes(t *testing.T) {
	s := newServer(t)
	svc := s.App.Resolver.Guides
	author, _ := s.User(t, models.RoleEditor, s.Org(t, models.OrgLegalAid, []string{"CA"}))
	var plans []string
	errRollback := errors.New("rollback")
	err := s.DB.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`
WITH g AS (
    INSERT INTO guides (slug, locale, title, summary, body, category, jurisdictions, reading_grade, status, author_id, published_version, published_at)
    SELECT 'generated-' || i, CASE WHEN i % 4 = 0 THEN 'es' ELSE 'en' END, 'Generated ' || md5(i::text),
           md5((i + 1)::text), repeat(md5(i::text) || ' ', 40), 'HOUSING', ARRAY['CA'], 6, 'PUBLISHED', ?, 1, now()
    FROM generate_series(1, 5000) i
    RETURNING *)
INSERT INTO published_guides (guide_id, slug, locale, title, summary, body, category, audience, jurisdictions, reading_grade, version, author_id, published_at)
SELECT id, slug, locale, title, summary, body, category, audience, jurisdictions, reading_grade, 1, author_id, published_at FROM g`,
			author.ID).Error; err != nil {
			return err
		}
		if err := tx.Exec("ANALYZE published_guides").Error; err != nil {
			return err
		}
		explain := func(sql string, vars []any) error {
			var lines []string
			if err := tx.Raw("EXPLAIN "+sql, vars...).Scan(&lines).Error; err != nil {
				return err
			}
			plans = append(plans, strings.Join(lines, "\n"))
			return nil
		}
		for _, f := range []models.GuideFilter{
			{Search: ptr("eviction notice")},
			{Search: ptr("desalojo"), Locale: ptr("es")},
			{Search: ptr("eviction"), Jurisdiction: ptr("CA"), Category: ptr(models.CategoryHousing)},
		} {
			sql, vars, err := svc.GuidesStatement(context.Background(), &f, page.Args{})
			if err != nil {
				return err
			}
			if err := explain(sql, vars); err != nil {
				return err
			}
		}
		if err := explain("SELECT guide_id FROM published_guides g WHERE g.audience = 'PATIENTS' AND ? <% g.title", []any{"evicton"}); err != nil {
			return err
		}
		// Excluded words only: the full-text statement must not have the
		// index return (nearly) every guide. "the" is an English stop word,
		// so English guides are left with !'landlord' alone.
		for _, f := range []models.GuideFilter{{Search: ptr("-landlord")}, {Search: ptr("the -landlord")},
			{Search: ptr("-landlord"), Locale: ptr("en")}} {
			sql, vars, err := svc.GuidesStatement(context.Background(), &f, page.Args{})
			if err != nil {
				return err
			}
			var lines []string
			if err := tx.Raw("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) "+sql, vars...).Scan(&lines).Error; err != nil {
				return err
			}
			plan := strings.Join(lines, "\n")
			for _, l := range lines {
				reads := strings.Contains(l, "Scan on published_guides") && !strings.Contains(l, "never executed") && !strings.Contains(l, "actual rows=0 ")
				if reads || strings.Contains(l, "Seq Scan") || strings.Contains(l, "Rows Removed") {
					t.Errorf("search %q reads guides:\n%s", *f.Search, plan)
					break
				}
			}
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	for i, plan := range plans {
		index := "published_guides_search_idx"
		if i == len(plans)-1 {
			index = "published_guides_title_trgm_idx"
		}
		if !strings.Contains(plan, "Bitmap Index Scan on "+index) {
			t.Errorf("plan %d does not use %s:\n%s", i, index, plan)
		}
	}
}

func ptr[T any](v T) *T { return &v }
