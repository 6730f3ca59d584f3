package loaders

import (
	"context"
	"sync"

	"github.com/google/uuid"
	"github.com/graph-gophers/dataloader/v7"

	"mlp/internal/cases"
	"mlp/internal/guides"
	"mlp/internal/page"
	"mlp/models"
)

// CaseSelection tells PrimeCases which nested objects of a list of cases the
// query selected.
type CaseSelection struct {
	Patient, AssignedAdvocate, Organization, Outcome bool
	// Timelines holds the arguments of every selected timeline field (one per
	// alias).
	Timelines []page.Args
	// AccessLogs holds the arguments of every selected accessLog field.
	AccessLogs []page.Args
	// Referral, when not nil, is what the query selected of the cases' referrals.
	Referral *ReferralSelection
	// RelatedGuides, when not nil, is what the query selected of the cases'
	// related guides.
	RelatedGuides *GuideFields
}

// PrimeCases loads the nested objects that sel asks for, for every case of a
// list at once (one statement per kind of object), and primes the loaders
// with them before gqlgen resolves the nested fields. The nested resolvers
// then find their values in the loaders' caches: the statement count of a
// list does not depend on how the scheduler spreads the field resolvers over
// time, which a batching wait alone cannot promise. A failed prefetch primes
// nothing; the nested resolvers then load (and report) on their own.
func (l *Loaders) PrimeCases(ctx context.Context, cs []*models.Case, sel CaseSelection) {
	if len(cs) == 0 {
		return
	}
	var wg sync.WaitGroup
	if sel.Patient || sel.AssignedAdvocate {
		var ids []uuid.UUID
		for _, c := range cs {
			if sel.Patient {
				ids = append(ids, c.PatientID)
			}
			if sel.AssignedAdvocate && c.AssignedAdvocateID != nil {
				ids = append(ids, *c.AssignedAdvocateID)
			}
		}
		wg.Go(func() {
			primeByKey(ctx, l.User, l.src.UsersByID, unique(ids), func(u *models.User) uuid.UUID { return u.ID })
		})
	}
	if sel.Organization {
		var ids []uuid.UUID
		for _, c := range cs {
			if c.OrganizationID != nil {
				ids = append(ids, *c.OrganizationID)
			}
		}
		wg.Go(func() {
			primeByKey(ctx, l.Organization, l.src.OrganizationsByID, unique(ids), func(o *models.Organization) uuid.UUID { return o.ID })
		})
	}
	if sel.Outcome {
		ids := make([]uuid.UUID, len(cs))
		for i, c := range cs {
			ids[i] = c.ID
		}
		wg.Go(func() {
			primeByKey(ctx, l.Outcome, l.src.OutcomesByCaseID, ids, func(o *models.CaseOutcome) uuid.UUID { return o.CaseID })
		})
	}
	if sel.Referral != nil {
		wg.Go(func() { l.primeCaseReferrals(ctx, cs, *sel.Referral) })
	}
	if sel.RelatedGuides != nil {
		keys := make([]guides.RelatedKey, 0, len(cs))
		seen := make(map[guides.RelatedKey]bool, len(cs))
		for _, c := range cs {
			if k := RelatedKey(c); !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
		wg.Go(func() { l.PrefetchRelated(ctx, keys, *sel.RelatedGuides) })
	}
	for _, args := range sel.Timelines {
		keys := make([]cases.TimelineKey, len(cs))
		for i, c := range cs {
			keys[i] = cases.NewTimelineKey(c.ID, args)
		}
		wg.Go(func() { primeEach(ctx, l.Timeline, l.src.CaseTimelines, keys) })
	}
	for _, args := range sel.AccessLogs {
		keys := make([]page.Key, len(cs))
		for i, c := range cs {
			keys[i] = page.NewKey(c.ID, args)
		}
		wg.Go(func() { primeEach(ctx, l.AccessLog, l.src.AccessLogs, keys) })
	}
	wg.Wait()
}

// primeEach fetches the values of keys (one each, in key order, as an
// aligned batch function answers) and primes l with those without error.
func primeEach[K comparable, V any](ctx context.Context, l *dataloader.Loader[K, V], fetch func(context.Context, []K) ([]V, []error), keys []K) {
	vals, errs := fetch(ctx, keys)
	for i, k := range keys {
		if errs[i] == nil {
			l.Prime(ctx, k, vals[i])
		}
	}
}

// primeByKey fetches the values of ids and primes l with them; ids without a
// value are primed with the zero value (nil), as the loader would answer them.
func primeByKey[V any](ctx context.Context, l *dataloader.Loader[uuid.UUID, V], fetch func(context.Context, []uuid.UUID) ([]V, error), ids []uuid.UUID, key func(V) uuid.UUID) {
	if len(ids) == 0 {
		return
	}
	vals, err := fetch(ctx, ids)
	if err != nil {
		return
	}
	byKey := make(map[uuid.UUID]V, len(vals))
	for _, v := range vals {
		byKey[key(v)] = v
	}
	for _, id := range ids {
		l.Prime(ctx, id, byKey[id])
	}
}

// unique returns ids without repeats, in first-seen order.
func unique(ids []uuid.UUID) []uuid.UUID {
	seen := make(map[uuid.UUID]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
