package graph

import (
	"context"
	"math"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// complexityLimit refuses an operation that costs more than limit, counted
// as gqlgen's extension.ComplexityLimit counts (the costs of complexity.go,
// gqlgen's default of 1 plus the selection elsewhere, an interface field at
// its costliest implementation, introspection free), but it computes each
// fragment's cost once per operation: gqlgen's walk goes through a fragment
// again at every spread, so fragments that each spread the one before twice
// cost it time exponential in their number. It records the cost where
// extension.GetComplexityStats finds it.
type complexityLimit struct {
	limit int
	es    graphql.ExecutableSchema
}

var _ interface {
	graphql.OperationContextMutator
	graphql.HandlerExtension
} = &complexityLimit{}

// ExtensionName is gqlgen's, so that GetComplexityStats reads the stats.
func (*complexityLimit) ExtensionName() string { return "ComplexityLimit" }

// Validate keeps the schema whose costs are counted.
func (c *complexityLimit) Validate(es graphql.ExecutableSchema) error {
	c.es = es
	return nil
}

// MutateOperationContext counts the operation's cost and refuses it over the
// limit with COMPLEXITY_LIMIT_EXCEEDED (answered as BAD_USER_INPUT).
func (c *complexityLimit) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	op := opCtx.Doc.Operations.ForName(opCtx.OperationName)
	if op == nil {
		return nil
	}
	cost := Cost(ctx, c.es, op, opCtx.Variables)
	opCtx.Stats.SetExtension("ComplexityLimit", &extension.ComplexityStats{Complexity: cost, ComplexityLimit: c.limit})
	if cost > c.limit {
		err := gqlerror.Errorf("operation has complexity %d, which exceeds the limit of %d", cost, c.limit)
		errcode.Set(err, "COMPLEXITY_LIMIT_EXCEEDED")
		return err
	}
	return nil
}

// Cost returns the cost of op (validated, so its fields know their
// definitions), each fragment counted once; sums saturate at math.MaxInt.
func Cost(ctx context.Context, es graphql.ExecutableSchema, op *ast.OperationDefinition, vars map[string]any) int {
	w := costWalker{ctx: ctx, es: es, schema: es.Schema(), vars: vars, fragments: map[string]int{}}
	return w.set(op.SelectionSet)
}

type costWalker struct {
	ctx    context.Context
	es     graphql.ExecutableSchema
	schema *ast.Schema
	vars   map[string]any
	// fragments holds each fragment's cost once counted; -1 while it is
	// being counted (a cycle, which validation has refused already, counts
	// nothing).
	fragments map[string]int
}

func (w *costWalker) set(sels ast.SelectionSet) int {
	total := 0
	for _, sel := range sels {
		switch s := sel.(type) {
		case *ast.Field:
			total = addCost(total, w.field(s))
		case *ast.InlineFragment:
			total = addCost(total, w.set(s.SelectionSet))
		case *ast.FragmentSpread:
			total = addCost(total, w.fragment(s))
		}
	}
	return total
}

func (w *costWalker) fragment(s *ast.FragmentSpread) int {
	if c, ok := w.fragments[s.Name]; ok {
		return max(c, 0)
	}
	if s.Definition == nil {
		return 0
	}
	w.fragments[s.Name] = -1
	c := w.set(s.Definition.SelectionSet)
	w.fragments[s.Name] = c
	return c
}

func (w *costWalker) field(f *ast.Field) int {
	if f.Definition == nil || f.ObjectDefinition == nil {
		return 0
	}
	typ := w.schema.Types[f.Definition.Type.Name()]
	if typ == nil || typ.Name == "__Schema" {
		return 0
	}
	child := 0
	switch typ.Kind {
	case ast.Object, ast.Interface, ast.Union:
		child = w.set(f.SelectionSet)
	}
	args := f.ArgumentMap(w.vars)
	if f.ObjectDefinition.Kind != ast.Interface {
		return w.fieldOf(f.ObjectDefinition, typ.Kind, f.Name, child, args)
	}
	// an interface's field costs what it costs on its costliest
	// implementation
	worst := 0
	for _, impl := range w.schema.GetPossibleTypes(f.ObjectDefinition) {
		worst = max(worst, w.fieldOf(impl, typ.Kind, f.Name, child, args))
	}
	return worst
}

func (w *costWalker) fieldOf(obj *ast.Definition, kind ast.DefinitionKind, name string, child int, args map[string]any) int {
	if c, ok := w.es.Complexity(w.ctx, obj.Name, name, child, args); ok && c >= 1 {
		return c
	}
	return addCost(1, child)
}

// addCost adds two costs, saturating at math.MaxInt; a negative one (a cost
// function's mistake) counts nothing.
func addCost(a, b int) int {
	a, b = max(a, 0), max(b, 0)
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}
