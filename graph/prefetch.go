package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	"mlp/graph/loaders"
	"mlp/graph/model"
	"mlp/models"
)

// Prefetcher is a gqlgen extension that, as soon as a list field has
// resolved, starts the loaders that its elements' selected nested fields will
// call, with every key of the page at once (see loaders.Prefetch). Without it
// a page's nested loads form one batch only when all element resolvers reach
// their loader within loaders.Wait, which a busy machine does not promise; with
// it a page costs a fixed number of statements whatever the scheduler does.
type Prefetcher struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.FieldInterceptor
} = Prefetcher{}

// ExtensionName names the extension.
func (Prefetcher) ExtensionName() string { return "Prefetcher" }

// Validate accepts every schema.
func (Prefetcher) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptField resolves the field, then prefetches for the lists it knows.
func (Prefetcher) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	if err != nil {
		return res, err
	}
	switch v := res.(type) {
	case *model.CaseConnection:
		if v != nil {
			cs := make([]*models.Case, len(v.Edges))
			for i, e := range v.Edges {
				cs[i] = e.Node
			}
			prefetchCaseReferrals(ctx, cs, "edges", "node", "referral")
		}
	case *model.ReferralConnection:
		if v != nil {
			ids := make([]uuid.UUID, len(v.Edges))
			for i, e := range v.Edges {
				ids[i] = e.Node.ID
			}
			prefetchReferrals(ctx, ids, "edges", "node")
		}
	}
	return res, err
}

// prefetchCaseReferrals starts the loads of the referrals of cases, and of
// what the client selected below them, when the client selected the referral
// field at path.
func prefetchCaseReferrals(ctx context.Context, cs []*models.Case, path ...string) {
	if !selected(ctx, path...) {
		return
	}
	var ids []uuid.UUID
	for _, c := range cs {
		if c != nil && c.ReferralID != nil {
			ids = append(ids, *c.ReferralID)
		}
	}
	loaders.Prefetch(ctx, loaders.For(ctx).Referral, ids)
	prefetchReferrals(ctx, ids, path...)
}

// prefetchReferrals starts the loads behind the selected fields of the
// referrals ids, whose selection is at path.
func prefetchReferrals(ctx context.Context, ids []uuid.UUID, path ...string) {
	if len(ids) == 0 {
		return
	}
	l := loaders.For(ctx)
	if selected(ctx, append(path, "caseStatus")...) {
		loaders.Prefetch(ctx, l.SharedCaseStatus, ids)
	}
	if selected(ctx, append(path, "case")...) {
		loaders.Prefetch(ctx, l.CaseByReferral, ids)
	}
}

// selected reports whether the client selected the field at path below the
// field being resolved ("edges", "node", "caseStatus").
func selected(ctx context.Context, path ...string) bool {
	oc := graphql.GetOperationContext(ctx)
	fields := graphql.CollectFieldsCtx(ctx, nil)
	for i, name := range path {
		var next []graphql.CollectedField
		found := false
		for _, f := range fields {
			if f.Name != name {
				continue
			}
			found = true
			if i < len(path)-1 {
				next = append(next, graphql.CollectFields(oc, f.Selections, nil)...)
			}
		}
		if !found {
			return false
		}
		fields = next
	}
	return true
}
