package graph

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"mlp/models"
)

// Limits bound what one GraphQL document may ask for, so that whatever a
// client sends, refusal or answer costs little CPU (config: GRAPHQL_MAX_*).
// A zero field takes its DefaultLimits value.
//
// The document is parsed (at most MaxTokens tokens) and measured before
// gqlgen validates it: validation compares fields pairwise and a document's
// fragments can expand exponentially, so nothing else may look at a document
// that is too big. Each fragment is measured once (memoized), so a document
// of fragments that each spread the one before twice is counted in time
// linear in its length, not in the size it expands to.
type Limits struct {
	// MaxTokens bounds the tokens of the document (gqlparser counts them).
	MaxTokens int
	// MaxFields bounds the fields of the operations once every fragment is
	// expanded (a field selected twice counts twice).
	MaxFields int
	// MaxDepth bounds the nesting of fields: { me { id } } is 2 deep.
	// Introspection (__schema, __type; development only) is bounded by
	// gqlparser's own introspection-depth rule instead.
	MaxDepth int
	// MaxAliases bounds the aliased fields, fragments expanded.
	MaxAliases int
	// MaxErrors bounds the errors of one response: the first MaxErrors are
	// kept, then one error says how many more there were.
	MaxErrors int
}

// DefaultLimits are the limits the README documents. The apps' heaviest
// document (the case list, loadtest.Query) has about 60 fields, 6 levels and
// 300 tokens.
func DefaultLimits() Limits {
	return Limits{MaxTokens: 5000, MaxFields: 1000, MaxDepth: 10, MaxAliases: 50, MaxErrors: 20}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	for _, f := range []struct{ v, def *int }{
		{&l.MaxTokens, &d.MaxTokens}, {&l.MaxFields, &d.MaxFields}, {&l.MaxDepth, &d.MaxDepth},
		{&l.MaxAliases, &d.MaxAliases}, {&l.MaxErrors, &d.MaxErrors},
	} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	return l
}

// signInMutations may appear at most once in a document: each tries a
// password or a code (aliases would try hundreds in one request, past the
// rate limits' intent of one attempt per request).
var signInMutations = []string{"login", "register", "claimReferral", "requestPasswordReset"}

// useLimits installs the limits on srv: the parser's token limit, the
// document measure, the errors cap and, in production, validation without
// suggestions ("Did you mean ..." would spell out the schema).
func useLimits(srv *handler.Server, l Limits, development bool) {
	l = l.withDefaults()
	srv.SetParserTokenLimit(l.MaxTokens)
	srv.Use(documentLimits{limits: l, measured: lru.New[string](1000)})
	srv.AroundResponses(func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		return capErrors(next(ctx), l.MaxErrors)
	})
	if !development {
		srv.SetDisableSuggestion(true)
		srv.SetValidationRulesFn(rulesWithoutSuggestions)
	}
}

// rulesWithoutSuggestions are gqlparser's rules with every rule that
// suggests names (fields, arguments, types, enum values, input fields)
// replaced by its variant that does not. (gqlgen's SetDisableSuggestion
// swaps the field and leaf rules only.)
func rulesWithoutSuggestions() *rules.Rules {
	r := rules.NewDefaultRules()
	for _, swap := range []struct {
		from string
		to   core.Rule
	}{
		{"FieldsOnCorrectType", rules.FieldsOnCorrectTypeRuleWithoutSuggestions},
		{"ScalarLeafs", rules.ScalarLeafsRuleWithoutSuggestions},
		{"KnownArgumentNames", rules.KnownArgumentNamesRuleWithoutSuggestions},
		{"KnownTypeNames", rules.KnownTypeNamesRuleWithoutSuggestions},
		{"ValuesOfCorrectType", rules.ValuesOfCorrectTypeRuleWithoutSuggestions},
	} {
		r.RemoveRule(swap.from)
		r.AddRule(swap.to.Name, swap.to.RuleFunc)
	}
	return r
}

// documentLimits measures each document before gqlgen parses and validates
// it; a document measured once and found within the limits is remembered
// (by its text, as gqlgen's own query cache is keyed).
type documentLimits struct {
	limits   Limits
	measured *lru.LRU[string]
}

var _ interface {
	graphql.OperationParameterMutator
	graphql.HandlerExtension
} = documentLimits{}

// ExtensionName names the extension for gqlgen.
func (documentLimits) ExtensionName() string { return "DocumentLimits" }

// Validate accepts every schema.
func (documentLimits) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters refuses a document over a limit with
// BAD_USER_INPUT. A document that does not parse is left to gqlgen, which
// parses it again (with the same token limit) and says why.
func (d documentLimits) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if params.Query == "" {
		return nil
	}
	if _, ok := d.measured.Get(ctx, params.Query); ok {
		return nil
	}
	src := &ast.Source{Input: params.Query}
	if !withinTokens(src, d.limits.MaxTokens) {
		err := gqlerror.Errorf("The document is too long: the token limit is %d.", d.limits.MaxTokens)
		errcode.Set(err, string(models.EINVALID))
		return err
	}
	doc, err := parser.ParseQuery(src)
	if err != nil {
		return nil
	}
	if gerr := d.limits.check(Measure(doc)); gerr != nil {
		return gerr
	}
	d.measured.Add(ctx, params.Query, "")
	return nil
}

// withinTokens reports whether src has at most limit tokens, as the parser
// counts them (comments included). It reads at most limit+1 tokens: the
// parser itself, past its limit, still walks the rest of the document.
func withinTokens(src *ast.Source, limit int) bool {
	lex := lexer.New(src)
	for n := 0; ; n++ {
		tok, err := lex.ReadToken()
		if err != nil || tok.Kind == lexer.EOF {
			return true // a lexing error is the parser's to report
		}
		if n >= limit {
			return false
		}
	}
}

