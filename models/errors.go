package models

import (
	"errors"
	"fmt"
)

// ErrorCode is the machine-readable kind of a domain error. The GraphQL error
// presenter copies it to extensions.code; the values are the contract's.
type ErrorCode string

// The error codes of the contract.
const (
	EUNAUTHENTICATED ErrorCode = "UNAUTHENTICATED"
	EFORBIDDEN       ErrorCode = "FORBIDDEN"
	ENOTFOUND        ErrorCode = "NOT_FOUND"
	EINVALID         ErrorCode = "BAD_USER_INPUT"
	ECONFLICT        ErrorCode = "CONFLICT"
	ERATELIMITED     ErrorCode = "RATE_LIMITED"
	EINTERNAL        ErrorCode = "INTERNAL_SERVER_ERROR"
	// EUNAVAILABLE: the server could not answer now (the database pool
	// exhausted or PostgreSQL unreachable, the request's deadline passed);
	// the client may retry.
	EUNAVAILABLE ErrorCode = "UNAVAILABLE"
)

// Error is the one error type of the domain. Its Message is safe to show to the
// caller; anything that is not an *Error is reported as an internal error.
type Error struct {
	Code    ErrorCode
	Message string
	// Field names the offending input field for EINVALID ("input.description").
	Field string
	// RetryAfterSeconds is set for ERATELIMITED.
	RetryAfterSeconds int
	// Format and Args are what Message was made of: the error presenter
	// shows Format's translation in the reader's language (package i18n
	// keys translations by the English text).
	Format string
	Args   []any
}

// Text returns the English format of the message and its arguments, the key
// and values of its translation.
func (e *Error) Text() (format string, args []any) {
	if e.Format == "" {
		return e.Message, nil
	}
	return e.Format, e.Args
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, e.Field)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns a domain error with a formatted, caller-safe message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// InvalidField returns a BAD_USER_INPUT error that names the field.
func InvalidField(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// NotFound is the answer for a missing object and for one the caller may not see.
func NotFound(what string) *Error {
	return &Error{Code: ENOTFOUND, Message: what + " not found."}
}

// ErrUnauthenticated is returned where a valid access token is needed.
var ErrUnauthenticated = &Error{Code: EUNAUTHENTICATED, Message: "Sign in to continue."}

// ErrForbidden is returned where the caller's role may never do the operation.
var ErrForbidden = &Error{Code: EFORBIDDEN, Message: "You are not allowed to do this."}

// ErrUnavailable answers a request the server could not serve now.
var ErrUnavailable = &Error{Code: EUNAVAILABLE, Message: "The service is temporarily unavailable. Please try again in a moment."}

// RateLimited returns a RATE_LIMITED error asking the caller to wait.
func RateLimited(retryAfterSeconds int) *Error {
	return &Error{Code: ERATELIMITED, Message: "Too many attempts. Please wait and try again.", RetryAfterSeconds: retryAfterSeconds}
}

// ErrorCodeOf returns the code of err, or EINTERNAL for anything that is not a
// domain error.
func ErrorCodeOf(err error) ErrorCode {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}
