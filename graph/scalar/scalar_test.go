package scalar

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/99designs/gqlgen/graphql"
)

// TestUnmarshalIsGqlgens checks that every value gqlgen reads reads the same,
// and that text holding U+0000 is refused.
func TestUnmarshalIsGqlgens(t *testing.T) {
	for _, v := range []any{"", "plain", "é\t\n\u2028", 7, int64(-8), 1.5, json.Number("12"), true, nil, []int{1}} {
		for name, pair := range map[string][2]func(any) (string, error){
			"String": {UnmarshalString, graphql.UnmarshalString},
			"ID":     {UnmarshalID, graphql.UnmarshalID},
		} {
			got, gotErr := pair[0](v)
			want, wantErr := pair[1](v)
			if got != want || (gotErr == nil) != (wantErr == nil) {
				t.Errorf("%s(%#v) = %q, %v; gqlgen: %q, %v", name, v, got, gotErr, want, wantErr)
			}
		}
	}
	for _, s := range []string{"\x00", "a\x00", "\x00b", "a\x00b\x00"} {
		if _, err := UnmarshalString(s); !errors.Is(err, ErrNUL) {
			t.Errorf("UnmarshalString(%q) = %v", s, err)
		}
		if _, err := UnmarshalID(s); !errors.Is(err, ErrNUL) {
			t.Errorf("UnmarshalID(%q) = %v", s, err)
		}
	}
}
