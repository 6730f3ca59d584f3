package compiled

import (
	"context"
	"strconv"

	"mlp/internal/auth"
	"mlp/internal/database"
	"mlp/internal/guides"
	"mlp/internal/page"
	"mlp/models"
)

var guideTranslationType = &objectType{name: "GuideTranslation", fields: map[string]fieldCompiler{
	"locale": text("locale"),
	"title":  text("title"),
}}

// guideType is a published guide as readers get it (models.PublishedGuide's
// Guide: status PUBLISHED, publishedVersion its version, updatedAt its
// publication), over the columns the guide service selects. author and
// revisions are editorial: compiled (null) only for callers who may not see
// them (guides.CanSeeEditorial).
var guideType = &objectType{name: "Guide", fields: map[string]fieldCompiler{
	"id":               id("guide_id"),
	"slug":             text("slug"),
	"locale":           text("locale"),
	"title":            text("title"),
	"summary":          text("summary"),
	"body":             text("body"),
	"category":         text("category"),
	"audience":         text("audience"),
	"jurisdictions":    text("jurisdictions"),
	"readingGrade":     plain("reading_grade"),
	"version":          plain("version"),
	"publishedVersion": plain("version"),
	"publishedAt":      timeCol("published_at"),
	"updatedAt":        timeCol("published_at"),
	"status": func(*compiler, string, *field) (string, error) {
		return sqlString(`"` + string(models.GuidePublished) + `"`), nil
	},
	"author":    editorialNull,
	"revisions": editorialNull,
	// translations: the slug's other published locales the caller may read
	// (guides.Readable), by locale, as Service.Translations lists them.
	"translations": func(c *compiler, row string, f *field) (string, error) {
		x := c.alias("x")
		obj, err := c.object(guideTranslationType, x, f.sel)
		if err != nil {
			return "", err
		}
		r := c.cond("guides.readable", func(p *auth.Principal) database.Cond { return guides.Readable(p, x) })
		return "('[' || coalesce((SELECT string_agg(" + obj + ", ',' ORDER BY " + x + ".locale) FROM published_guides " + x +
			" WHERE " + x + ".slug = " + row + ".slug AND " + x + ".locale <> " + row + ".locale AND " + r + "), '') || ']')", nil
	},
}}

func editorialNull(c *compiler, _ string, _ *field) (string, error) {
	if guides.CanSeeEditorial(auth.WithPrincipal(context.Background(), c.p)) {
		return "", errNotCompilable
	}
	return "'null'", nil
}

// readsPublished reports whether guide roots compile for the caller: a
// signed-in reader who gets published copies (EDITOR and ADMIN get working
// copies from guide, and editorial fields).
func (c *compiler) readsPublished() bool {
	return c.svc.Guides != nil && !guides.CanSeeEditorial(auth.WithPrincipal(context.Background(), c.p))
}

