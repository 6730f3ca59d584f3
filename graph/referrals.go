package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"mlp/graph/loaders"
	"mlp/graph/model"
	"mlp/internal/page"
	"mlp/models"
)

// referralConnection returns the presenter of a page of referrals for the
// request ctx: it passes an error through, and primes the request's loaders
// with the nested objects the query selected (see loaders.PrimeReferrals).
func referralConnection(ctx context.Context) func(page.Page[*models.Referral], error) (*model.ReferralConnection, error) {
	return func(p page.Page[*models.Referral], err error) (*model.ReferralConnection, error) {
		if err != nil {
			return nil, err
		}
		opCtx := graphql.GetOperationContext(ctx)
		for _, e := range graphql.CollectFieldsCtx(ctx, nil) {
			if e.Name != "edges" {
				continue
			}
			for _, n := range graphql.CollectFields(opCtx, e.Selections, nil) {
				if n.Name == "node" {
					loaders.For(ctx).PrimeReferrals(ctx, p.Items, *referralSelection(opCtx, n.Selections))
				}
			}
		}
		es, info := edges(p, func(r *models.Referral, cur string) *model.ReferralEdge {
			return &model.ReferralEdge{Node: r, Cursor: cur}
		})
		return &model.ReferralConnection{Edges: es, PageInfo: info, TotalCount: p.Total}, nil
	}
}

// referralSelection reads, from the selection set of a Referral, which of its
// nested objects the query asks for.
func referralSelection(opCtx *graphql.OperationContext, set ast.SelectionSet) *loaders.ReferralSelection {
	var sel loaders.ReferralSelection
	for _, f := range graphql.CollectFields(opCtx, set, nil) {
		switch f.Name {
		case "caseStatus":
			sel.CaseStatus = true
		case "case":
			sel.Case = true
		case "clinician":
			sel.Clinician = true
		case "recommendedGuides":
			gf := guideFields(opCtx, f.Selections)
			sel.RecommendedGuides = &gf
		}
	}
	return &sel
}

// notificationConnection presents a page of notifications, passing an error through.
func notificationConnection(p page.Page[*models.Notification], err error) (*model.NotificationConnection, error) {
	if err != nil {
		return nil, err
	}
	es, info := edges(p, func(n *models.Notification, cur string) *model.NotificationEdge {
		return &model.NotificationEdge{Node: n, Cursor: cur}
	})
	return &model.NotificationConnection{Edges: es, PageInfo: info, TotalCount: p.Total}, nil
}
