package observe

import (
	"context"
	"errors"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"mlp/internal/tracing"
	"mlp/models"
)

// Tracing returns the gqlgen extension that makes a span of each operation
// ("query me", kind server, continuing the client's traceparent) and one of
// each resolver call inside it ("Query.me", "Case.events"); fields read off
// a loaded object get none. SQL spans (SQL) nest under them.
func Tracing(tp trace.TracerProvider) graphql.HandlerExtension {
	return &gqlTracing{tracer: tracing.Tracer(tp)}
}

type gqlTracing struct {
	tracer trace.Tracer
	roots  Operations
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.FieldInterceptor
} = (*gqlTracing)(nil)

// ExtensionName names the extension for gqlgen.
func (*gqlTracing) ExtensionName() string { return "Tracing" }

// Validate collects the schema's root field names.
func (g *gqlTracing) Validate(es graphql.ExecutableSchema) error {
	g.roots = NewOperations(es.Schema())
	return nil
}

// InterceptOperation spans an operation until its answer (a subscription:
// until it is set up; its events' resolvers are spanned under it).
func (g *gqlTracing) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc.Headers != nil {
		ctx = tracing.Propagator.Extract(ctx, propagation.HeaderCarrier(oc.Headers))
	}
	typ, root := OperationType(oc), g.roots.Label(oc)
	ctx, span := g.tracer.Start(ctx, typ+" "+root, trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(tracing.AttrOperationType.String(typ), tracing.AttrOperationRoot.String(root)))
	h := next(ctx)
	if oc.Operation != nil && oc.Operation.Operation == ast.Subscription {
		span.End()
		return h
	}
	ended := false
	return func(ctx context.Context) *graphql.Response {
		resp := h(ctx)
		if !ended {
			ended = true
			if resp != nil && len(resp.Errors) > 0 {
				code := ErrorCode(resp.Errors[0])
				span.SetAttributes(tracing.AttrErrorCode.String(code))
				span.SetStatus(codes.Error, code)
			}
			span.End()
		}
		return resp
	}
}

// InterceptField spans each call of a resolver, named by the schema
// (Type.field); the path is not recorded (it holds the client's aliases).
func (g *gqlTracing) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !fc.IsResolver || !trace.SpanFromContext(ctx).IsRecording() {
		return next(ctx)
	}
	ctx, span := g.tracer.Start(ctx, fc.Object+"."+fc.Field.Name, trace.WithSpanKind(trace.SpanKindInternal))
	defer span.End()
	res, err := next(ctx)
	if err != nil {
		code := CodeOther // the presenter decides later what it answers
		var derr *models.Error
		if errors.As(err, &derr) {
			code = string(derr.Code)
		}
		span.SetAttributes(tracing.AttrErrorCode.String(code))
		span.SetStatus(codes.Error, code)
	}
	return res, err
}