// guidesField: guides(filter, first, after), answered from the statements
// guides.Service.Guides runs (ListStatements: the page, ranked for a search,
// and the count), whose rows are rendered here. A search's empty first page
// hands over to the resolvers: the service then looks for similar titles or
// refuses the search.
func guidesField(c *compiler, _ string, f *field) (string, error) {
	if !c.readsPublished() {
		return "", errNotCompilable
	}
	svc := c.svc.Guides
	readFilter, readFirst, readAfter := argReader(f, "filter"), argReader(f, "first"), argReader(f, "after")
	key := "guides " + f.Alias + " " + f.Name
	list := func(e *env) (guides.ListStatements, bool) {
		if v, ok := e.memo[key].(guides.ListStatements); ok {
			return v, true
		}
		if _, refused := e.memo[key].(bool); refused {
			return guides.ListStatements{}, false
		}
		if e.memo == nil {
			e.memo = map[string]any{}
		}
		e.memo[key] = false
		filter, ok := guideFilter(readFilter(e))
		if !ok {
			return guides.ListStatements{}, false
		}
		var args page.Args
		if v := readFirst(e); v != nil {
			n, ok := intValue(v)
			if !ok {
				return guides.ListStatements{}, false
			}
			args.First = &n
		}
		if v := readAfter(e); v != nil {
			s, ok := v.(string)
			if !ok {
				return guides.ListStatements{}, false
			}
			args.After = &s
		}
		ls, ok, err := svc.ListStatements(e.ctx, filter, args)
		if err != nil || !ok {
			return guides.ListStatements{}, false
		}
		e.memo[key] = ls
		return ls, true
	}
	fill := func(sql func(ls guides.ListStatements) (string, []any)) string {
		return c.hole(func(e *env) (string, []any, bool) {
			ls, ok := list(e)
			if !ok {
				return "", nil, false
			}
			s, args := sql(ls)
			return s, args, true
		})
	}
	spec := &connSpec{
		name: "GuideConnection", edge: "GuideEdge", node: guideType,
		table: "(" + fill(func(ls guides.ListStatements) (string, []any) { return ls.Page, ls.PageVars }) + ")",
		where: func(*compiler, string) string { return "TRUE" },
		order: func(t string) string {
			return fill(func(ls guides.ListStatements) (string, []any) { return guides.ListOrderSQL(ls.Search, t), nil })
		},
		afterCond: func(*compiler, string, *field) string { return "TRUE" },
		cursorSQL: func(t string) string {
			return fill(func(ls guides.ListStatements) (string, []any) { return guides.ListCursorSQL(ls.Search, t), nil })
		},
		count: func(*compiler) string {
			return fill(func(ls guides.ListStatements) (string, []any) { return ls.Count, ls.CountVars })
		},
		counted: true,
	}
	v, err := c.connection(spec, f)
	if err != nil {
		return "", err
	}
	q := "q" + strconv.Itoa(len(c.roots))
	out := c.rootTable(v, false, false)
	empty := fill(func(ls guides.ListStatements) (string, []any) {
		if ls.FallbackWhenEmpty {
			return "TRUE", nil
		}
		return "FALSE", nil
	})
	c.fallbacks = append(c.fallbacks, "("+q+".n = 0 AND "+empty+")")
	return out, nil
}

// guideFilter reads a GuideFilter argument (an input object, coerced); ok
// is false for a value the resolvers would refuse.
func guideFilter(v any) (*models.GuideFilter, bool) {
	if v == nil {
		return nil, true
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	f := &models.GuideFilter{}
	for k, x := range m {
		if x == nil {
			continue
		}
		s, ok := x.(string)
		if !ok {
			return nil, false
		}
		switch k {
		case "category":
			cat := models.LegalCategory(s)
			f.Category = &cat
		case "audience":
			a := models.GuideAudience(s)
			f.Audience = &a
		case "jurisdiction":
			f.Jurisdiction = &s
		case "locale":
			f.Locale = &s
		case "search":
			f.Search = &s
		default:
			return nil, false
		}
	}
	return f, true
}

// guideField: guide(slug, locale) for a reader, from the statement
// guides.Service.Guide runs (GuideStatement: the locale chain, the
// audiences the caller may read); null when there is none, as there.
func guideField(c *compiler, _ string, f *field) (string, error) {
	if !c.readsPublished() {
		return "", errNotCompilable
	}
	svc := c.svc.Guides
	readSlug, readLocale := argReader(f, "slug"), argReader(f, "locale")
	t := c.alias("g")
	obj, err := c.object(guideType, t, f.sel)
	if err != nil {
		return "", err
	}
	stmt := c.hole(func(e *env) (string, []any, bool) {
		slug, ok := readSlug(e).(string)
		if !ok {
			return "", nil, false
		}
		var locale *string
		if v := readLocale(e); v != nil {
			s, ok := v.(string)
			if !ok {
				return "", nil, false
			}
			locale = &s
		}
		sql, args, ok, err := svc.GuideStatement(e.ctx, slug, locale)
		return sql, args, ok && err == nil
	})
	return c.root("(SELECT "+obj+" FROM ("+stmt+") "+t+")", false), nil
}
