package graph_test

import (
	"context"
	"fmt"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"mlp/graph"
)

// countingSchema counts the cost functions graph.Cost asks for.
type countingSchema struct {
	graphql.ExecutableSchema
	calls int
}

func (c *countingSchema) Complexity(ctx context.Context, typeName, field string, child int, args map[string]any) (int, bool) {
	c.calls++
	return c.ExecutableSchema.Complexity(ctx, typeName, field, child, args)
}

// doubling returns fragments F0..Fn where each spreads the one before twice,
// and a query spreading Fn: 2^n copies of F0 once expanded.
func doubling(n int) string {
	doc := "query { ...F" + fmt.Sprint(n) + " } fragment F0 on Query { __typename legalPartners { id name } }"
	for k := 1; k <= n; k++ {
		doc += fmt.Sprintf(" fragment F%d on Query { ...F%d ...F%d }", k, k-1, k-1)
	}
	return doc
}

// walked parses doc and gives its fields their definitions (the validator's
// walk without its rules, some of which are themselves costly on such
// documents; the server's field cap refuses them before validation).
func walked(t testing.TB, es graphql.ExecutableSchema, doc string) *ast.QueryDocument {
	t.Helper()
	d, err := parser.ParseQuery(&ast.Source{Input: doc})
	if err != nil {
		t.Fatal(err)
	}
	validator.Walk(es.Schema(), d, &validator.Events{})
	return d
}

// processCPU is the CPU time this process used so far (user and system).
func processCPU(t testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestCostCountsEachFragmentOnce: the cost of fragment doubling is computed
// with each fragment's fields asked once (gqlgen's own walk asks 2^n times),
// gives gqlgen's saturating answer in kind (more than the limit), and costs
// CPU within a small multiple of a trivial query's, measured side by side.
func TestCostCountsEachFragmentOnce(t *testing.T) {
	es := graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}, Directives: graph.Directives(), Complexity: graph.Complexity()})
	counting := &countingSchema{ExecutableSchema: es}
	ctx := context.Background()

	for _, n := range []int{1, 10, 30} {
		doc := walked(t, es, doubling(n))
		counting.calls = 0
		cost := graph.Cost(ctx, counting, doc.Operations[0], nil)
		// F0: __typename, legalPartners and its id and name
		if counting.calls != 4 {
			t.Errorf("F%d: %d cost calls, want 4 (each fragment once)", n, counting.calls)
		}
		perCopy := graph.Cost(ctx, es, walked(t, es, doubling(0)).Operations[0], nil)
		if want := perCopy << n; cost != want {
			t.Errorf("F%d costs %d, want %d", n, cost, want)
		}
		if n == 30 && cost <= graph.ComplexityLimit {
			t.Errorf("F30 costs %d, within the limit", cost)
		}
	}

	// CPU: F24 doubling against { __typename }, interleaved, 9 rounds,
	// the median of each; gqlgen's walk took about 16 million times the
	// trivial query's work here.
	trivial := walked(t, es, "{ __typename }").Operations[0]
	hostile := walked(t, es, doubling(24)).Operations[0]
	cpu := func(op *ast.OperationDefinition) time.Duration {
		const n = 20000
		start := processCPU(t)
		for range n {
			graph.Cost(ctx, es, op, nil)
		}
		return processCPU(t) - start
	}
	var base, hard []time.Duration
	for range 9 {
		base = append(base, cpu(trivial))
		hard = append(hard, cpu(hostile))
	}
	slices.Sort(base)
	slices.Sort(hard)
	ratio := float64(hard[4]) / float64(max(base[4], time.Millisecond))
	t.Logf("F24 doubling: %.1f x the CPU of { __typename } (%v vs %v for 20,000)", ratio, hard[4], base[4])
	if ratio > 1000 {
		t.Errorf("F24 doubling costs %.0f times the CPU of a trivial query", ratio)
	}
}
