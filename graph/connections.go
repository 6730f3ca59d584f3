package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"mlp/graph/model"
	"mlp/internal/page"
	"mlp/models"
)

// pageArgs returns the pagination arguments of a list field, asking for the
// total only when the client selected totalCount.
func pageArgs(ctx context.Context, first *int, after *string) page.Args {
	withTotal := false
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if f.Name == "totalCount" {
			withTotal = true
		}
	}
	return page.Args{First: first, After: after, WithTotal: withTotal}
}

// edges builds the edges and page info of a connection from a page.
func edges[T any, E any](p page.Page[T], edge func(T, string) E) ([]E, *model.PageInfo) {
	out := make([]E, len(p.Items))
	for i, it := range p.Items {
		out[i] = edge(it, p.Cursors[i])
	}
	return out, &model.PageInfo{HasNextPage: p.HasNext, EndCursor: p.EndCursor()}
}

// userConnection presents a page of accounts, passing an error through.
func userConnection(p page.Page[*models.User], err error) (*model.UserConnection, error) {
	if err != nil {
		return nil, err
	}
	es, info := edges(p, func(u *models.User, cur string) *model.UserEdge { return &model.UserEdge{Node: u, Cursor: cur} })
	return &model.UserConnection{Edges: es, PageInfo: info, TotalCount: p.Total}, nil
}
