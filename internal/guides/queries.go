package guides

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"mlp/internal/auth"
	"mlp/internal/i18n"
	"mlp/internal/page"
	"mlp/models"
)

// MaxSearch is the longest search text, in characters.
const MaxSearch = 200

// publishedColumns are the columns of published_guides a reader gets; the
// search vector is never read.
var publishedColumns = []string{"guide_id", "slug", "locale", "title", "summary", "body", "category",
	"audience", "jurisdictions", "reading_grade", "version", "author_id", "published_at"}

// publishedCols lists publishedColumns of the table aliased g.
var publishedCols = "g." + strings.Join(publishedColumns, ", g.")

// Cursor modes of a search: full-text matches, or the title-similarity
// fallback that runs when full-text finds nothing.
const (
	modeFullText = "fts"
	modeTrigram  = "trgm"
)

// searchConfig is the text-search configuration of a language.
func searchConfig(lang string) string {
	switch lang {
	case "en":
		return "english"
	case "es":
		return "spanish"
	}
	return "simple"
}

// sqlBuilder collects the conditions and arguments of a query.
type sqlBuilder struct {
	where []string
	args  []any
}

// add appends a condition; it never writes into a backing array that a copy
// of b shares, so copies can grow apart.
func (b *sqlBuilder) add(cond string, args ...any) {
	b.where = append(b.where[:len(b.where):len(b.where)], cond)
	b.args = append(b.args[:len(b.args):len(b.args)], args...)
}

func (b *sqlBuilder) clause() string {
	if len(b.where) == 0 {
		return "TRUE"
	}
	return strings.Join(b.where, " AND ")
}

type publishedRow struct {
	models.PublishedGuide
	Score float64
}

// listQuery is a checked request for the public list.
type listQuery struct {
	b      sqlBuilder // the filters
	search string
	lang   string // of the locale filter, if any
	limit  int
	hidden bool // the caller may not read the audience asked for
}

// Guides lists PUBLISHED guides the caller may read. With filter.search the
// list is ranked by relevance (ts_rank over the stored search vector, matched
// with websearch_to_tsquery in each guide's language); when full-text finds
// nothing, guides whose titles are similar to the search (pg_trgm word
// similarity) are listed instead. A search of stop words only finds nothing;
// one of excluded words only ("-landlord") is refused, as it would match
// nearly every guide. Without search, newest first. The audience
// defaults to PATIENTS; CLINICIANS lists nothing for anonymous and PATIENT
// callers. The jurisdiction filter keeps a state's guides and the US-wide
// ones.
// Errors: UNAUTHENTICATED (a refused token), BAD_USER_INPUT (filter.jurisdiction,
// filter.locale, filter.search: too long or excluded words only, first,
// after).
func (s *Service) Guides(ctx context.Context, f *models.GuideFilter, args page.Args) (page.Page[*models.Guide], error) {
	var none page.Page[*models.Guide]
	q, err := s.listQuery(ctx, "Guides", f, args)
	if err != nil {
		return none, err
	}
	if q.hidden {
		return page.Trim[*models.Guide](nil, q.limit, nil), nil
	}
	if q.search == "" {
		parts, err := args.Cursor(2)
		if err != nil {
			return none, err
		}
		sql, vars, count, countVars, err := newestSQL(q, parts)
		if err != nil {
			return none, err
		}
		return s.run(ctx, q.limit, args, sql, vars, count, countVars, func(r publishedRow) string {
			return page.TimeKey(r.PublishedAt, r.GuideID)
		})
	}
	parts, err := args.Cursor(3)
	if err != nil {
		return none, err
	}
	if parts == nil || parts[0] == modeFullText {
		pg, err := s.search(ctx, q, fullText(q.search, q.lang), parts, args)
		if err != nil || parts != nil || len(pg.Items) > 0 {
			return pg, err
		}
	}
	// Full text found nothing (or this is a page of the fallback): titles
	// are searched for typos only when the search has a word to look for.
	positive, excluding, err := s.searchTerms(ctx, q.search, q.lang)
	if err != nil {
		return none, err
	}
	if !positive {
		if excluding {
			return none, models.InvalidField("filter.search", "Add at least one word to look for; a minus sign only leaves words out.")
		}
		return page.Trim[*models.Guide](nil, q.limit, nil), nil // stop words only: nothing to find
	}
	return s.search(ctx, q, trigram(q.search), parts, args)
}