func (l Limits) check(m Measures) *gqlerror.Error {
	refuse := func(format string, args ...any) *gqlerror.Error {
		err := gqlerror.Errorf(format, args...)
		errcode.Set(err, string(models.EINVALID))
		return err
	}
	switch {
	case m.Fields > l.MaxFields:
		return refuse("The document selects too many fields: at most %d, fragments expanded.", l.MaxFields)
	case m.Depth > l.MaxDepth:
		return refuse("The document nests fields too deeply: at most %d levels.", l.MaxDepth)
	case m.Aliases > l.MaxAliases:
		return refuse("The document has too many aliases: at most %d.", l.MaxAliases)
	case m.SignIns > 1:
		return refuse("A document may hold at most one of %s.", "login, register, claimReferral and requestPasswordReset")
	}
	return nil
}

// Measures are the sizes of a document that Limits bound.
type Measures struct {
	// Fields, Aliases: in every operation, every fragment expanded.
	Fields, Aliases int
	// Depth: the deepest nesting of fields outside introspection.
	Depth int
	// SignIns: the sign-in mutations (signInMutations) at the root of the
	// document's mutations.
	SignIns int
}

// Measure measures doc, each fragment once. Unknown fragments and cycles
// count as nothing here: validation refuses them next.
func Measure(doc *ast.QueryDocument) Measures {
	m := &measurer{doc: doc, memo: map[string]*Measures{}}
	var total Measures
	for _, op := range doc.Operations {
		s := m.set(op.SelectionSet)
		total.Fields = add(total.Fields, s.Fields)
		total.Aliases = add(total.Aliases, s.Aliases)
		total.Depth = max(total.Depth, s.Depth)
		if op.Operation == ast.Mutation {
			total.SignIns = add(total.SignIns, s.SignIns)
		}
	}
	return total
}

type measurer struct {
	doc  *ast.QueryDocument
	memo map[string]*Measures // nil value: being measured (a cycle)
}

// set measures a selection set; SignIns counts the sign-in fields at its
// own level (and its fragments'), which matters only at a mutation's root.
func (m *measurer) set(sels ast.SelectionSet) Measures {
	var out Measures
	merge := func(s Measures, depth int) {
		out.Fields = add(out.Fields, s.Fields)
		out.Aliases = add(out.Aliases, s.Aliases)
		out.Depth = max(out.Depth, depth)
	}
	for _, sel := range sels {
		switch s := sel.(type) {
		case *ast.Field:
			child := m.set(s.SelectionSet)
			depth := 1 + child.Depth
			if s.Name == "__schema" || s.Name == "__type" {
				depth = 1
			}
			merge(Measures{Fields: add(1, child.Fields), Aliases: child.Aliases}, depth)
			if s.Alias != "" && s.Alias != s.Name {
				out.Aliases = add(out.Aliases, 1)
			}
			if slices.Contains(signInMutations, s.Name) {
				out.SignIns = add(out.SignIns, 1)
			}
		case *ast.InlineFragment:
			child := m.set(s.SelectionSet)
			merge(child, child.Depth)
			out.SignIns = add(out.SignIns, child.SignIns)
		case *ast.FragmentSpread:
			child := m.fragment(s.Name)
			merge(child, child.Depth)
			out.SignIns = add(out.SignIns, child.SignIns)
		}
	}
	return out
}

func (m *measurer) fragment(name string) Measures {
	if got, seen := m.memo[name]; seen {
		if got == nil {
			return Measures{} // a cycle
		}
		return *got
	}
	f := m.doc.Fragments.ForName(name)
	if f == nil {
		return Measures{}
	}
	m.memo[name] = nil
	s := m.set(f.SelectionSet)
	m.memo[name] = &s
	return s
}

// capErrors keeps the first max errors of resp and replaces the rest with
// one error that says how many were left out, with the code of the first of
// them (a document with thousands of mistakes gets a short answer).
func capErrors(resp *graphql.Response, limit int) *graphql.Response {
	if resp == nil || len(resp.Errors) <= limit {
		return resp
	}
	// The executor collects errors in whatever order its goroutines finish;
	// keep a subset that does not depend on that: the first in path order.
	slices.SortStableFunc(resp.Errors, func(a, b *gqlerror.Error) int {
		return cmp.Or(cmp.Compare(a.Path.String(), b.Path.String()), cmp.Compare(a.Message, b.Message))
	})
	rest := resp.Errors[limit:]
	code := string(models.EINTERNAL)
	if c, ok := rest[0].Extensions["code"].(string); ok {
		code = c
	}
	more := &gqlerror.Error{
		Message:    fmt.Sprintf("%d more errors were left out.", len(rest)),
		Extensions: map[string]any{"code": code},
	}
	resp.Errors = append(resp.Errors[:limit:limit], more)
	return resp
}

// getQueries is gqlgen's GET transport, but a mutation over GET answers
// 405 Method Not Allowed with "Allow: POST" (gqlgen answers 406).
type getQueries struct{ transport.GET }

// Do serves the request through gqlgen's GET transport.
func (g getQueries) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	g.GET.Do(&allowPost{ResponseWriter: w}, r, exec)
}

type allowPost struct{ http.ResponseWriter }

func (w *allowPost) WriteHeader(code int) {
	if code == http.StatusNotAcceptable {
		w.Header().Set("Allow", http.MethodPost)
		code = http.StatusMethodNotAllowed
	}
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the writer beneath.
func (w *allowPost) Unwrap() http.ResponseWriter { return w.ResponseWriter }
