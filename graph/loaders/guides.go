package loaders

import (
	"context"
	"slices"

	"github.com/google/uuid"
	"github.com/graph-gophers/dataloader/v7"

	"mlp/internal/guides"
	"mlp/internal/page"
	"mlp/models"
)

// GuideSources are the batch queries of the guide loaders (internal/guides).
type GuideSources struct {
	RevisionsByGuide func(context.Context, []uuid.UUID) ([]*models.GuideRevision, error)
	Translations     func(context.Context, []guides.TranslationKey) ([][]*models.GuideTranslation, error)
	RelatedForCases  func(context.Context, []guides.RelatedKey) ([][]*models.Guide, error)
	PublishedBySlugs func(context.Context, []guides.SlugKey) ([]*models.Guide, error)
}

// GuideLoaders are the per-request loaders of guides.
type GuideLoaders struct {
	// Revisions of a guide, newest first.
	Revisions *dataloader.Loader[uuid.UUID, []*models.GuideRevision]
	// Translations of a guide: its slug's other published locales.
	Translations *dataloader.Loader[guides.TranslationKey, []*models.GuideTranslation]
	// Related guides of a case (see guides.Service.RelatedForCases).
	Related *dataloader.Loader[guides.RelatedKey, []*models.Guide]
	// Published guide by slug (see guides.Service.PublishedBySlugs).
	BySlug *dataloader.Loader[guides.SlugKey, *models.Guide]
}

func newGuideLoaders(src GuideSources) *GuideLoaders {
	return &GuideLoaders{
		Revisions:    Group(src.RevisionsByGuide, func(r *models.GuideRevision) uuid.UUID { return r.GuideID }),
		Translations: Positional(src.Translations),
		Related:      Positional(src.RelatedForCases),
		BySlug:       Positional(src.PublishedBySlugs),
	}
}

// RelatedGuides loads the first related guides of a case (Case.relatedGuides):
// first is 0 to 100, default 20 (BAD_USER_INPUT naming first otherwise).
func (l *GuideLoaders) RelatedGuides(ctx context.Context, key guides.RelatedKey, first *int) ([]*models.Guide, error) {
	limit, err := page.Args{First: first}.Limit()
	if err != nil {
		return nil, err
	}
	gs, err := l.Related.Load(ctx, key)()
	if err != nil || len(gs) <= limit {
		return gs, err
	}
	return gs[:limit], nil
}

// Recommended loads the published guides of slugs, in the order given,
// leaving out those no longer published (Referral.recommendedGuides). locale
// and languageOf choose the translation as in guides.SlugKey.
func (l *GuideLoaders) Recommended(ctx context.Context, slugs []string, locale string, languageOf uuid.UUID) ([]*models.Guide, error) {
	keys := make([]guides.SlugKey, len(slugs))
	for i, s := range slugs {
		keys[i] = guides.SlugKey{Slug: s, Locale: locale, LanguageOf: languageOf}
	}
	gs, errs := l.BySlug.LoadMany(ctx, keys)()
	out := make([]*models.Guide, 0, len(gs))
	for i, g := range gs {
		if i < len(errs) && errs[i] != nil {
			return nil, errs[i]
		}
		if g != nil {
			out = append(out, g)
		}
	}
	return out, nil
}

// GuideFields tells which nested fields of a list of guides a request
// selected, so that PrefetchGuides loads only those.
type GuideFields struct {
	Translations    bool
	Revisions       bool
	RevisionEditors bool
	Author          bool
}

// PrefetchGuides loads the nested fields of a page of guides with one
// statement per field and primes the loaders with the results, so that the
// field resolvers of every guide find their values in the cache. Loaders
// alone batch the keys that arrive within Wait; under load the resolvers of
// a long list can straggle past it and cost more statements. Prefetching the
// page's keys at once makes the count independent of timing. editorial says
// whether the caller may see authors and revisions. Errors are left to the
// field resolvers, which load what was not primed.
func (l *Loaders) PrefetchGuides(ctx context.Context, gs []*models.Guide, f GuideFields, editorial bool) {
	if len(gs) == 0 {
		return
	}
	if f.Translations {
		keys := make([]guides.TranslationKey, len(gs))
		for i, g := range gs {
			keys[i] = guides.TranslationKey{Slug: g.Slug, Locale: g.Locale}
		}
		if ts, err := l.src.Guides.Translations(ctx, keys); err == nil {
			for i, k := range keys {
				l.Guides.Translations.Prime(ctx, k, ts[i])
			}
		}
	}
	if !editorial {
		return
	}
	users := map[uuid.UUID]bool{}
	if f.Author {
		for _, g := range gs {
			users[g.AuthorID] = true
		}
	}
	if f.Revisions {
		ids := make([]uuid.UUID, len(gs))
		for i, g := range gs {
			ids[i] = g.ID
		}
		if rs, err := l.src.Guides.RevisionsByGuide(ctx, ids); err == nil {
			byGuide := make(map[uuid.UUID][]*models.GuideRevision, len(ids))
			for _, r := range rs {
				byGuide[r.GuideID] = append(byGuide[r.GuideID], r)
				if f.RevisionEditors {
					users[r.EditorID] = true
				}
			}
			for _, id := range ids {
				l.Guides.Revisions.Prime(ctx, id, byGuide[id])
			}
		}
	}
	if len(users) == 0 {
		return
	}
	ids := make([]uuid.UUID, 0, len(users))
	for id := range users {
		ids = append(ids, id)
	}
	if us, err := l.src.UsersByID(ctx, ids); err == nil {
		for _, u := range us {
			l.User.Prime(ctx, u.ID, u)
		}
	}
}

