// Package scalar binds GraphQL's built-in String and ID scalars (gqlgen.yml).
// They behave exactly as gqlgen's own, except that an input holding the NUL
// character (U+0000) is refused: PostgreSQL's text cannot store it, so it
// would fail deep in a statement as an internal error. Refusing it here, where
// every string argument and input field of the API is read, answers
// BAD_USER_INPUT instead; the error presenter names the argument or input
// field from the path gqlgen reports the error on ("input.title").
//
// Outputs are written by gqlgen's marshalers unchanged.
package scalar

import (
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"mlp/models"
)

// ErrNUL is the error for an input string that holds U+0000. It names no field:
// the error presenter adds the path of the argument or input field.
var ErrNUL = &models.Error{Code: models.EINVALID, Message: "Text cannot contain the NUL character (U+0000)."}

// MarshalString writes a String: graphql.MarshalString.
func MarshalString(s string) graphql.Marshaler { return graphql.MarshalString(s) }

// UnmarshalString reads a String as graphql.UnmarshalString does, refusing
// text that holds U+0000.
func UnmarshalString(v any) (string, error) {
	if s, ok := v.(string); ok {
		return refuseNUL(s)
	}
	// The other values gqlgen coerces (numbers, booleans, null) cannot hold NUL.
	return graphql.UnmarshalString(v)
}

// MarshalID writes an ID: graphql.MarshalID.
func MarshalID(s string) graphql.Marshaler { return graphql.MarshalID(s) }

// UnmarshalID reads an ID as graphql.UnmarshalID does, refusing text that
// holds U+0000.
func UnmarshalID(v any) (string, error) {
	if s, ok := v.(string); ok {
		return refuseNUL(s)
	}
	return graphql.UnmarshalID(v)
}

func refuseNUL(s string) (string, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return "", ErrNUL
	}
	return s, nil
}