// ListStatements is Guides as the statements it runs, for the compiled
// reads (graph/compiled), which answer from them in one statement.
type ListStatements struct {
	// Page selects one page of the guides (the columns of published_guides
	// readers get, and score when Search), ordered and limited to the page
	// size plus one, with ? placeholders for PageVars.
	Page     string
	PageVars []any
	// Count counts the whole list (CountVars its values).
	Count     string
	CountVars []any
	// Search: the page is ranked by score (ListOrderSQL, ListCursorSQL).
	Search bool
	// FallbackWhenEmpty: an empty page is not the answer: Guides then looks
	// for similar titles, or refuses a search of excluded words only.
	FallbackWhenEmpty bool
}

// ListStatements returns the statements Guides runs for f and args; ok is
// false when Guides answers otherwise (a page of the similar-titles
// fallback). The page and the count are those of Guides, built by the same
// functions; a hidden audience is an empty page.
// Errors: as Guides.
func (s *Service) ListStatements(ctx context.Context, f *models.GuideFilter, args page.Args) (ListStatements, bool, error) {
	var out ListStatements
	q, err := s.listQuery(ctx, "ListStatements", f, args)
	if err != nil {
		return out, false, err
	}
	if q.hidden {
		q.b.add("FALSE")
	}
	if q.search == "" || q.hidden {
		parts, err := args.Cursor(2)
		if err != nil {
			return out, false, err
		}
		out.Page, out.PageVars, out.Count, out.CountVars, err = newestSQL(q, parts)
		return out, err == nil, err
	}
	parts, err := args.Cursor(3)
	if err != nil {
		return out, false, err
	}
	if parts != nil && parts[0] != modeFullText {
		return out, false, nil
	}
	out.Search, out.FallbackWhenEmpty = true, parts == nil
	out.Page, out.PageVars, out.Count, out.CountVars, err = searchSQL(q, fullText(q.search, q.lang), parts)
	return out, err == nil, err
}

// ListOrderSQL is the order of ListStatements' page over its rows under
// alias (Guides' order): by score then id for a search, else newest first.
func ListOrderSQL(search bool, alias string) string {
	if search {
		return alias + ".score DESC, " + alias + ".guide_id DESC"
	}
	return alias + ".published_at DESC, " + alias + ".guide_id DESC"
}

// ListCursorSQL is the cursor of a row of ListStatements' page under alias,
// as Guides writes it (page.TimeKey, or the full-text search's
// page.Encode(mode, score, id)).
func ListCursorSQL(search bool, alias string) string {
	if search {
		return page.EncodeSQL("'"+modeFullText+"'", alias+".score::text", alias+".guide_id::text")
	}
	return page.TimeKeySQL(alias+".published_at", alias+".guide_id")
}

// searchConfigs are the text-search configurations a search in lang (every
// language when empty) is matched with.
func searchConfigs(lang string) []string {
	if lang != "" {
		return []string{searchConfig(lang)}
	}
	return []string{"english", "spanish", "simple"}
}

