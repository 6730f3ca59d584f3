package guides

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"mlp/internal/auth"
	"mlp/models"
)

// The batch functions below serve per-request dataloaders: each takes many
// keys, runs one statement, and returns results in key order.

// MaxRecommended is the most guides a referral may recommend.
const MaxRecommended = 10

// maxRelated is the most related guides one key yields.
const maxRelated = 100

// RevisionsByGuide loads the revisions of many guides, newest first within a
// guide. The caller decides who may see them (EditorialID).
func (s *Service) RevisionsByGuide(ctx context.Context, ids []uuid.UUID) ([]*models.GuideRevision, error) {
	var rs []*models.GuideRevision
	return rs, s.db.WithContext(ctx).Where("guide_id IN ?", ids).Order("guide_id, version DESC").Find(&rs).Error
}

// TranslationKey asks for the other published locales of a guide.
type TranslationKey struct {
	Slug   string
	Locale string
}

// Translations returns, for each key, the published locales of its slug
// other than its own, readable by the caller, by locale.
func (s *Service) Translations(ctx context.Context, keys []TranslationKey) ([][]*models.GuideTranslation, error) {
	p, err := auth.UserFrom(ctx)
	if err != nil {
		return nil, err
	}
	slugs := make([]string, 0, len(keys))
	for _, k := range keys {
		if !slices.Contains(slugs, k.Slug) {
			slugs = append(slugs, k.Slug)
		}
	}
	var rows []struct{ Slug, Locale, Title string }
	if err := s.db.WithContext(ctx).Model(&models.PublishedGuide{}).Select("slug, locale, title").Scopes(Readable(p, "published_guides").Scope).
		Where("slug IN ?", slugs).Order("slug, locale").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([][]*models.GuideTranslation, len(keys))
	for i, k := range keys {
		for _, r := range rows {
			if r.Slug == k.Slug && r.Locale != k.Locale {
				out[i] = append(out[i], &models.GuideTranslation{Locale: r.Locale, Title: r.Title})
			}
		}
	}
	return out, nil
}

// RelatedKey asks for the guides that go with a case: its category and
// jurisdiction (a state code), read in Locale, or when Locale is empty in the
// preferred language of the user LanguageOf (the case's patient), or English.
type RelatedKey struct {
	Category     models.LegalCategory
	Jurisdiction string
	Locale       string
	LanguageOf   uuid.UUID
}

// RelatedForCases returns, for each key, the published PATIENTS guides of the
// key's category that apply in its jurisdiction (the state's own and the
// US-wide ones), one per slug in the reader's locale where that translation
// exists, else in the locale's language (es for es-MX), else English; slugs
// with none of these are left out. Best first: the state's own guides before
// US-wide ones, then those in the reader's own locale, then the newest. At
// most 100 per key, all keys in one statement.
func (s *Service) RelatedForCases(ctx context.Context, keys []RelatedKey) ([][]*models.Guide, error) {
	idx := make([]string, len(keys))
	cats := make([]string, len(keys))
	states := make([]string, len(keys))
	locales := make([]string, len(keys))
	users := make([]string, len(keys))
	for i, k := range keys {
		idx[i] = strconv.Itoa(i)
		cats[i] = string(k.Category)
		states[i] = strings.ToUpper(strings.TrimSpace(k.Jurisdiction))
		if l, err := NormalizeLocale("locale", k.Locale); err == nil {
			locales[i] = l
		}
		users[i] = k.LanguageOf.String()
	}
	sql := `
WITH k AS (
    SELECT k.idx, k.category, k.state, coalesce(nullif(k.locale, ''), u.preferred_language, 'en') AS locale
    FROM unnest(?::int[], ?::text[], ?::text[], ?::text[], ?::uuid[]) AS k(idx, category, state, locale, language_of)
    LEFT JOIN users u ON u.id = k.language_of
), picked AS (
    SELECT DISTINCT ON (k.idx, g.slug) k.idx, ` + publishedCols + `,
        g.jurisdictions @> ARRAY[k.state] AS own_state,
        CASE WHEN g.locale = k.locale THEN 0 WHEN g.locale = split_part(k.locale, '-', 1) THEN 1 ELSE 2 END AS locale_rank
    FROM k JOIN published_guides g
      ON g.category = k.category AND g.audience = 'PATIENTS'
     AND g.jurisdictions && ARRAY[k.state, 'US']
     AND g.locale IN (k.locale, split_part(k.locale, '-', 1), 'en')
    ORDER BY k.idx, g.slug, locale_rank
), ranked AS (
    SELECT picked.*, row_number() OVER (PARTITION BY idx ORDER BY own_state DESC, locale_rank, published_at DESC, guide_id) AS n
    FROM picked
)
SELECT * FROM ranked WHERE n <= ? ORDER BY idx, n`
	var rows []struct {
		Idx int
		models.PublishedGuide
	}
	if err := s.db.WithContext(ctx).Raw(sql, "{"+strings.Join(idx, ",")+"}", models.TextArray(cats), models.TextArray(states),
		models.TextArray(locales), models.TextArray(users), maxRelated).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([][]*models.Guide, len(keys))
	for _, r := range rows {
		out[r.Idx] = append(out[r.Idx], r.PublishedGuide.Guide())
	}
	return out, nil
}

