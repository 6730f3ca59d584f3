package loaders

import (
	"context"
	"sync"

	"github.com/google/uuid"

	"mlp/internal/guides"
	"mlp/models"
)

// ReferralSelection tells the primers which nested objects of a list of
// referrals (or of the referrals of a list of cases) the query selected.
type ReferralSelection struct {
	CaseStatus, Case, Clinician bool
	// RecommendedGuides, when not nil, is what the query selected of the
	// referrals' recommended guides.
	RecommendedGuides *GuideFields
}

// PrimeReferrals loads the nested objects that sel asks for, for every
// referral of a list at once, and primes the loaders with them, as PrimeCases
// does for cases.
func (l *Loaders) PrimeReferrals(ctx context.Context, rs []*models.Referral, sel ReferralSelection) {
	if len(rs) == 0 {
		return
	}
	ids := make([]uuid.UUID, len(rs))
	var clinicians []uuid.UUID
	for i, r := range rs {
		ids[i] = r.ID
		clinicians = append(clinicians, r.ClinicianID)
	}
	var wg sync.WaitGroup
	if sel.CaseStatus {
		wg.Go(func() {
			statuses, err := l.src.SharedCaseStatuses(ctx, ids)
			if err != nil {
				return
			}
			for _, id := range ids {
				l.SharedCaseStatus.Prime(ctx, id, statuses[id])
			}
		})
	}
	if sel.Case {
		wg.Go(func() {
			primeByKey(ctx, l.CaseByReferral, l.src.CasesByReferralID, ids, func(c *models.Case) uuid.UUID { return *c.ReferralID })
		})
	}
	if sel.RecommendedGuides != nil {
		var keys []guides.SlugKey
		for _, r := range rs {
			keys = append(keys, recommendedKeys(r)...)
		}
		wg.Go(func() { l.PrefetchRecommended(ctx, keys, *sel.RecommendedGuides) })
	}
	if sel.Clinician {
		wg.Go(func() {
			primeByKey(ctx, l.User, l.src.UsersByID, unique(clinicians), func(u *models.User) uuid.UUID { return u.ID })
		})
	}
	wg.Wait()
}

// primeCaseReferrals loads the referrals of the cases cs, primes the referral
// loader with them (nil for cases without one) and then primes what sel asks
// for below them.
func (l *Loaders) primeCaseReferrals(ctx context.Context, cs []*models.Case, sel ReferralSelection) {
	var ids []uuid.UUID
	for _, c := range cs {
		if c.ReferralID != nil {
			ids = append(ids, *c.ReferralID)
		}
	}
	if len(ids) == 0 {
		return
	}
	rs, err := l.src.ReferralsByID(ctx, ids)
	if err != nil {
		return
	}
	byID := make(map[uuid.UUID]*models.Referral, len(rs))
	for _, r := range rs {
		byID[r.ID] = r
	}
	for _, id := range ids {
		l.Referral.Prime(ctx, id, byID[id])
	}
	l.PrimeReferrals(ctx, rs, sel)
}