// searchTerms reports, without reading any guide, whether websearch_to_tsquery
// of search has a word to look for (a positive term, one a GIN index can
// find) in some configuration the search is matched with, and whether in
// some configuration it has excluded words only (querytree 'T': it would
// match nearly every guide). A search of stop words only has neither.
func (s *Service) searchTerms(ctx context.Context, search, lang string) (positive, excluding bool, err error) {
	configs := searchConfigs(lang)
	queries := make([]string, len(configs))
	vars := make([]any, len(configs))
	for i, c := range configs {
		queries[i] = "websearch_to_tsquery('" + c + "', ?)"
		vars[i] = search
	}
	var r struct{ Positive, Excluding bool }
	err = s.db.WithContext(ctx).Raw(`SELECT coalesce(bool_or(numnode(t) > 0 AND querytree(t) <> 'T'), false) AS positive,
    coalesce(bool_or(querytree(t) = 'T'), false) AS excluding
FROM unnest(ARRAY[`+strings.Join(queries, ", ")+`]) AS t`, vars...).Scan(&r).Error
	return r.Positive, r.Excluding, err
}

// GuidesStatement returns the SQL (with ? placeholders) and arguments of the
// statement Guides runs first for the filter: the full-text search when
// filter.search is set, else the newest-first list. It is for EXPLAIN when
// diagnosing search performance; it runs nothing.
// Errors: as Guides.
func (s *Service) GuidesStatement(ctx context.Context, f *models.GuideFilter, args page.Args) (string, []any, error) {
	q, err := s.listQuery(ctx, "GuidesStatement", f, args)
	if err != nil {
		return "", nil, err
	}
	var sql string
	var vars []any
	if q.search == "" {
		sql, vars, _, _, err = newestSQL(q, nil)
	} else {
		sql, vars, _, _, err = searchSQL(q, fullText(q.search, q.lang), nil)
	}
	return sql, vars, err
}

// listQuery authorizes op (Guides or GuidesStatement) and checks the
// filter and the page arguments.
func (s *Service) listQuery(ctx context.Context, op string, f *models.GuideFilter, args page.Args) (listQuery, error) {
	var q listQuery
	p, err := Policy.Authorize(ctx, op)
	if err != nil {
		return q, err
	}
	if q.limit, err = args.Limit(); err != nil {
		return q, err
	}
	if f == nil {
		f = &models.GuideFilter{}
	}
	audience := models.AudiencePatients
	if f.Audience != nil {
		audience = *f.Audience
	}
	q.b.add("g.audience = ?", audience)
	if f.Category != nil {
		q.b.add("g.category = ?", *f.Category)
	}
	if f.Jurisdiction != nil {
		j := strings.ToUpper(strings.TrimSpace(*f.Jurisdiction))
		switch {
		case j == "US":
			q.b.add("g.jurisdictions @> ARRAY['US']")
		case models.IsStateCode(j):
			q.b.add("g.jurisdictions && ARRAY[?, 'US']", j)
		default:
			return q, models.InvalidField("filter.jurisdiction", "Use US or a state code such as CA.")
		}
	}
	if f.Locale != nil {
		locale, err := NormalizeLocale("filter.locale", *f.Locale)
		if err != nil {
			return q, err
		}
		q.b.add("g.locale = ?", locale)
		q.lang = primaryLanguage(locale)
	}
	if f.Search != nil {
		q.search = strings.TrimSpace(*f.Search)
		if utf8.RuneCountInString(q.search) > MaxSearch {
			return q, models.InvalidField("filter.search", "Search for %d characters at most.", MaxSearch)
		}
	}
	if f.Locale == nil && q.search == "" {
		// One copy per slug, in the reader's language (their
		// preferredLanguage, else Accept-Language), else in English, as
		// guide(slug) falls back. (A search matches each guide in its own
		// language: the words searched for choose it.)
		reader := i18n.Language(ctx)
		if reader == i18n.Default {
			q.b.add("g.locale = ?", i18n.Default)
		} else {
			q.b.add(`(g.locale = ? OR (g.locale = ? AND NOT EXISTS (SELECT 1 FROM published_guides t
				WHERE t.slug = g.slug AND t.locale = ?)))`, reader, i18n.Default, reader)
		}
	}
	q.hidden = !slices.Contains(audiencesFor(p), audience)
	return q, nil
}

