package scalar

import (
	"encoding/json"
	"io"

	"github.com/99designs/gqlgen/graphql"
)

// MarshalJSON writes a JSON document (the JSON scalar, e.g. exportMyData)
// into the answer as it is.
func MarshalJSON(v json.RawMessage) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		if len(v) == 0 {
			_, _ = io.WriteString(w, "null")
			return
		}
		_, _ = w.Write(v)
	})
}

// UnmarshalJSON reads a JSON scalar input as its document.
func UnmarshalJSON(v any) (json.RawMessage, error) {
	return json.Marshal(v)
}
