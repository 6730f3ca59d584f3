// Package loaders batches the lookups of nested objects per request, so that a
// list of N objects costs a fixed number of statements, not N.
package loaders

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/graph-gophers/dataloader/v7"

	"mlp/internal/cases"
	"mlp/internal/page"
	"mlp/models"
)

// Wait is how long a loader gathers keys before it runs its batch. gqlgen
// resolves list elements concurrently, so a short wait collects them all.
const Wait = 500 * time.Microsecond

// Sources are the batch queries the loaders call.
type Sources struct {
	UsersByID         func(context.Context, []uuid.UUID) ([]*models.User, error)
	OrganizationsByID func(context.Context, []uuid.UUID) ([]*models.Organization, error)
	// ReferralsByID loads referrals (a case's referral).
	ReferralsByID func(context.Context, []uuid.UUID) ([]*models.Referral, error)
	// CasesByReferralID loads the cases of referrals that the caller may read.
	CasesByReferralID func(context.Context, []uuid.UUID) ([]*models.Case, error)
	// SharedCaseStatuses loads, by referral id, the status of the referral's
	// case while the patient shares it with the referrer.
	SharedCaseStatuses func(context.Context, []uuid.UUID) (map[uuid.UUID]*models.CaseStatus, error)
	// CaseTimelines returns one timeline page per key, in key order.
	CaseTimelines    func(context.Context, []cases.TimelineKey) ([]page.Page[*models.CaseEvent], []error)
	OutcomesByCaseID func(context.Context, []uuid.UUID) ([]*models.CaseOutcome, error)
	// AccessLogs returns one page of a case's access log per key, in key order.
	AccessLogs func(context.Context, []page.Key) ([]page.Page[*models.AccessLogEntry], []error)
	Guides     GuideSources
}

// Loaders are the per-request loaders.
type Loaders struct {
	User         *dataloader.Loader[uuid.UUID, *models.User]
	Organization *dataloader.Loader[uuid.UUID, *models.Organization]
	// Referral loads a referral by id.
	Referral *dataloader.Loader[uuid.UUID, *models.Referral]
	// CaseByReferral loads, by referral id, the referral's case if the caller
	// may read it.
	CaseByReferral *dataloader.Loader[uuid.UUID, *models.Case]
	// SharedCaseStatus loads, by referral id, the status the patient shares
	// with the referring clinician (nil when not shared).
	SharedCaseStatus *dataloader.Loader[uuid.UUID, *models.CaseStatus]
	// Timeline loads a page of a case's timeline; the first N events of many
	// cases come from one statement.
	Timeline *dataloader.Loader[cases.TimelineKey, page.Page[*models.CaseEvent]]
	// Outcome loads a case's outcome by case id.
	Outcome *dataloader.Loader[uuid.UUID, *models.CaseOutcome]
	// AccessLog loads a page of a case's access log; the first N entries of
	// many cases come from one statement.
	AccessLog *dataloader.Loader[page.Key, page.Page[*models.AccessLogEntry]]
	Guides    *GuideLoaders

	src Sources
}

// New returns fresh loaders over src; each request gets its own.
func New(src Sources) *Loaders {
	return &Loaders{
		src:          src,
		User:         ByKey(src.UsersByID, func(u *models.User) uuid.UUID { return u.ID }),
		Organization: ByKey(src.OrganizationsByID, func(o *models.Organization) uuid.UUID { return o.ID }),
		Referral:     ByKey(src.ReferralsByID, func(r *models.Referral) uuid.UUID { return r.ID }),
		CaseByReferral: ByKey(src.CasesByReferralID, func(c *models.Case) uuid.UUID {
			return *c.ReferralID
		}),
		SharedCaseStatus: Mapped(src.SharedCaseStatuses),
		Timeline:         Aligned(src.CaseTimelines),
		Outcome:          ByKey(src.OutcomesByCaseID, func(o *models.CaseOutcome) uuid.UUID { return o.CaseID }),
		AccessLog:        Aligned(src.AccessLogs),
		Guides:           newGuideLoaders(src.Guides),
	}
}

