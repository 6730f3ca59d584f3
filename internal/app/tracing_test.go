package app_test

import (
	"context"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"mlp/internal/app"
	"mlp/internal/apptest"
	"mlp/internal/database"
	"mlp/internal/database/dbtest"
	"mlp/internal/tracing"
	"mlp/models"
)

// TestTracing runs operations carrying personal data (a name, an email, free
// text in variables, an operation name) with an in-memory exporter: the
// operations, their resolvers and their SQL are spanned, nested, continuing
// the client's traceparent, and no span name or attribute holds any of that
// data; SQL text has no literal in it.
func TestTracing(t *testing.T) {
	t.Parallel()
	exp := tracetest.NewInMemoryExporter()
	tp := tracing.NewProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	db, err := database.Open(context.Background(), database.Options{URL: dbtest.URL(t), QueryTracer: tracing.SQL(tp),
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = database.Close(db) })
	s := apptest.New(t, func(o *app.Options) { o.DB, o.TracerProvider = db, tp })

	const name, freeText = "Maria Lopez-Tracing", "evicted from 12 Elm Street, asthma worse"
	patient, token := s.User(t, models.RolePatient, nil)
	if err := s.DB.Model(patient).Update("display_name", name).Error; err != nil {
		t.Fatal(err)
	}
	s.Do(t, token, `query maria_lopez_tracing { me { id displayName email } }`, nil).MustOK(t)
	s.Do(t, token, `mutation($in: RequestLegalHelpInput!) { requestLegalHelp(input: $in) { id description } }`, map[string]any{"in": map[string]any{
		"idempotencyKey": uuid.NewString(), "category": "HOUSING", "jurisdiction": "CA", "consentToShare": true,
		"description": freeText}}).MustOK(t)
	s.Do(t, token, `{ myCases(first: 5) { totalCount edges { node { id description } } } }`, nil).MustOK(t)
	s.Do(t, "", `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`,
		map[string]any{"e": patient.Email, "p": freeText}).MustCode(t, "UNAUTHENTICATED")
	// A client's traceparent is continued.
	const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	req := s.Request(t, token, `{ me { id } }`, nil)
	req.Header.Set("traceparent", parent)
	s.Send(t, req).MustOK(t)

	spans := exp.GetSpans()
	byName := map[string][]tracetest.SpanStub{}
	for _, sp := range spans {
		byName[sp.Name] = append(byName[sp.Name], sp)
	}
	for _, want := range []string{"query me", "Query.me", "mutation requestLegalHelp", "Mutation.requestLegalHelp",
		"query myCases", "mutation login", "Mutation.login"} {
		if len(byName[want]) == 0 {
			t.Errorf("no span %q; spans: %v", want, names(spans))
		}
	}
	// Nesting: the resolver under its operation, SQL under both.
	ops := map[trace.SpanID]string{}
	for _, sp := range spans {
		if sp.SpanKind == trace.SpanKindServer {
			ops[sp.SpanContext.SpanID()] = sp.Name
		}
	}
	sqlUnder := map[string]int{}
	for _, sp := range spans {
		if sp.SpanKind == trace.SpanKindClient {
			if op, ok := ops[sp.Parent.SpanID()]; ok {
				sqlUnder[op]++
			}
		}
	}
	if sqlUnder["query myCases"] == 0 {
		t.Errorf("no SQL span under the (compiled) myCases operation: %v", sqlUnder)
	}
	if len(byName["Query.me"]) > 0 {
		if _, ok := ops[byName["Query.me"][0].Parent.SpanID()]; !ok {
			t.Errorf("Query.me is not under its operation")
		}
	}
	continued := slices.ContainsFunc(byName["query me"], func(sp tracetest.SpanStub) bool {
		return sp.SpanContext.TraceID().String() == "4bf92f3577b34da6a3ce929d0e0e4736" && sp.Parent.SpanID().String() == "00f067aa0ba902b7"
	})
	if !continued {
		t.Error("the client's traceparent was not continued")
	}
	if sp := byName["mutation login"]; len(sp) > 0 && attr(sp[0], tracing.AttrErrorCode) != "UNAUTHENTICATED" {
		t.Errorf("login's span code %q", attr(sp[0], tracing.AttrErrorCode))
	}

	statements := 0
	secrets := []string{name, "Maria", patient.Email, patient.ID.String(), token, freeText, "Elm Street", "maria_lopez"}
	literal := regexp.MustCompile(`'|(^|[^A-Za-z0-9_$])[0-9]`)
	quotedIdent := regexp.MustCompile(`"(?:[^"]|"")*"`)
	for _, sp := range spans {
		texts := []string{sp.Name}
		for _, kv := range sp.Attributes {
			texts = append(texts, kv.Value.Emit())
			if kv.Key == "db.query.text" {
				statements++
				if sql := quotedIdent.ReplaceAllString(kv.Value.AsString(), `""`); literal.MatchString(sql) {
					t.Errorf("SQL with a literal in span %q: %s", sp.Name, kv.Value.AsString())
				}
			}
			if kv.Key == "graphql.operation.name" || strings.Contains(string(kv.Key), "variables") || strings.Contains(string(kv.Key), "args") {
				t.Errorf("span %q records %s", sp.Name, kv.Key)
			}
		}
		for _, ev := range sp.Events {
			texts = append(texts, ev.Name)
			for _, kv := range ev.Attributes {
				texts = append(texts, kv.Value.Emit())
			}
		}
		texts = append(texts, sp.Status.Description)
		for _, text := range texts {
			for _, sec := range secrets {
				if strings.Contains(strings.ToLower(text), strings.ToLower(sec)) {
					t.Errorf("span %q carries %q: %s", sp.Name, sec, text)
				}
			}
		}
	}
	if statements == 0 {
		t.Error("no SQL statement was recorded")
	}
}

func names(spans tracetest.SpanStubs) []string {
	out := make([]string, len(spans))
	for i, sp := range spans {
		out[i] = sp.Name
	}
	return out
}

func attr(sp tracetest.SpanStub, key attribute.Key) string {
	for _, kv := range sp.Attributes {
		if kv.Key == key {
			return kv.Value.Emit()
		}
	}
	return ""
}