// matcher is how a search selects and scores guides: an optional one-row
// subquery q joined to the table (from, with its arguments), the condition on
// g and q, and the score.
type matcher struct {
	mode     string
	from     string
	fromArgs []any
	cond     string
	condArgs []any
	score    string
}

// fullText matches the stored search vector against websearch_to_tsquery of
// the search in each guide's own language: english for en, spanish for es,
// simple for the others; lang, when a locale filter gave it, narrows to one.
// The queries are computed once, in a subquery fenced with OFFSET 0: in the
// generic plan PostgreSQL caches for a prepared statement, a
// websearch_to_tsquery of a parameter would otherwise be parsed again for
// every matching row. A query with excluded words only (querytree 'T', such
// as !'landlord' from "-landlord") becomes NULL and matches nothing: the GIN
// index would otherwise return nearly every guide to be ranked.
func fullText(search, lang string) matcher {
	if lang != "" {
		return matcher{mode: modeFullText,
			from:     "(SELECT " + positiveQuery(searchConfig(lang)) + " AS tq OFFSET 0) q",
			fromArgs: []any{search},
			cond:     "g.search @@ q.tq",
			score:    "ts_rank(g.search, q.tq)::float8"}
	}
	return matcher{mode: modeFullText,
		from: `(SELECT ` + positiveQuery("english") + ` AS en, ` + positiveQuery("spanish") + ` AS es,
			` + positiveQuery("simple") + ` AS other OFFSET 0) q`,
		fromArgs: []any{search, search, search},
		cond: `((split_part(g.locale, '-', 1) = 'en' AND g.search @@ q.en)
			OR (split_part(g.locale, '-', 1) = 'es' AND g.search @@ q.es)
			OR (split_part(g.locale, '-', 1) NOT IN ('en', 'es') AND g.search @@ q.other))`,
		score: `ts_rank(g.search, CASE split_part(g.locale, '-', 1) WHEN 'en' THEN q.en WHEN 'es' THEN q.es ELSE q.other END)::float8`}
}

// positiveQuery is websearch_to_tsquery in config of a parameter, or NULL
// when it has excluded words only.
func positiveQuery(config string) string {
	return "(SELECT CASE WHEN querytree(t) = 'T' THEN NULL ELSE t END FROM websearch_to_tsquery('" + config + "', ?) AS w(t))"
}

// trigram matches titles that contain words similar to the search (pg_trgm's
// <% operator, served by the title's trigram index), for typos.
func trigram(search string) matcher {
	return matcher{mode: modeTrigram,
		cond: "? <% g.title", condArgs: []any{search},
		score: "word_similarity(?, g.title)::float8"}
}

// scoreArgs are the arguments of m.score: the search, for the trigram score.
func (m matcher) scoreArgs() []any {
	if m.mode == modeTrigram {
		return slices.Clone(m.condArgs)
	}
	return nil
}

// table is the FROM clause of a search: the guides, joined to m.from.
func (m matcher) table() string {
	if m.from == "" {
		return "published_guides g"
	}
	return m.from + " CROSS JOIN published_guides g"
}

// searchSQL builds one page of a ranked search (by score, then id, both
// descending) and the statement that counts all matches.
func searchSQL(q listQuery, m matcher, parts []string) (sql string, vars []any, count string, countVars []any, err error) {
	b := q.b
	b.add(m.cond, m.condArgs...)
	count = "SELECT count(*) FROM " + m.table() + " WHERE " + b.clause()
	countVars = append(slices.Clone(m.fromArgs), b.args...)
	if parts != nil {
		score, err := strconv.ParseFloat(parts[1], 64)
		id, ierr := uuid.Parse(parts[2])
		if err != nil || ierr != nil || parts[0] != m.mode {
			return "", nil, "", nil, models.InvalidField("after", "This cursor is not valid.")
		}
		b.add("("+m.score+", g.guide_id) < (?, ?)", append(m.scoreArgs(), score, id)...)
	}
	sql = "SELECT " + publishedCols + ", " + m.score + " AS score FROM " + m.table() + " WHERE " + b.clause() +
		" ORDER BY score DESC, g.guide_id DESC LIMIT ?"
	vars = append(append(append(m.scoreArgs(), m.fromArgs...), b.args...), q.limit+1)
	return sql, vars, count, countVars, nil
}

