package graph

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"mlp/internal/auth"
	"mlp/internal/httpx"
	"mlp/models"
)

// ComplexityLimit bounds the cost of one operation, counted as complexity.go
// says: a scalar 1, a root field 100, a list its first (default 20, at most
// 100) times its selection. The mobile app's heaviest query (50 cases, each
// with 10 timeline events and 5 related guides) costs 11,600; no more than
// 200 root fields fit in one operation, aliased or not. A costlier operation
// is refused with BAD_USER_INPUT before anything runs.
const ComplexityLimit = 20000

// ServerOptions configures NewServer.
type ServerOptions struct {
	Development bool
	Logger      *slog.Logger
	// WebsocketAuth verifies the access token of a websocket connection.
	WebsocketAuth func(ctx context.Context, token string) (*auth.Principal, error)
	// Now is the clock of the tokens (default time.Now): a websocket closes
	// when its access token expires by this clock.
	Now func() time.Time
	// SocketOperation prepares the context of each operation on a websocket
	// as the HTTP middleware prepares each request's (its own dataloaders):
	// a websocket lives longer than any one operation.
	SocketOperation func(ctx context.Context) context.Context
	// CompiledReads, when set, is the operation interceptor that answers
	// compilable reads as one SQL statement (graph/compiled). It runs after
	// parsing, validation, the limits and the operation's own preparation.
	CompiledReads graphql.HandlerExtension
	// Observers are extensions that see every operation before anything
	// else may answer it (metrics, tracing): they run first.
	Observers []graphql.HandlerExtension
	// AllowedOrigins are the exact origins, besides the server's own, whose
	// pages may open a websocket (the CORS list); an upgrade without an
	// Origin header (a native app) is always accepted.
	AllowedOrigins []string
	// Limits bound each document (limits.go); zero fields take
	// DefaultLimits.
	Limits Limits
	// Sockets bound the websockets (sockets.go); zero fields take
	// DefaultSocketLimits.
	Sockets SocketLimits
	// Directives replaces the schema's directives (default Directives()):
	// the tests that strip them (pass-throughs) show the services refuse
	// alone.
	Directives *DirectiveRoot
}

// NewServer assembles the GraphQL handler by hand: POST and GET (queries only)
// and graphql-transport-ws websockets, a query cache, automatic persisted
// queries, a complexity limit, and introspection in development only. r is
// the application's *Resolver (benchmarks pass resolvers that answer from
// memory).
func NewServer(r ResolverRoot, opts ServerOptions) *handler.Server {
	sockets := opts.Sockets.withDefaults()
	presenter := ErrorPresenter(opts.Logger)
	directives := Directives()
	if opts.Directives != nil {
		directives = *opts.Directives
	}
	srv := handler.New(NewExecutableSchema(Config{Resolvers: r, Directives: directives, Complexity: Complexity()}))
	srv.AddTransport(transport.Websocket{
		// coder/websocket accepts an upgrade without Origin, from the
		// server's own host, or from an origin matching one of these
		// patterns; with "://" in them they match scheme://host whole.
		Implementation: transport.CoderWebsocketImplementation{
			AcceptOptions: websocket.AcceptOptions{OriginPatterns: opts.AllowedOrigins},
		},
		KeepAlivePingInterval: 15 * time.Second,
		// A connection that sends no connection_init in time is closed
		// (1002, "connection initialisation timeout").
		InitTimeout: sockets.InitTimeout,
		// graphql-transport-ws: a ping every 25 s, answered within 50 s; a
		// client gone without closing (a phone that lost its network) is
		// noticed within about 75 s, and its subscriptions end.
		PingPongInterval: 25 * time.Second,
		// The access token travels in connection_init's payload, and only
		// there: a principal the upgrade request's own headers carried does
		// not count. Each operation on the connection checks the token again
		// (see socketOperation), so a revoked session or disabled account
		// cannot start anything more on a socket already open.
		InitFunc: func(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			// As over HTTP: no token is anonymous; a refused one marks the
			// connection so that every operation answers UNAUTHENTICATED.
			h := payload.Authorization()
			if h == "" || opts.WebsocketAuth == nil {
				return withSocket(auth.WithPrincipal(ctx, nil), ""), nil, nil
			}
			token, ok := auth.BearerToken(h)
			if !ok {
				return withSocket(auth.WithAuthError(ctx, models.ErrUnauthenticated), ""), nil, nil
			}
			p, err := opts.WebsocketAuth(ctx, token)
			if err != nil {
				return withSocket(auth.WithAuthError(ctx, err), ""), nil, nil
			}
			// One of the user's sockets, held until the connection ends.
			if sockets.Hold != nil {
				if err := sockets.Hold(ctx, p); err != nil {
					return refuseSocket(ctx, opts.Logger, err)
				}
			}
			return withSocket(expireWithToken(auth.WithPrincipal(ctx, p), p, opts.Now), token), nil, nil
		},
	})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(getQueries{})
	srv.AddTransport(rawPOST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	srv.Use(requireQuery{})
	useLimits(srv, opts.Limits, opts.Development)
	srv.Use(&complexityLimit{limit: ComplexityLimit})
	if opts.Development {
		srv.Use(extension.Introspection{})
	} else {
		srv.Use(refuseIntrospection{})
	}
	for _, o := range opts.Observers {
		srv.Use(o)
	}
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if err := countOperation(ctx, sockets.MaxOperations); err != nil {
			return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{presenter(ctx, err)}})
		}
		ctx = socketOperation(ctx, opts)
		httpx.Info(ctx).SetOperation(operationLabel(graphql.GetOperationContext(ctx)))
		return next(ctx)
	})
	if opts.CompiledReads != nil {
		srv.Use(opts.CompiledReads)
	}
	srv.SetErrorPresenter(presenter)
	srv.SetRecoverFunc(RecoverFunc(opts.Logger))
	return srv
}

