// Package observe is the GraphQL adapter's side of metrics and tracing: the
// gqlgen extensions that count and span every operation, and the closed sets
// their labels take (root field names, operation types, contract codes). The
// instruments themselves live in internal/metrics and internal/tracing, which
// know nothing of gqlgen.
package observe

import (
	"context"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"mlp/internal/metrics"
	"mlp/models"
)

// Values of the operation label besides the schema's root field names.
const (
	// OperationMultiple is an operation selecting several root fields.
	OperationMultiple = "multiple"
	// OperationOther is an operation with no known root field (a document
	// that did not parse or validate).
	OperationOther = "other"
	// CodeOK is the code label of an answer without errors.
	CodeOK = "OK"
	// CodeOther is the code label of an error code outside the contract's.
	CodeOther = "OTHER"
)

// contractCodes are the contract's error codes, the only code labels besides CodeOK
// and CodeOther.
var contractCodes = map[string]bool{}

func init() {
	for _, c := range []models.ErrorCode{models.EUNAUTHENTICATED, models.EFORBIDDEN, models.ENOTFOUND, models.EINVALID,
		models.ECONFLICT, models.ERATELIMITED, models.EINTERNAL, models.EUNAVAILABLE} {
		contractCodes[string(c)] = true
	}
}

// Metrics returns the gqlgen extension that counts every operation in m,
// over HTTP and websockets: mlp_graphql_operations_total and the latency
// histogram, and the active subscriptions. Use it after the error presenter
// is set, so that the codes counted are the ones answered.
func Metrics(m *metrics.Metrics) graphql.HandlerExtension { return &gqlMetrics{m: m} }

type gqlMetrics struct {
	m     *metrics.Metrics
	roots Operations
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.ResponseInterceptor
} = (*gqlMetrics)(nil)

// dispatched marks (in the operation's Stats) an operation that reached
// execution: the operation interceptor counts it; the response interceptor
// counts only those refused before (parse, validation, limits).
const dispatched = "mlpMetrics"

// ExtensionName names the extension for gqlgen.
func (*gqlMetrics) ExtensionName() string { return "Metrics" }

// Validate collects the schema's root field names: the operation label
// takes no other value (but OperationMultiple and OperationOther).
func (g *gqlMetrics) Validate(es graphql.ExecutableSchema) error {
	g.roots = NewOperations(es.Schema())
	return nil
}

// Operations names operations for metrics and traces by the root fields
// they select, from a closed set: the schema's root field names,
// OperationMultiple and OperationOther.
type Operations map[string]bool

// NewOperations collects the root field names of s.
func NewOperations(s *ast.Schema) Operations {
	roots := Operations{"__typename": true, "__schema": true, "__type": true}
	for _, d := range []*ast.Definition{s.Query, s.Mutation, s.Subscription} {
		if d == nil {
			continue
		}
		for _, f := range d.Fields {
			roots[f.Name] = true
		}
	}
	return roots
}

// InterceptOperation counts an operation that runs: a query or mutation at
// its answer, with its latency; a subscription at its first event (or its
// end, if none came), and as active until it ends.
func (g *gqlMetrics) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	oc.Stats.SetExtension(dispatched, true)
	op, typ := g.roots.Label(oc), OperationType(oc)
	start := oc.Stats.OperationStart
	if start.IsZero() {
		start = time.Now()
	}
	var once sync.Once
	observe := func(resp *graphql.Response) {
		once.Do(func() {
			g.m.Operation(op, typ, responseCode(resp))
			if typ != string(ast.Subscription) {
				g.m.OperationDuration(op, typ, time.Since(start))
			}
		})
	}
	if typ == string(ast.Subscription) {
		ended := g.m.SubscriptionStarted(op)
		context.AfterFunc(ctx, func() {
			observe(nil)
			ended()
		})
	}
	h := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		resp := h(ctx)
		observe(resp)
		return resp
	}
}

// InterceptResponse counts the operations refused before they ran; it lets
// the responses of operations that ran pass (InterceptOperation counts them).
func (g *gqlMetrics) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	var oc *graphql.OperationContext
	if graphql.HasOperationContext(ctx) {
		oc = graphql.GetOperationContext(ctx)
		if oc.Stats.GetExtension(dispatched) != nil {
			return resp
		}
	}
	op, typ := g.roots.Label(oc), OperationType(oc)
	g.m.Operation(op, typ, responseCode(resp))
	if oc != nil && !oc.Stats.OperationStart.IsZero() {
		g.m.OperationDuration(op, typ, time.Since(oc.Stats.OperationStart))
	}
	return resp
}

// Label names oc: the one root field it selects (through fragments too),
// OperationMultiple for several, OperationOther when none is a root field of
// the schema. Never the client's operationName.
func (roots Operations) Label(oc *graphql.OperationContext) string {
	if oc == nil || oc.Operation == nil {
		return OperationOther
	}
	found := map[string]bool{}
	seen := map[string]bool{} // fragments, against cycles in documents that did not validate
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if roots[s.Name] {
					found[s.Name] = true
				}
			case *ast.InlineFragment:
				walk(s.SelectionSet)
			case *ast.FragmentSpread:
				if seen[s.Name] || oc.Doc == nil {
					continue
				}
				seen[s.Name] = true
				if f := oc.Doc.Fragments.ForName(s.Name); f != nil {
					walk(f.SelectionSet)
				}
			}
		}
	}
	walk(oc.Operation.SelectionSet)
	if len(found) > 1 {
		delete(found, "__typename") // { me { id } __typename } is me's
	}
	switch len(found) {
	case 0:
		return OperationOther
	case 1:
		for name := range found {
			return name
		}
	}
	return OperationMultiple
}

// OperationType is "query", "mutation" or "subscription", or "unknown" for
// a document that did not parse.
func OperationType(oc *graphql.OperationContext) string {
	if oc == nil || oc.Operation == nil {
		return "unknown"
	}
	switch oc.Operation.Operation {
	case ast.Query, ast.Mutation, ast.Subscription:
		return string(oc.Operation.Operation)
	}
	return "unknown"
}

// responseCode is CodeOK for an answer without errors, else the first
// error's code (ErrorCode).
func responseCode(resp *graphql.Response) string {
	if resp == nil || len(resp.Errors) == 0 {
		return CodeOK
	}
	return ErrorCode(resp.Errors[0])
}

// ErrorCode is e's extensions.code when it is one of the contract's, else
// CodeOther.
func ErrorCode(e *gqlerror.Error) string {
	if c, ok := e.Extensions["code"].(string); ok && contractCodes[c] {
		return c
	}
	return CodeOther
}
