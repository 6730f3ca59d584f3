package graph

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"mlp/internal/i18n"
	"mlp/models"
)

// The HTTP status policy, after the GraphQL-over-HTTP draft:
//
//   - A client that accepts application/graphql-response+json (Apollo Client
//     and urql send it first in Accept) gets 400 for a request that never
//     executed: a document that does not parse or validate, variables that do
//     not fit their types, an operation over a limit, introspection in
//     production. Anything that executed is 200, errors or not.
//   - A client that asks for application/json (or sends no Accept) gets 200
//     for every well-formed GraphQL request, errors in the body; only a body
//     that is not a GraphQL request in JSON (or too large) gets a 4xx.
//
// gqlgen decides the first case from the kind of an error's code, so the
// codes our extensions set before execution count as the request's fault.
// Domain errors during execution never reach that decision.
func init() {
	errcode.RegisterErrorType(string(models.EINVALID), errcode.KindProtocol)
	errcode.RegisterErrorType("COMPLEXITY_LIMIT_EXCEEDED", errcode.KindProtocol)
}

// StatusPolicy answers 200 instead of gqlgen's 422 to clients that take
// application/json (see the policy above), and 400 to a request that is not
// a GraphQL request at all (no query: see requireQuery).
func StatusPolicy(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" {
			next.ServeHTTP(w, r) // a websocket: no status of ours
			return
		}
		rw := &statusRewriter{ResponseWriter: w}
		next.ServeHTTP(rw, r.WithContext(context.WithValue(r.Context(), malformedKey{}, &rw.malformed)))
	})
}

type malformedKey struct{}

type statusRewriter struct {
	http.ResponseWriter
	malformed atomic.Bool
}

func (w *statusRewriter) WriteHeader(code int) {
	if code == http.StatusUnprocessableEntity {
		switch {
		case w.malformed.Load():
			code = http.StatusBadRequest
		case strings.HasPrefix(w.Header().Get("Content-Type"), "application/json"):
			code = http.StatusOK
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

// requireQuery refuses a request without a query (after automatic persisted
// queries had their chance to supply it) as not a GraphQL request: 400
// whatever the client accepts.
type requireQuery struct{}

var _ interface {
	graphql.OperationParameterMutator
	graphql.HandlerExtension
} = requireQuery{}

// ExtensionName names the extension for gqlgen.
func (requireQuery) ExtensionName() string { return "RequireQuery" }

// Validate accepts every schema.
func (requireQuery) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters refuses an empty query.
func (requireQuery) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if strings.TrimSpace(params.Query) != "" {
		return nil
	}
	if m, ok := ctx.Value(malformedKey{}).(*atomic.Bool); ok {
		m.Store(true)
	}
	err := gqlerror.Errorf("%s", i18n.Text(i18n.Language(ctx), "The request has no query."))
	errcode.Set(err, string(models.EINVALID))
	return err
}

// Unwrap lets http.ResponseController reach the writer beneath.
func (w *statusRewriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