// PrefetchRelated loads the related guides of many cases (the keys of a page
// of cases) in one statement and primes the Related loader, so that every
// Case.relatedGuides of the page is served from the cache whatever the
// timing of its resolver (see PrefetchGuides); then the fields f of all
// those guides. Errors are left to the field resolvers.
func (l *Loaders) PrefetchRelated(ctx context.Context, keys []guides.RelatedKey, f GuideFields) {
	if len(keys) == 0 {
		return
	}
	gss, err := l.src.Guides.RelatedForCases(ctx, keys)
	if err != nil {
		return
	}
	for i, k := range keys {
		l.Guides.Related.Prime(ctx, k, gss[i])
	}
	l.PrefetchGuides(ctx, distinctGuides(slices.Concat(gss...)), f, guides.CanSeeEditorial(ctx))
}

// PrefetchRecommended loads the recommended guides of many referrals (all
// their slug keys) in one statement and primes the BySlug loader, then the
// fields f of those guides, as PrefetchRelated does for cases.
func (l *Loaders) PrefetchRecommended(ctx context.Context, keys []guides.SlugKey, f GuideFields) {
	if len(keys) == 0 {
		return
	}
	gs, err := l.src.Guides.PublishedBySlugs(ctx, keys)
	if err != nil {
		return
	}
	for i, k := range keys {
		l.Guides.BySlug.Prime(ctx, k, gs[i])
	}
	l.PrefetchGuides(ctx, distinctGuides(gs), f, guides.CanSeeEditorial(ctx))
}

// distinctGuides returns gs without nils and repeats.
func distinctGuides(gs []*models.Guide) []*models.Guide {
	seen := make(map[uuid.UUID]bool, len(gs))
	out := make([]*models.Guide, 0, len(gs))
	for _, g := range gs {
		if g != nil && !seen[g.ID] {
			seen[g.ID] = true
			out = append(out, g)
		}
	}
	return out
}

// Positional returns a loader whose batch function returns one value per key,
// in key order.
func Positional[K comparable, V any](fetch func(context.Context, []K) ([]V, error)) *dataloader.Loader[K, V] {
	return dataloader.NewBatchedLoader(func(ctx context.Context, keys []K) []*dataloader.Result[V] {
		out := make([]*dataloader.Result[V], len(keys))
		vals, err := fetch(ctx, keys)
		for i := range out {
			switch {
			case err != nil:
				out[i] = &dataloader.Result[V]{Error: err}
			case i < len(vals):
				out[i] = &dataloader.Result[V]{Data: vals[i]}
			default:
				out[i] = &dataloader.Result[V]{}
			}
		}
		return out
	}, dataloader.WithWait[K, V](Wait), dataloader.WithBatchCapacity[K, V](1000))
}

// RelatedKey is the key of a case's related guides: its category and
// jurisdiction, in its patient's preferred language.
func RelatedKey(c *models.Case) guides.RelatedKey {
	return guides.RelatedKey{Category: c.Category, Jurisdiction: c.Jurisdiction, LanguageOf: c.PatientID}
}

// recommendedKeys are the slug keys of a referral's recommended guides.
func recommendedKeys(r *models.Referral) []guides.SlugKey {
	keys := make([]guides.SlugKey, len(r.RecommendedGuideSlugs))
	for i, s := range r.RecommendedGuideSlugs {
		keys[i] = guides.SlugKey{Slug: s, LanguageOf: r.Patient()}
	}
	return keys
}

// CaseRelated loads Case.relatedGuides of c.
func (l *GuideLoaders) CaseRelated(ctx context.Context, c *models.Case, first *int) ([]*models.Guide, error) {
	return l.RelatedGuides(ctx, RelatedKey(c), first)
}

// ReferralRecommended loads Referral.recommendedGuides of r: the published
// guides the clinician recommended, in the claiming patient's language.
func (l *GuideLoaders) ReferralRecommended(ctx context.Context, r *models.Referral) ([]*models.Guide, error) {
	return l.Recommended(ctx, r.RecommendedGuideSlugs, "", r.Patient())
}