// newestSQL builds one page of the list by publication time, newest first,
// and the statement that counts the list.
func newestSQL(q listQuery, parts []string) (sql string, vars []any, count string, countVars []any, err error) {
	b := q.b
	count, countVars = "SELECT count(*) FROM published_guides g WHERE "+b.clause(), slices.Clone(b.args)
	if parts != nil {
		at, err := time.Parse(time.RFC3339Nano, parts[0])
		id, ierr := uuid.Parse(parts[1])
		if err != nil || ierr != nil {
			return "", nil, "", nil, models.InvalidField("after", "This cursor is not valid.")
		}
		b.add("(g.published_at, g.guide_id) < (?, ?)", at, id)
	}
	sql = "SELECT " + publishedCols + " FROM published_guides g WHERE " + b.clause() +
		" ORDER BY g.published_at DESC, g.guide_id DESC LIMIT ?"
	return sql, append(b.args, q.limit+1), count, countVars, nil
}

// search runs one page of a ranked search.
func (s *Service) search(ctx context.Context, q listQuery, m matcher, parts []string, args page.Args) (page.Page[*models.Guide], error) {
	sql, vars, count, countVars, err := searchSQL(q, m, parts)
	if err != nil {
		return page.Page[*models.Guide]{}, err
	}
	return s.run(ctx, q.limit, args, sql, vars, count, countVars, func(r publishedRow) string {
		return page.Encode(m.mode, strconv.FormatFloat(r.Score, 'g', -1, 64), r.GuideID.String())
	})
}

// run runs a page's statement, turns the rows into guides, and runs the
// count statement when the total was asked for.
func (s *Service) run(ctx context.Context, limit int, args page.Args, sql string, vars []any, count string, countVars []any, cursor func(publishedRow) string) (page.Page[*models.Guide], error) {
	var rows []publishedRow
	if err := s.db.WithContext(ctx).Raw(sql, vars...).Scan(&rows).Error; err != nil {
		return page.Page[*models.Guide]{}, err
	}
	pg := page.Trim(rows, limit, cursor)
	out := page.Page[*models.Guide]{Cursors: pg.Cursors, HasNext: pg.HasNext, Items: make([]*models.Guide, len(pg.Items))}
	for i := range pg.Items {
		out.Items[i] = pg.Items[i].Guide()
	}
	if args.WithTotal {
		var n int64
		if err := s.db.WithContext(ctx).Raw(count, countVars...).Scan(&n).Error; err != nil {
			return out, err
		}
		out.Total = int(n)
	}
	return out, nil
}

// Guide returns the guide with slug in locale (default en), falling back to
// the locale's language and then to English. Readers get the PUBLISHED text
// of an audience they may read, or nil; EDITOR and ADMIN get the working copy
// in any status.
// Errors: UNAUTHENTICATED (a refused token), BAD_USER_INPUT (locale).
func (s *Service) Guide(ctx context.Context, slug string, locale *string) (*models.Guide, error) {
	p, chain, err := guideChain(ctx, "Guide", locale)
	if err != nil {
		return nil, err
	}
	slug = strings.TrimSpace(slug)
	if isEditorial(p) {
		var g models.Guide
		order := clause.OrderBy{Expression: clause.Expr{SQL: "array_position(?::text[], locale)", Vars: []any{models.TextArray(chain)}}}
		err := s.db.WithContext(ctx).Where("slug = ? AND locale IN ?", slug, chain).
			Clauses(order).Take(&g).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, nil
		}
		return &g, err
	}
	var pg models.PublishedGuide
	sql, vars := readerGuideSQL(p, slug, chain)
	res := s.db.WithContext(ctx).Raw(sql, vars...).Scan(&pg)
	if res.Error != nil || res.RowsAffected == 0 {
		return nil, res.Error
	}
	return pg.Guide(), nil
}

