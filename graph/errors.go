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

	"mlp/internal/httpx"
	"mlp/models"
)

const (
	internalMessage   = "Internal error."
	badRequestMessage = "The request body is not a GraphQL request in JSON."
)

// ErrorPresenter maps every error to the contract's extensions.code: domain
// errors keep their code and message; GraphQL parse and validation errors, a
// query over the complexity limit and a body that is not a GraphQL request are
// BAD_USER_INPUT; anything else is logged with the request id (SQL errors by
// their SQLSTATE only) and answered as INTERNAL_SERVER_ERROR with no internals.
func ErrorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gerr := graphql.DefaultErrorPresenter(ctx, err)
		var derr *models.Error
		switch {
		case errors.As(err, &derr):
			gerr.Message = derr.Message
			gerr.Extensions = map[string]any{"code": string(derr.Code)}
			if derr.Field != "" {
				gerr.Extensions["field"] = derr.Field
			}
			if derr.Code == models.ERATELIMITED {
				gerr.Extensions["retryAfterSeconds"] = derr.RetryAfterSeconds
			}
		case isClientError(gerr):
			gerr.Extensions = map[string]any{"code": string(models.EINVALID)}
		case isRequestError(gerr):
			// gqlgen's own complaint about the request (a body that is not
			// JSON, no operation): the client's fault, and the message may
			// quote the body, which can hold passwords.
			if strings.HasPrefix(gerr.Message, "json request body could not be decoded") ||
				strings.HasPrefix(gerr.Message, "could not read request body") {
				gerr.Message = badRequestMessage
			}
			gerr.Extensions = map[string]any{"code": string(models.EINVALID)}
		default:
			log.ErrorContext(ctx, "internal error", "request_id", httpx.RequestID(ctx), "error", describe(err))
			gerr = &gqlerror.Error{Message: internalMessage, Path: gerr.Path,
				Extensions: map[string]any{"code": string(models.EINTERNAL)}}
		}
		httpx.Info(ctx).SetErrorCode(gerr.Extensions["code"].(string))
		return gerr
	}
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
