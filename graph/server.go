package graph

import (
	"context"
	"log/slog"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"mlp/internal/auth"
	"mlp/internal/httpx"
)

// ComplexityLimit bounds how much one query may ask for.
const ComplexityLimit = 5000

// ServerOptions configures NewServer.
type ServerOptions struct {
	Development bool
	Logger      *slog.Logger
	// WebsocketAuth verifies the access token of a websocket connection.
	WebsocketAuth func(ctx context.Context, token string) (*auth.Principal, error)
}

// NewServer assembles the GraphQL handler by hand: POST and GET (queries only)
// and graphql-transport-ws websockets, a query cache, automatic persisted
// queries, a complexity limit, and introspection in development only.
func NewServer(r *Resolver, opts ServerOptions) *handler.Server {
	srv := handler.New(NewExecutableSchema(Config{Resolvers: r, Directives: Directives()}))
	srv.AddTransport(transport.Websocket{
		KeepAlivePingInterval: 15 * time.Second,
		InitFunc: func(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			token, ok := auth.BearerToken(payload.Authorization())
			if !ok || opts.WebsocketAuth == nil {
				return ctx, nil, nil
			}
			p, err := opts.WebsocketAuth(ctx, token)
			if err != nil {
				return nil, nil, err
			}
			return auth.WithPrincipal(ctx, p), nil, nil
		},
	})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	srv.Use(extension.FixedComplexityLimit(ComplexityLimit))
	srv.Use(Prefetcher{})
	if opts.Development {
		srv.Use(extension.Introspection{})
	}
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		httpx.Info(ctx).SetOperation(graphql.GetOperationContext(ctx).OperationName)
		return next(ctx)
	})
	srv.SetErrorPresenter(ErrorPresenter(opts.Logger))
	srv.SetRecoverFunc(RecoverFunc(opts.Logger))
	return srv
}
