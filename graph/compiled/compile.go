package compiled

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"mlp/internal/auth"
)

// errNotCompilable means the operation leaves the compilable set: gqlgen's
// executor answers it.
var errNotCompilable = errors.New("compiled: not in the compilable set")

// compiler turns one operation, for one role and one shape of variables (see
// shapeKey), into a plan. The SQL it writes holds no value: every argument,
// variable and principal value is a bind parameter that a binder reads at
// each execution.
type compiler struct {
	doc  *ast.QueryDocument
	vars map[string]any // the variables of the first execution: only their shape is used
	p    *auth.Principal
	// binds read the parameters $1, $2, ... at execution; checks are run
	// too, for their verdict only.
	binds   []binder
	checks  []binder
	aliases int
	// fallbacks are SQL conditions under which the answer holds an error:
	// the compiled answer is dropped and gqlgen's executor answers (the same
	// document, in the same request), so errors are presented by one path.
	fallbacks []string
	// roots are the root fields' derived tables (columns v, and a for the
	// audited ones), each of at most one row.
	roots []rootTable
	// holes are SQL written at each execution (see hole).
	holes []hole
	svc   Services
}

// env is what binders read at execution: the request's variables, principal
// and clock.
type env struct {
	// ctx is the operation's (the principal, the reader's language), for
	// the services that write holes.
	ctx   context.Context
	vars  map[string]any
	p     *auth.Principal
	today string    // the service clock's day in UTC, YYYY-MM-DD
	now   time.Time // the service clock
	// scopes caches the visibility scopes' values of this execution.
	scopes map[string][]any
	// memo caches what holes of one root compute once per execution.
	memo map[string]any
}

// binder computes one bind parameter at execution; ok false means the value
// is refused (a page size out of range, a bad cursor, a malformed id) and the
// resolvers must answer, with their error.
type binder func(e *env) (v any, ok bool)

// hole is SQL a service writes at each execution, with ? placeholders and
// their values, for rules whose SQL depends on values (the case queue's
// filter and cursor): its text may differ from one execution to the next,
// its placeholders are numbered after the plan's own. ok false hands the
// operation to the resolvers (the service refused the values).
type hole func(e *env) (sql string, args []any, ok bool)

// holeMark separates holes in a plan's SQL.
const holeMark = "\x00"

// hole adds a hole and returns its mark.
func (c *compiler) hole(h hole) string {
	c.holes = append(c.holes, h)
	return holeMark + strconv.Itoa(len(c.holes)-1) + holeMark
}

// bind adds a bind parameter and returns its placeholder.
func (c *compiler) bind(b binder) string {
	c.binds = append(c.binds, b)
	return "$" + strconv.Itoa(len(c.binds))
}

// alias returns a fresh table alias.
func (c *compiler) alias(prefix string) string {
	c.aliases++
	return prefix + strconv.Itoa(c.aliases)
}

// scope writes a visibility scope's SQL (with ? placeholders) with its
// values bound: scopeFn is called again at each execution, for that
// request's principal, and must give the same SQL for the same role.
func (c *compiler) scope(name string, scopeFn func(p *auth.Principal) (string, []any)) string {
	sql, args := scopeFn(c.p)
	if len(args) == 0 {
		return "(" + sql + ")"
	}
	var b strings.Builder
	b.WriteByte('(')
	k := 0
	for i := 0; i < len(sql); i++ {
		if sql[i] != '?' {
			b.WriteByte(sql[i])
			continue
		}
		idx := k
		k++
		b.WriteString(c.bind(func(e *env) (any, bool) {
			vals, ok := e.scopes[name]
			if !ok {
				_, vals = scopeFn(e.p)
				if e.scopes == nil {
					e.scopes = map[string][]any{}
				}
				e.scopes[name] = vals
			}
			if idx >= len(vals) {
				return nil, false
			}
			return vals[idx], true
		}))
	}
	b.WriteByte(')')
	return b.String()
}

// arg returns the value of argument name of f at compile time (for the
// shape: null or not), reading variables.
func (c *compiler) arg(f *field, name string) any {
	a := f.Arguments.ForName(name)
	if a == nil {
		return nil
	}
	v, err := a.Value.Value(c.vars)
	if err != nil {
		return nil
	}
	return v
}

// argBinder returns a function reading argument name of f at execution.
func argReader(f *field, name string) func(e *env) any {
	a := f.Arguments.ForName(name)
	if a == nil {
		return func(*env) any { return nil }
	}
	return func(e *env) any {
		v, err := a.Value.Value(e.vars)
		if err != nil {
			return nil
		}
		return v
	}
}

// json is a JSON value under construction: SQL text pieces, literal JSON
// text and SQL expressions of type text, concatenated with ||.
type jsonText struct {
	parts []string
	lit   strings.Builder // pending literal text
}

func (j *jsonText) literal(s string) { j.lit.WriteString(s) }

func (j *jsonText) expr(sql string) {
	j.flush()
	j.parts = append(j.parts, sql)
}

func (j *jsonText) flush() {
	if j.lit.Len() > 0 {
		j.parts = append(j.parts, sqlString(j.lit.String()))
		j.lit.Reset()
	}
}

// sql returns the text expression of the value.
func (j *jsonText) sql() string {
	j.flush()
	if len(j.parts) == 1 {
		return j.parts[0]
	}
	return "(" + strings.Join(j.parts, " || ") + ")"
}

// sqlString quotes s as a SQL string literal. Only schema names, response
// keys (GraphQL names) and fixed punctuation reach it, never a value.
func sqlString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// object writes the JSON object of type t for the row expression row with
// the selection set sel.
func (c *compiler) object(t *objectType, row string, sel ast.SelectionSet) (string, error) {
	fields, err := c.collect(sel, t.name)
	if err != nil {
		return "", err
	}
	var j jsonText
	j.literal("{")
	for i, f := range fields {
		if i > 0 {
			j.literal(",")
		}
		j.literal(strconv.Quote(f.key()) + ":")
		if f.Name == "__typename" {
			j.literal(strconv.Quote(t.name))
			continue
		}
		fc, ok := t.fields[f.Name]
		if !ok {
			return "", errNotCompilable
		}
		v, err := fc(c, row, f)
		if err != nil {
			return "", err
		}
		j.expr(v)
	}
	j.literal("}")
	return j.sql(), nil
}

// rootTable is a root field's derived table.
type rootTable struct {
	sql         string
	nullIsError bool
	audited     bool
}
