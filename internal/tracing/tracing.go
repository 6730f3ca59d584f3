// Package tracing sends OpenTelemetry traces of GraphQL operations, their
// resolvers and their SQL statements to an OTLP collector, when
// OTEL_EXPORTER_OTLP_ENDPOINT is set (off by default).
//
// No PHI goes into a span. Span names and attributes hold only what the
// server defines: the operation's type and root field (the label of package
// metrics, never the client's operationName), Type.field names of resolvers,
// error codes (never messages), and SQL text with every literal replaced by
// "?" (statements are parameterized; arguments are never recorded). Paths
// (which hold the client's aliases) and variables are not recorded.
package tracing

import (
	"context"
	"fmt"
	"go.opentelemetry.io/otel/attribute"
	"strings"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// ServiceName is the service.name of every span.
const ServiceName = "mlp"

// Propagator reads a client's traceparent (W3C Trace Context only: baggage
// could carry anything).
var Propagator = propagation.TraceContext{}

// New returns a tracer provider that batches spans to the OTLP/HTTP
// collector at endpoint, a base URL as in OTEL_EXPORTER_OTLP_ENDPOINT
// (http://collector:4318; spans go to {endpoint}/v1/traces). The exporter
// also honors OTEL_EXPORTER_OTLP_HEADERS and _TIMEOUT. Shut it down to flush.
func New(ctx context.Context, endpoint string) (*sdktrace.TracerProvider, error) {
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(strings.TrimRight(endpoint, "/")+"/v1/traces"))
	if err != nil {
		return nil, fmt.Errorf("tracing: %w", err)
	}
	return NewProvider(sdktrace.WithBatcher(exp)), nil
}

// NewProvider returns a tracer provider of the service with the given
// options (tests pass an in-memory exporter): every operation is sampled,
// and a span whose parent is sampled is too.
func NewProvider(opts ...sdktrace.TracerProviderOption) *sdktrace.TracerProvider {
	res := resource.NewWithAttributes(semconv.SchemaURL, semconv.ServiceName(ServiceName))
	return sdktrace.NewTracerProvider(append([]sdktrace.TracerProviderOption{
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.AlwaysSample())),
	}, opts...)...)
}

// tracerName is the instrumentation scope of the server's own spans.
const tracerName = "mlp"

// Tracer is the server's tracer of tp (its spans' instrumentation scope).
func Tracer(tp trace.TracerProvider) trace.Tracer { return tp.Tracer(tracerName) }

// Attribute keys of the server's spans.
const (
	// AttrOperationType is "query", "mutation" or "subscription".
	AttrOperationType = attribute.Key("graphql.operation.type")
	// AttrOperationRoot is the operation's root field (metrics'
	// label: a schema name, "multiple" or "other").
	AttrOperationRoot = attribute.Key("mlp.graphql.root_field")
	// AttrErrorCode is the first error's extensions.code (a contract code).
	AttrErrorCode = attribute.Key("mlp.error.code")
)
