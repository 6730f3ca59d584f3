package searchtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/internal/page"
	"mlp/models"
)

// BenchmarkGuideSearch measures guides(filter: {search}, first: 20) over HTTP
// on 20,000 generated published guides, and reports the p50, p95 and p99
// latency of its requests. Run at least 1,000 requests:
//
//	go test ./internal/guides/searchtest -run '^$' -bench GuideSearch -benchtime 2000x
//
// It also EXPLAINs the search statement on the generated table and fails
// unless PostgreSQL plans it with the full-text GIN index.
func BenchmarkGuideSearch(b *testing.B) {
	s := newServer(b)
	generateOnce.Do(func() { generateErr = generate(b, s, 20_000) })
	if generateErr != nil {
		b.Fatal(generateErr)
	}
	queries := []string{
		"eviction notice", "medicaid appeal", "wage claim", "hospital bill charity care", "desalojo",
		"special education evaluation", "utility shutoff", `"fair hearing"`, "eviction -landlord", "aviso de desalojo",
		"overtime pay", "food benefits denied", "repairs mold", "custody", "disability appeal deadline",
	}
	plan := explainSearch(b, s, queries[0])

	const q = `query($q: String) { guides(filter: {search: $q}, first: 20) {
		edges { cursor node { id slug locale title summary category jurisdictions readingGrade publishedAt } }
		pageInfo { hasNextPage endCursor } } }`
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		r := s.Do(b, "", q, map[string]any{"q": queries[i%len(queries)]})
		lat = append(lat, time.Since(start))
		if len(r.Errors) > 0 {
			b.Fatalf("search failed: %s", r.Raw)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(pct(0.50)), "p50-ms")
	b.ReportMetric(ms(pct(0.95)), "p95-ms")
	b.ReportMetric(ms(pct(0.99)), "p99-ms")
	if b.N >= 1000 {
		b.Logf("%d requests on 20,000 guides: p50 %v, p95 %v, p99 %v, max %v", b.N, pct(0.50), pct(0.95), pct(0.99), lat[len(lat)-1])
		b.Logf("plan of guides(filter: {search: %q}) (EXPLAIN ANALYZE, plan nodes):\n%s", queries[0], plan)
	}
}

var (
	generateOnce sync.Once
	generateErr  error
)

// explainSearch fails the benchmark unless the search statement is planned
// with the full-text GIN index, and returns the plan's nodes.
func explainSearch(b *testing.B, s *apptest.Server, search string) string {
	sql, vars, err := s.App.Resolver.Guides.GuidesStatement(context.Background(), &models.GuideFilter{Search: &search}, page.Args{})
	if err != nil {
		b.Fatal(err)
	}
	var lines []string
	if err := s.DB.Raw("EXPLAIN (ANALYZE, BUFFERS) "+sql, vars...).Scan(&lines).Error; err != nil {
		b.Fatal(err)
	}
	plan := strings.Join(lines, "\n")
	if !strings.Contains(plan, "Bitmap Index Scan on published_guides_search_idx") {
		b.Fatalf("the search does not use the GIN index:\n%s", plan)
	}
	var nodes []string
	for _, l := range lines {
		if strings.Contains(l, "(cost=") || strings.Contains(l, "Execution Time") {
			nodes = append(nodes, l)
		}
	}
	return strings.Join(nodes, "\n")
}

// Vocabulary of the generated guides: words of each category, words every
// guide may use, and a long tail of made-up words.
var (
	topicWords = map[models.LegalCategory]string{
		models.CategoryHousing:        "eviction notice landlord tenant rent lease repairs mold deposit court hearing lockout",
		models.CategoryPublicBenefits: "medicaid coverage appeal denial benefits renewal eligibility hearing notice cash assistance",
		models.CategoryEmployment:     "wage claim overtime pay employer fired retaliation leave paycheck hours labor",
		models.CategoryEducation:      "special education evaluation school iep disability services teacher district plan",
		models.CategoryImmigration:    "immigration status visa green card public charge asylum work permit",
		models.CategoryFamily:         "custody divorce support child parent guardianship protective order visitation",
		models.CategoryDisability:     "disability ssi ssdi appeal deadline reconsideration doctor records judge",
		models.CategoryMedicalDebt:    "hospital bill charity care financial assistance collection debt discount payment",
		models.CategoryUtilities:      "utility shutoff power gas water payment plan medical certificate winter",
		models.CategoryFood:           "food snap benefits denied fair hearing calfresh wic groceries interview",
		models.CategoryOther:          "records expungement consumer scam identity theft court fines license",
	}
	spanishTopic = "desalojo aviso dueño renta corte audiencia salario beneficios cobertura hospital factura ayuda escuela"
	common       = "you your the a to of and in can if is for this help call legal aid free ask write keep copy date right law state office"
)