// SlugKey asks for the published PATIENTS guide with Slug, read in Locale, or
// when Locale is empty in the preferred language of the user LanguageOf, or
// English; PublishedBySlugs falls back further to any published locale.
type SlugKey struct {
	Slug       string
	Locale     string
	LanguageOf uuid.UUID
}

// PublishedBySlugs returns, for each key, the published PATIENTS guide with
// its slug in the reader's locale, else the locale's language, else English,
// else in any other locale it is published in (the first by locale), so that
// a guide ValidatePublishedSlugs accepted is never left out for want of a
// translation; nil where the slug has no published PATIENTS guide. One
// statement for all keys.
func (s *Service) PublishedBySlugs(ctx context.Context, keys []SlugKey) ([]*models.Guide, error) {
	idx := make([]string, len(keys))
	slugs := make([]string, len(keys))
	locales := make([]string, len(keys))
	users := make([]string, len(keys))
	for i, k := range keys {
		idx[i] = strconv.Itoa(i)
		slugs[i] = k.Slug
		if l, err := NormalizeLocale("locale", k.Locale); err == nil {
			locales[i] = l
		}
		users[i] = k.LanguageOf.String()
	}
	sql := `
WITH k AS (
    SELECT k.idx, k.slug, coalesce(nullif(k.locale, ''), u.preferred_language, 'en') AS locale
    FROM unnest(?::int[], ?::text[], ?::text[], ?::uuid[]) AS k(idx, slug, locale, language_of)
    LEFT JOIN users u ON u.id = k.language_of
)
SELECT DISTINCT ON (k.idx) k.idx, ` + publishedCols + `
FROM k JOIN published_guides g
  ON g.slug = k.slug AND g.audience = 'PATIENTS'
ORDER BY k.idx, CASE WHEN g.locale = k.locale THEN 0 WHEN g.locale = split_part(k.locale, '-', 1) THEN 1
    WHEN g.locale = 'en' THEN 2 ELSE 3 END, g.locale`
	var rows []struct {
		Idx int
		models.PublishedGuide
	}
	if err := s.db.WithContext(ctx).Raw(sql, "{"+strings.Join(idx, ",")+"}", models.TextArray(slugs), models.TextArray(locales),
		models.TextArray(users)).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*models.Guide, len(keys))
	for _, r := range rows {
		out[r.Idx] = r.PublishedGuide.Guide()
	}
	return out, nil
}

// ValidatePublishedSlugs checks the guides a clinician recommends: each slug
// must name a published PATIENTS guide (in any locale), at most
// MaxRecommended. It returns the slugs trimmed and without repeats, in the
// order given; nil for none.
// Errors: BAD_USER_INPUT naming field (e.g. "input.recommendedGuideSlugs").
func (s *Service) ValidatePublishedSlugs(ctx context.Context, field string, slugs []string) ([]string, error) {
	var out []string
	for _, sl := range slugs {
		sl = strings.TrimSpace(sl)
		if !ValidSlug(sl) {
			return nil, models.InvalidField(field, "Slugs are 3 to 80 lower-case letters, digits and hyphens.")
		}
		if !slices.Contains(out, sl) {
			out = append(out, sl)
		}
	}
	if len(out) > MaxRecommended {
		return nil, models.InvalidField(field, "Recommend at most %d guides.", MaxRecommended)
	}
	if len(out) == 0 {
		return nil, nil
	}
	var found []string
	if err := s.db.WithContext(ctx).Model(&models.PublishedGuide{}).Distinct("slug").
		Where("slug IN ? AND audience = ?", out, models.AudiencePatients).Pluck("slug", &found).Error; err != nil {
		return nil, err
	}
	for _, sl := range out {
		if !slices.Contains(found, sl) {
			return nil, models.InvalidField(field, "No published guide has the slug %q.", sl)
		}
	}
	return out, nil
}
