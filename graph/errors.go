package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"mlp/internal/httpx"
	"mlp/models"
)

const internalMessage = "Internal error."

// ErrorPresenter maps every error to the contract's extensions.code: domain
// errors keep their code and message; GraphQL parse and validation errors are
// BAD_USER_INPUT; anything else is logged with the request id and answered as
// INTERNAL_SERVER_ERROR with no internals.
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
		default:
			log.ErrorContext(ctx, "internal error", "request_id", httpx.RequestID(ctx), "error", err.Error())
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
	case errcode.ValidationFailed, errcode.ParseFailed, "BAD_USER_INPUT", "PERSISTED_QUERY_NOT_FOUND", "PERSISTED_QUERY_NOT_SUPPORTED":
		return true
	}
	return false
}

// RecoverFunc turns a panic in a resolver into an internal error; the panic
// and its stack are logged server-side only.
func RecoverFunc(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in resolver", "request_id", httpx.RequestID(ctx), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return errors.New("panic")
	}
}
