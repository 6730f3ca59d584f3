package graph

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

func TestMeasure(t *testing.T) {
	t.Parallel()
	doubling := "fragment F0 on Query { a: me { id } }"
	for k := 1; k <= 30; k++ {
		doubling += fmt.Sprintf(" fragment F%d on Query { ...F%d ...F%d }", k, k-1, k-1)
	}
	for name, tt := range map[string]struct {
		doc  string
		want Measures
	}{
		"Plain":            {"{ me { id organization { id } } }", Measures{Fields: 4, Depth: 3}},
		"Doubling":         {"{ ...F30 } " + doubling, Measures{Fields: 2 << 30, Aliases: 1 << 30, Depth: 2}},
		"Cycle":            {"{ ...A } fragment A on Query { me { id } ...B } fragment B on Query { ...A }", Measures{Fields: 2, Depth: 2}},
		"UnknownFragment":  {"{ ...Nope me { id } }", Measures{Fields: 2, Depth: 2}},
		"InlineFragment":   {"{ ... on Query { me { ... on User { id } } } }", Measures{Fields: 2, Depth: 2}},
		"SignInsAtRoot":    {"mutation { login(email: \"\", password: \"\") { user { id } } x: register(input: {}) { accessToken } }", Measures{Fields: 5, Depth: 3, Aliases: 1, SignIns: 2}},
		"QueryHasNoSignIn": {"{ login }", Measures{Fields: 1, Depth: 1}},
		"Introspection":    {"{ __schema { types { fields { type { ofType { ofType { name } } } } } } }", Measures{Fields: 7, Depth: 1}},
	} {
		t.Run(name, func(t *testing.T) {
			doc, err := parser.ParseQuery(&ast.Source{Input: tt.doc})
			if err != nil {
				t.Fatal(err)
			}
			if got := Measure(doc); got != tt.want {
				t.Fatalf("Measure = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestWithinTokens(t *testing.T) {
	t.Parallel()
	for doc, n := range map[string]int{"{ a }": 3, "{ a(x: [A, B]) }": 11, "# c\n{ a }": 4} {
		if !withinTokens(&ast.Source{Input: doc}, n) || withinTokens(&ast.Source{Input: doc}, n-1) {
			t.Errorf("%q: want exactly %d tokens", doc, n)
		}
		if _, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: doc}, n); err != nil {
			t.Errorf("%q: the parser disagrees at %d: %v", doc, n, err)
		}
	}
}

// FuzzDocumentLimits sends any text through the document limits: no panic,
// and a document they accept is within every limit when parsed.
func FuzzDocumentLimits(f *testing.F) {
	for _, seed := range []string{
		"{ me { id } }",
		"query Q($id: ID!) { case(id: $id) { id referral { case { id } } } }",
		"{ ...F2 } fragment F0 on Query { me { id } } fragment F1 on Query { ...F0 ...F0 } fragment F2 on Query { ...F1 ...F1 }",
		"{ ...A } fragment A on Query { ...A }",
		"mutation { a: login(email: \"a\", password: \"b\") { accessToken } }",
		"{ " + strings.Repeat("a: __typename ", 60) + "}",
		"{ me " + strings.Repeat("{ organization ", 12) + strings.Repeat("}", 13),
		"{ __typename @include(if: true) @include(if: true) }",
		"{", "", "\"\"\"", "{ a(x: [[[[[[1]]]]]]) }",
	} {
		f.Add(seed)
	}
	limits := DefaultLimits()
	d := documentLimits{limits: limits, measured: lru.New[string](10)}
	f.Fuzz(func(t *testing.T, q string) {
		if err := d.MutateOperationParameters(context.Background(), &graphql.RawParams{Query: q}); err != nil {
			return
		}
		doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: q}, limits.MaxTokens)
		if err != nil {
			return
		}
		if limits.check(Measure(doc)) != nil {
			t.Fatalf("accepted a document over a limit: %+v", Measure(doc))
		}
	})
}