// guideChain authorizes op (Guide or GuideStatement) and reads the locales
// Guide falls back through.
func guideChain(ctx context.Context, op string, locale *string) (*auth.Principal, []string, error) {
	p, err := Policy.Authorize(ctx, op)
	if err != nil {
		return nil, nil, err
	}
	want := "en"
	if locale != nil {
		if want, err = NormalizeLocale("locale", *locale); err != nil {
			return nil, nil, err
		}
	}
	return p, localeChain(want), nil
}

// readerGuideSQL selects the published guide a reader p gets for slug: in
// the first locale of chain that has one, of an audience p may read.
func readerGuideSQL(p *auth.Principal, slug string, chain []string) (string, []any) {
	r := Readable(p, "g")
	return "SELECT " + publishedCols + " FROM published_guides g WHERE g.slug = ? AND g.locale = ANY(?::text[]) AND " + r.SQL +
			" ORDER BY array_position(?::text[], g.locale) LIMIT 1",
		append(append([]any{slug, models.TextArray(chain)}, r.Args...), models.TextArray(chain))
}

// GuideStatement returns the statement Guide runs for a reader: its SQL
// (the columns of published_guides readers get, at most one row) with ?
// placeholders and their values; ok is false for EDITOR and ADMIN, who get
// working copies.
// Errors: as Guide.
func (s *Service) GuideStatement(ctx context.Context, slug string, locale *string) (string, []any, bool, error) {
	p, chain, err := guideChain(ctx, "GuideStatement", locale)
	if err != nil || isEditorial(p) {
		return "", nil, false, err
	}
	sql, vars := readerGuideSQL(p, strings.TrimSpace(slug), chain)
	return sql, vars, true, nil
}

// EditorGuides lists working copies in any status (or in those given), most
// recently changed first. EDITOR and ADMIN (the schema directive checks the
// roles).
// Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT (first, after).
func (s *Service) EditorGuides(ctx context.Context, statuses []models.GuideStatus, args page.Args) (page.Page[*models.Guide], error) {
	if _, err := Policy.Authorize(ctx, "EditorGuides"); err != nil {
		return page.Page[*models.Guide]{}, err
	}
	q := s.db.WithContext(ctx).Model(&models.Guide{})
	if len(statuses) > 0 {
		q = q.Where("status IN ?", statuses)
	}
	return page.Newest(q, args, "updated_at", func(g *models.Guide) (time.Time, uuid.UUID) { return g.UpdatedAt, g.ID })
}

// CanSeeEditorial reports whether the caller works on guides (EDITOR or
// ADMIN) and so may see their authors and revisions.
func CanSeeEditorial(ctx context.Context) bool {
	p, _ := auth.UserFrom(ctx)
	return isEditorial(p)
}

// AuthorID returns the author of g for EDITOR and ADMIN callers, else nil:
// the author is editorial information.
func (s *Service) AuthorID(ctx context.Context, g *models.Guide) *uuid.UUID {
	if CanSeeEditorial(ctx) {
		return &g.AuthorID
	}
	return nil
}

// EditorialID returns g's id for EDITOR and ADMIN callers, else nil; the
// revisions of a guide are loaded by it.
func (s *Service) EditorialID(ctx context.Context, g *models.Guide) *uuid.UUID {
	if CanSeeEditorial(ctx) {
		return &g.ID
	}
	return nil
}
