package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"mlp/graph/scalar"
	"mlp/models"
)

func TestErrorPresenter(t *testing.T) {
	t.Parallel()
	const secret = "jane.doe@example.test"
	validation := gqlerror.Errorf("Cannot query field \"nope\" on type \"Query\".")
	errcode.Set(validation, errcode.ValidationFailed)
	complexity := gqlerror.Errorf("operation has complexity 9000, which exceeds the limit of 5000")
	errcode.Set(complexity, "COMPLEXITY_LIMIT_EXCEEDED")

	for _, c := range []struct {
		name       string
		err        error
		code       string
		message    string // "" when not checked
		field      string
		retryAfter int
		logged     bool
	}{
		{"DomainError", models.InvalidField("input.description", "Describe the problem."), "BAD_USER_INPUT", "Describe the problem.", "input.description", 0, false},
		{"WrappedDomainError", fmt.Errorf("loading: %w", models.NotFound("Case")), "NOT_FOUND", "Case not found.", "", 0, false},
		{"RateLimited", models.RateLimited(42), "RATE_LIMITED", "", "", 42, false},
		{"Unauthenticated", models.ErrUnauthenticated, "UNAUTHENTICATED", models.ErrUnauthenticated.Message, "", 0, false},
		{"ValidationError", validation, "BAD_USER_INPUT", validation.Message, "", 0, false},
		{"ComplexityLimit", complexity, "BAD_USER_INPUT", "", "", 0, false},
		{"BodyNotJSON", gqlerror.Errorf("json request body could not be decoded: unexpected EOF body:{\"password\":\"%s\"", secret), "BAD_USER_INPUT", "The request body is not a GraphQL request in JSON.", "", 0, false},
		{"NoOperation", gqlerror.Errorf("no operation provided"), "BAD_USER_INPUT", "no operation provided", "", 0, false},
		{"PlainError", errors.New("dial tcp 10.0.0.5:5432: connection refused"), "INTERNAL_SERVER_ERROR", "Internal error.", "", 0, true},
		{"SQLError", fmt.Errorf("query: %w", &pgconn.PgError{Code: "22P02", Message: `invalid input syntax for type uuid: "` + secret + `"`}), "INTERNAL_SERVER_ERROR", "Internal error.", "", 0, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			present := ErrorPresenter(slog.New(slog.NewTextHandler(&logs, nil)))
			got := present(context.Background(), c.err)
			if got.Extensions["code"] != c.code {
				t.Fatalf("code = %v, want %s (%+v)", got.Extensions["code"], c.code, got)
			}
			if c.message != "" && got.Message != c.message {
				t.Errorf("message = %q, want %q", got.Message, c.message)
			}
			if f, _ := got.Extensions["field"].(string); f != c.field {
				t.Errorf("field = %q, want %q", f, c.field)
			}
			if c.retryAfter != 0 && got.Extensions["retryAfterSeconds"] != c.retryAfter {
				t.Errorf("retryAfterSeconds = %v", got.Extensions["retryAfterSeconds"])
			}
			if strings.Contains(got.Message, secret) || strings.Contains(got.Message, "10.0.0.5") || strings.Contains(got.Message, "SQLSTATE") {
				t.Errorf("the message leaks internals: %q", got.Message)
			}
			if logged := strings.Contains(logs.String(), "internal error"); logged != c.logged {
				t.Errorf("logged = %v, want %v: %s", logged, c.logged, logs.String())
			}
			if strings.Contains(logs.String(), secret) {
				t.Errorf("the log carries a value: %s", logs.String())
			}
		})
	}
	t.Run("SQLErrorIsLoggedBySQLState", func(t *testing.T) {
		t.Parallel()
		var logs bytes.Buffer
		ErrorPresenter(slog.New(slog.NewTextHandler(&logs, nil)))(context.Background(),
			&pgconn.PgError{Code: "23514", ConstraintName: "users_email_check", Message: "new row violates check constraint"})
		if !strings.Contains(logs.String(), "23514") || !strings.Contains(logs.String(), "users_email_check") {
			t.Fatalf("log = %s", logs.String())
		}
	})
}

// TestErrorPresenterNamesTheArgument checks that an input refused while gqlgen
// reads a field's arguments is named by its argument path, on the field's own
// response path, while errors of the field's resolver keep theirs.
func TestErrorPresenterNamesTheArgument(t *testing.T) {
	t.Parallel()
	root := &graphql.FieldContext{Field: graphql.CollectedField{Field: &ast.Field{Alias: "referPatient"}}}
	ctx := graphql.WithFieldContext(context.Background(), root)
	field := ast.Path{ast.PathName("referPatient")}
	argument := append(slices.Clone(field), ast.PathName("input"), ast.PathName("screening"), ast.PathIndex(1), ast.PathName("note"))
	present := ErrorPresenter(slog.New(slog.DiscardHandler))

	for _, c := range []struct {
		name  string
		err   error
		field string
		path  ast.Path
	}{
		{"RefusedArgument", gqlerror.WrapPath(argument, scalar.ErrNUL), "input.screening[1].note", field},
		{"ResolverError", gqlerror.WrapPath(field, models.Errorf(models.EINVALID, "No.")), "", field},
		{"ResolverErrorWithField", gqlerror.WrapPath(field, models.InvalidField("input.notes", "No.")), "input.notes", field},
		{"UnmarshalerError", gqlerror.WrapPath(argument, errors.New(`parsing "/srv/x" failed`)), "input.screening[1].note", field},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := present(ctx, c.err)
			if got.Extensions["code"] != "BAD_USER_INPUT" {
				t.Fatalf("presented %+v", got)
			}
			if f, _ := got.Extensions["field"].(string); f != c.field {
				t.Errorf("field = %q, want %q", f, c.field)
			}
			if strings.Contains(got.Message, "/srv/x") {
				t.Errorf("message = %q", got.Message)
			}
			if got.Path.String() != c.path.String() {
				t.Errorf("path = %v, want %v", got.Path, c.path)
			}
		})
	}
	if got := present(context.Background(), gqlerror.WrapPath(argument, scalar.ErrNUL)); got.Extensions["field"] != nil {
		t.Errorf("field named without a field context: %+v", got)
	}
}

func TestRecoverFunc(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	err := RecoverFunc(log)(context.Background(), "index out of range while reading /srv/mlp/secret.go")
	got := ErrorPresenter(log)(context.Background(), err)
	if got.Extensions["code"] != "INTERNAL_SERVER_ERROR" || got.Message != "Internal error." {
		t.Fatalf("presented %+v", got)
	}
	if !strings.Contains(logs.String(), "panic in resolver") || !strings.Contains(logs.String(), "goroutine") {
		t.Fatalf("the panic and its stack are not logged: %s", logs.String())
	}
}
