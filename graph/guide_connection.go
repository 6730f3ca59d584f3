package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"mlp/graph/loaders"
	"mlp/graph/model"
	"mlp/internal/guides"
	"mlp/internal/page"
	"mlp/models"
)

// guideConnection returns a function that turns a service's page of guides
// into a GuideConnection, after prefetching the nested fields the request
// selected under edges.node (see loaders.PrefetchGuides).
func guideConnection(ctx context.Context) func(page.Page[*models.Guide], error) (*model.GuideConnection, error) {
	return func(p page.Page[*models.Guide], err error) (*model.GuideConnection, error) {
		if err != nil {
			return nil, err
		}
		loaders.For(ctx).PrefetchGuides(ctx, p.Items, selectedGuideFields(ctx), guides.CanSeeEditorial(ctx))
		es, info := edges(p, func(g *models.Guide, c string) *model.GuideEdge { return &model.GuideEdge{Node: g, Cursor: c} })
		return &model.GuideConnection{Edges: es, PageInfo: info, TotalCount: p.Total}, nil
	}
}

// selectedGuideFields reads the selection of the connection field being
// resolved: which loader-backed fields of edges.node the client asked for.
func selectedGuideFields(ctx context.Context) loaders.GuideFields {
	var f loaders.GuideFields
	op := graphql.GetOperationContext(ctx)
	for _, e := range graphql.CollectFieldsCtx(ctx, nil) {
		if e.Name != "edges" {
			continue
		}
		for _, n := range graphql.CollectFields(op, e.Selections, nil) {
			if n.Name != "node" {
				continue
			}
			f = guideFields(op, n.Selections)
		}
	}
	return f
}

// guideFields reads, from the selection set of a Guide, which of its
// loader-backed fields the query asks for.
func guideFields(op *graphql.OperationContext, set ast.SelectionSet) loaders.GuideFields {
	var f loaders.GuideFields
	for _, g := range graphql.CollectFields(op, set, nil) {
		switch g.Name {
		case "translations":
			f.Translations = true
		case "author":
			f.Author = true
		case "revisions":
			f.Revisions = true
			for _, r := range graphql.CollectFields(op, g.Selections, nil) {
				f.RevisionEditors = f.RevisionEditors || r.Name == "editor"
			}
		}
	}
	return f
}