// ByKey returns a loader whose batch function fetches values for many keys in
// one call and hands them back in key order; a missing key yields the zero
// value and no error.
func ByKey[K comparable, V any](fetch func(context.Context, []K) ([]V, error), key func(V) K) *dataloader.Loader[K, V] {
	return dataloader.NewBatchedLoader(func(ctx context.Context, keys []K) []*dataloader.Result[V] {
		out := make([]*dataloader.Result[V], len(keys))
		vals, err := fetch(ctx, keys)
		if err != nil {
			for i := range out {
				out[i] = &dataloader.Result[V]{Error: err}
			}
			return out
		}
		byKey := make(map[K]V, len(vals))
		for _, v := range vals {
			byKey[key(v)] = v
		}
		for i, k := range keys {
			out[i] = &dataloader.Result[V]{Data: byKey[k]}
		}
		return out
	}, dataloader.WithWait[K, V](Wait), dataloader.WithBatchCapacity[K, V](1000))
}

// Group returns a loader whose batch function fetches, for many keys, a list
// each (the first events of many cases); group tells which key a value is of.
func Group[K comparable, V any](fetch func(context.Context, []K) ([]V, error), group func(V) K) *dataloader.Loader[K, []V] {
	return dataloader.NewBatchedLoader(func(ctx context.Context, keys []K) []*dataloader.Result[[]V] {
		out := make([]*dataloader.Result[[]V], len(keys))
		vals, err := fetch(ctx, keys)
		if err != nil {
			for i := range out {
				out[i] = &dataloader.Result[[]V]{Error: err}
			}
			return out
		}
		byKey := make(map[K][]V, len(keys))
		for _, v := range vals {
			k := group(v)
			byKey[k] = append(byKey[k], v)
		}
		for i, k := range keys {
			out[i] = &dataloader.Result[[]V]{Data: byKey[k]}
		}
		return out
	}, dataloader.WithWait[K, []V](Wait), dataloader.WithBatchCapacity[K, []V](1000))
}

// Mapped returns a loader whose batch function answers many keys with a map;
// a key missing from the map yields the zero value and no error.
func Mapped[K comparable, V any](fetch func(context.Context, []K) (map[K]V, error)) *dataloader.Loader[K, V] {
	return dataloader.NewBatchedLoader(func(ctx context.Context, keys []K) []*dataloader.Result[V] {
		out := make([]*dataloader.Result[V], len(keys))
		vals, err := fetch(ctx, keys)
		for i, k := range keys {
			out[i] = &dataloader.Result[V]{Data: vals[k], Error: err}
		}
		return out
	}, dataloader.WithWait[K, V](Wait), dataloader.WithBatchCapacity[K, V](1000))
}

// Aligned returns a loader whose batch function answers every key itself, a
// value and an error per key, in key order (pages of many lists, each with its
// own arguments).
func Aligned[K comparable, V any](fetch func(context.Context, []K) ([]V, []error)) *dataloader.Loader[K, V] {
	return dataloader.NewBatchedLoader(func(ctx context.Context, keys []K) []*dataloader.Result[V] {
		vals, errs := fetch(ctx, keys)
		out := make([]*dataloader.Result[V], len(keys))
		for i := range keys {
			out[i] = &dataloader.Result[V]{Data: vals[i], Error: errs[i]}
		}
		return out
	}, dataloader.WithWait[K, V](Wait), dataloader.WithBatchCapacity[K, V](1000))
}

type ctxKey struct{}

// Middleware gives each request its own loaders.
func Middleware(src Sources, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(With(r.Context(), src)))
	})
}

// With returns ctx carrying new loaders over src: one set per request, and
// one per operation of a websocket (which lives longer than any request).
func With(ctx context.Context, src Sources) context.Context {
	return context.WithValue(ctx, ctxKey{}, New(src))
}

// For returns the request's loaders.
func For(ctx context.Context) *Loaders {
	return ctx.Value(ctxKey{}).(*Loaders)
}

// Load loads one key through l; a nil id loads nothing.
func Load[V any](ctx context.Context, l *dataloader.Loader[uuid.UUID, V], id *uuid.UUID) (V, error) {
	if id == nil {
		var zero V
		return zero, nil
	}
	return l.Load(ctx, *id)()
}