// generate publishes n guides of generated text in bulk: 75% English, 20%
// Spanish, 5% Vietnamese; every category; a state or US-wide; 10% training.
func generate(b *testing.B, s *apptest.Server, n int) error {
	start := time.Now()
	author, _ := s.User(b, models.RoleEditor, s.Org(b, models.OrgLegalAid, []string{"CA"}))
	rng := rand.New(rand.NewPCG(1, 2))
	var tail []string
	syll := []string{"ba", "ke", "lo", "mi", "nu", "ra", "se", "ti", "vo", "zu", "pa", "de"}
	for i := 0; i < 3000; i++ {
		w := ""
		for j := 0; j < 3+rng.IntN(3); j++ {
			w += syll[rng.IntN(len(syll))]
		}
		tail = append(tail, w)
	}
	commonWords := strings.Fields(common)
	states := []string{"US", "CA", "OR", "MD", "CO", "WA", "NY", "TX"}
	words := func(topic []string, k int) string {
		out := make([]string, k)
		for i := range out {
			switch r := rng.IntN(10); {
			case r < 5:
				out[i] = commonWords[rng.IntN(len(commonWords))]
			case r < 7:
				out[i] = topic[rng.IntN(len(topic))]
			default:
				out[i] = tail[rng.IntN(len(tail))]
			}
		}
		return strings.Join(out, " ")
	}
	now := time.Now().UTC()
	const batch = 1000
	for done := 0; done < n; done += batch {
		gs := make([]*models.Guide, 0, batch)
		ps := make([]*models.PublishedGuide, 0, batch)
		for i := done; i < min(n, done+batch); i++ {
			cat := models.AllLegalCategories[rng.IntN(len(models.AllLegalCategories))]
			topic := strings.Fields(topicWords[cat])
			locale := "en"
			switch r := rng.IntN(20); {
			case r < 4:
				locale, topic = "es", strings.Fields(spanishTopic)
			case r == 4:
				locale = "vi"
			}
			audience := models.AudiencePatients
			if rng.IntN(10) == 0 {
				audience = models.AudienceClinicians
			}
			v := 1
			at := now.Add(-time.Duration(i) * time.Minute)
			g := &models.Guide{
				ID: uuid.New(), Slug: fmt.Sprintf("generated-%05d", i), Locale: locale,
				Title: words(topic, 6), Summary: words(topic, 20), Body: words(topic, 150+rng.IntN(150)),
				Category: cat, Audience: audience, Jurisdictions: []string{states[rng.IntN(len(states))]},
				ReadingGrade: 6, Status: models.GuidePublished, Version: 1, PublishedVersion: &v, PublishedAt: &at,
				AuthorID: author.ID,
			}
			gs = append(gs, g)
			ps = append(ps, &models.PublishedGuide{GuideID: g.ID, Slug: g.Slug, Locale: g.Locale, Title: g.Title,
				Summary: g.Summary, Body: g.Body, Category: g.Category, Audience: g.Audience, Jurisdictions: g.Jurisdictions,
				ReadingGrade: g.ReadingGrade, Version: 1, AuthorID: author.ID, PublishedAt: at})
		}
		if err := s.DB.CreateInBatches(gs, 500).Error; err != nil {
			return err
		}
		if err := s.DB.CreateInBatches(ps, 500).Error; err != nil {
			return err
		}
	}
	if err := s.DB.Exec("VACUUM ANALYZE published_guides").Error; err != nil {
		return err
	}
	b.Logf("generated %d guides in %v", n, time.Since(start).Round(time.Millisecond))
	return nil
}