// expireWithToken returns ctx ending when p's access token expires: gqlgen
// then closes the websocket (1000, "terminated"), ending every subscription
// on it, and the client reconnects with a fresh token. So no stream outlives
// its token, and no subscription starts on an expired one.
type socketKey struct{}

// socketState marks the context of a websocket connection; token is its
// accepted access token ("" when anonymous or refused), operations counts
// the operations running on it (see countOperation).
type socketState struct {
	token      string
	operations *atomic.Int32
}

func withSocket(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, socketKey{}, socketState{token: token, operations: new(atomic.Int32)})
}

// socketOperation prepares an operation that arrived on a websocket: the
// connection's token is verified again (one statement, as for each HTTP
// request), so the operation runs with the caller's current role and
// organization, or answers UNAUTHENTICATED once the session is revoked or
// the account disabled; and it gets its own dataloaders. Operations over HTTP
// pass through unchanged.
func socketOperation(ctx context.Context, opts ServerOptions) context.Context {
	st, ok := ctx.Value(socketKey{}).(socketState)
	if !ok {
		return ctx
	}
	if st.token != "" {
		if p, err := opts.WebsocketAuth(ctx, st.token); err != nil {
			ctx = auth.WithAuthError(ctx, err)
		} else {
			ctx = auth.WithPrincipal(ctx, p)
		}
	}
	if opts.SocketOperation != nil {
		ctx = opts.SocketOperation(ctx)
	}
	return ctx
}

func expireWithToken(ctx context.Context, p *auth.Principal, now func() time.Time) context.Context {
	if now == nil {
		now = time.Now
	}
	ctx, cancel := context.WithTimeout(ctx, p.ExpiresAt.Sub(now()))
	context.AfterFunc(ctx, cancel) // releases the timer when the connection ends first
	return ctx
}

// refuseIntrospection answers a document that asks for __schema or __type with
// BAD_USER_INPUT before anything runs. (gqlgen's own switch would fail those
// fields at execution as if the server had broken.)
type refuseIntrospection struct{}

var _ interface {
	graphql.OperationContextMutator
	graphql.HandlerExtension
} = refuseIntrospection{}

// ExtensionName names the extension for gqlgen.
func (refuseIntrospection) ExtensionName() string { return "RefuseIntrospection" }

// Validate accepts every schema.
func (refuseIntrospection) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext refuses documents that introspect.
func (refuseIntrospection) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if opCtx.Doc == nil {
		return nil
	}
	var sets []ast.SelectionSet
	for _, op := range opCtx.Doc.Operations {
		sets = append(sets, op.SelectionSet)
	}
	for _, f := range opCtx.Doc.Fragments {
		sets = append(sets, f.SelectionSet)
	}
	if slices.ContainsFunc(sets, introspects) {
		err := gqlerror.Errorf("Introspection is turned off.")
		errcode.Set(err, string(models.EINVALID))
		return err
	}
	return nil
}

func introspects(set ast.SelectionSet) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" || introspects(s.SelectionSet) {
				return true
			}
		case *ast.InlineFragment:
			if introspects(s.SelectionSet) {
				return true
			}
		}
	}
	return false
}

// operationLabel names an operation for the request log by its type and
// root fields ("query me,legalPartners"). Only schema names: never the
// client's operationName (free text, which could name a person or a
// diagnosis), arguments or variables.
func operationLabel(oc *graphql.OperationContext) string {
	if oc == nil || oc.Operation == nil {
		return ""
	}
	var fields []string
	for _, sel := range oc.Operation.SelectionSet {
		if f, ok := sel.(*ast.Field); ok && !slices.Contains(fields, f.Name) {
			fields = append(fields, f.Name)
		}
	}
	return string(oc.Operation.Operation) + " " + strings.Join(fields, ",")
}
