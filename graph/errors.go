package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"mlp/internal/database"
	"mlp/internal/httpx"
	"mlp/internal/i18n"
	"mlp/models"
)

// ErrorPresenter maps every error to the contract's extensions.code: domain
// errors keep their code and message (BAD_USER_INPUT raised while gqlgen reads
// the arguments, e.g. a String holding U+0000, names the argument or input
// field); GraphQL parse and validation errors, a query over the complexity
// limit, an argument an unmarshaler refuses and a body that is not a GraphQL
// request are BAD_USER_INPUT; anything else is logged with the request id (SQL errors by
// their SQLSTATE only) and answered as INTERNAL_SERVER_ERROR with no internals.
// The messages it writes are in the reader's language (package i18n).
func ErrorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		lang := i18n.Language(ctx)
		gerr := graphql.DefaultErrorPresenter(ctx, err)
		argument := argumentPath(ctx, gerr)
		variable := variableError(ctx, gerr)
		var derr *models.Error
		switch {
		case errors.As(err, &derr):
			format, args := derr.Text()
			gerr.Message = i18n.Text(lang, format, args...)
			gerr.Extensions = map[string]any{"code": string(derr.Code)}
			if derr.Field != "" {
				gerr.Extensions["field"] = derr.Field
			} else if derr.Code == models.EINVALID && argument != "" {
				// refused while gqlgen read the arguments (a String
				// holding U+0000): name the argument or input field.
				gerr.Extensions["field"] = argument
			}
			if derr.Code == models.ERATELIMITED {
				gerr.Extensions["retryAfterSeconds"] = derr.RetryAfterSeconds
			}
		case variable != "":
			// the variables did not fit their types: name the field as
			// the services do, in a sentence (variables.go)
			gerr.Extensions = map[string]any{"code": string(models.EINVALID), "field": variable}
		case isClientError(gerr):
			gerr.Extensions = map[string]any{"code": string(models.EINVALID)}
		case argument != "":
			// Any other error of an unmarshaler: the argument's value is
			// not one of its type. Its message is not known to be safe.
			gerr.Message = i18n.Text(lang, "This value is not valid here.")
			gerr.Extensions = map[string]any{"code": string(models.EINVALID), "field": argument}
		case isRequestError(gerr):
			// gqlgen's own complaint about the request (a body that is not
			// JSON, no operation): the client's fault, and the message may
			// quote the body, which can hold passwords.
			if strings.HasPrefix(gerr.Message, "json request body could not be decoded") ||
				strings.HasPrefix(gerr.Message, "could not read request body") {
				gerr.Message = i18n.Text(lang, "The request body is not a GraphQL request in JSON.")
			}
			gerr.Extensions = map[string]any{"code": string(models.EINVALID)}
		// The client went away: nobody reads the answer, and nothing is
		// broken. Over HTTP its leaving ends only the waits that had started
		// nothing (caller.Gone: they give up with context canceled; any other
		// error is reported as it is); on a websocket, whose operations end
		// with it, whatever the error it surfaced as (a transaction already
		// rolled back).
		case errors.Is(ctx.Err(), context.Canceled) || errors.Is(err, context.Canceled):
			log.InfoContext(ctx, "request cancelled", "request_id", httpx.RequestID(ctx))
			gerr = unavailable(lang, gerr)
		case database.IsUnavailable(err) || errors.Is(err, context.DeadlineExceeded):
			log.WarnContext(ctx, "temporarily unavailable", "request_id", httpx.RequestID(ctx), "error", describe(err))
			gerr = unavailable(lang, gerr)
		default:
			log.ErrorContext(ctx, "internal error", "request_id", httpx.RequestID(ctx), "error", describe(err))
			gerr = &gqlerror.Error{Message: i18n.Text(lang, "Internal error."), Path: gerr.Path,
				Extensions: map[string]any{"code": string(models.EINTERNAL)}}
		}
		httpx.Info(ctx).SetErrorCode(gerr.Extensions["code"].(string))
		return gerr
	}
}

func unavailable(lang string, gerr *gqlerror.Error) *gqlerror.Error {
	return &gqlerror.Error{Message: i18n.Text(lang, "The service is temporarily unavailable. Please try again in a moment."), Path: gerr.Path,
		Extensions: map[string]any{"code": string(models.EUNAVAILABLE)}}
}

// argumentPath returns the argument or input field an error was raised on
// while gqlgen read a field's arguments ("input.title",
// "input.screening[0].note"), and trims the error's path to the field's own:
// gqlgen reports such errors on the field's path followed by the argument's,
// which is not a path of the response. It returns "" for any other error.
func argumentPath(ctx context.Context, e *gqlerror.Error) string {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || len(e.Path) == 0 {
		return ""
	}
	field := fc.Path()
	if len(e.Path) <= len(field) {
		return ""
	}
	for i, p := range field {
		if e.Path[i] != p {
			return ""
		}
	}
	argument := e.Path[len(field):].String()
	e.Path = field
	return argument
}

// isClientError reports whether gqlgen marked the error as the client's: a
// document that does not parse or validate, or variables of the wrong type.
func isClientError(e *gqlerror.Error) bool {
	if e.Extensions == nil {
		return false
	}
	switch e.Extensions["code"] {
	case errcode.ValidationFailed, errcode.ParseFailed, "BAD_USER_INPUT", "PERSISTED_QUERY_NOT_FOUND",
		"PERSISTED_QUERY_NOT_SUPPORTED", "COMPLEXITY_LIMIT_EXCEEDED":
		return true
	}
	return false
}

// isRequestError reports whether e is an error gqlgen made about the request
// itself: no code, no path in the response and no underlying cause (errors of
// resolvers always carry a path and their cause).
func isRequestError(e *gqlerror.Error) bool {
	return len(e.Extensions) == 0 && len(e.Path) == 0 && e.Err == nil
}

// describe returns what the server log may say about an internal error.
// PostgreSQL's messages can quote the values of a statement (patients' data),
// so they are reduced to their SQLSTATE and constraint.
func describe(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		s := "postgres error " + pgErr.Code
		if pgErr.ConstraintName != "" {
			s += " on " + pgErr.ConstraintName
		}
		return s
	}
	return err.Error()
}

// RecoverFunc turns a panic in a resolver into an internal error; the panic
// and its stack are logged server-side only.
func RecoverFunc(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in resolver", "request_id", httpx.RequestID(ctx), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return errors.New("panic")
	}
}
