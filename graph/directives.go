package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"mlp/internal/auth"
	"mlp/models"
)

// Directives returns the implementations of the schema's directives. They
// refuse early and say in the schema who may call; they are never the only
// check: every service method authorizes its caller itself, from its domain's
// policy (see auth.Policy); the services' own authorization tables
// (authztest) hold with no GraphQL in front.
func Directives() DirectiveRoot {
	return DirectiveRoot{
		Authenticated: func(ctx context.Context, _ any, next graphql.Resolver) (any, error) {
			if _, err := auth.Require(ctx); err != nil {
				return nil, err
			}
			return next(ctx)
		},
		HasRole: func(ctx context.Context, _ any, next graphql.Resolver, roles []models.Role) (any, error) {
			if _, err := auth.RequireRole(ctx, roles...); err != nil {
				return nil, err
			}
			return next(ctx)
		},
	}
}
