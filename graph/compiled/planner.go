// Package compiled answers the apps' hot reads as one SQL statement each.
//
// The Planner is a gqlgen operation interceptor. gqlgen has already parsed
// and validated the document, applied the limits and the persisted-query
// cache; the Planner then looks at the operation: when it is a query whose
// root fields and every nested selection are in the compilable set (see
// types.go), for the caller's role, it compiles the selection into one SQL
// statement whose result is the JSON of data, built by PostgreSQL, runs it as
// a prepared statement and answers those bytes as data without building a Go
// object. Anything else goes to gqlgen's executor unchanged.
//
// Plans are cached (bounded LRU) per document, operation, role and shape of
// the variables (which are null, and the values of the Booleans that
// @include/@skip read). Values travel as bind parameters only.
//
// Authorization is the services': the roots' WHERE is cases.Visible, the
// timeline's cases.EventsVisible; derived fields are SQL generated from the
// Go definitions the resolvers use (models.UrgentSQL, FhirTaskStatusSQL,
// page.TimeKeySQL). When an answer would hold an error (a case the caller
// may not see, a page size out of range, a bad cursor), the compiled answer
// is dropped and gqlgen's executor answers the operation, so every error is
// made and presented by one path.
package compiled

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"log/slog"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"gorm.io/gorm"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/stdlib"

	"mlp/internal/audit"
	"mlp/internal/auth"
	"mlp/internal/cases"
	"mlp/internal/database"
	"mlp/internal/guides"
	"mlp/models"
)

// authPrincipal keeps the scope closures short.
type authPrincipal = auth.Principal

// DefaultPlanCacheSize bounds the plan cache.
const DefaultPlanCacheSize = 1000

// Options configures New.
type Options struct {
	// DB is the pool; compiled statements run on its database/sql handle,
	// which pgx prepares and caches per connection.
	DB *gorm.DB
	// Now is the services' clock (urgent's today).
	Now func() time.Time
	// PlanCacheSize bounds the plan cache (default DefaultPlanCacheSize).
	PlanCacheSize int
	Logger        *slog.Logger
	// Services are the services whose rules the plans take.
	Services Services
}

// Services are the services the compiled reads take their rules from.
type Services struct {
	// Cases gives the case queue's conditions (QueueWhere).
	Cases *cases.Service
	// Guides gives the guide lists' and guide's statements.
	Guides *guides.Service
}

// Planner is the gqlgen extension that compiles reads.
type Planner struct {
	gdb   *gorm.DB
	svc   Services
	db    *sql.DB
	now   func() time.Time
	cache *lru.LRU[*plan]
	log   *slog.Logger
	// compiled and handed count the operations answered from one statement
	// and those handed to the executor after a compiled attempt (see Stats).
	compiled, handed atomic.Int64
}

// Stats returns how many operations were answered by a compiled statement,
// and how many compilable ones were handed back to the resolvers (a refused
// argument, an answer holding an error).
func (pl *Planner) Stats() (compiled, handed int64) { return pl.compiled.Load(), pl.handed.Load() }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = (*Planner)(nil)

// New returns a Planner.
func New(opts Options) (*Planner, error) {
	sqlDB, err := opts.DB.DB()
	if err != nil {
		return nil, err
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.PlanCacheSize <= 0 {
		opts.PlanCacheSize = DefaultPlanCacheSize
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Planner{gdb: opts.DB, svc: opts.Services, db: sqlDB, now: opts.Now, cache: lru.New[*plan](opts.PlanCacheSize), log: opts.Logger}, nil
}

// ExtensionName names the extension for gqlgen.
func (*Planner) ExtensionName() string { return "CompiledReads" }

// Validate accepts every schema.
func (*Planner) Validate(graphql.ExecutableSchema) error { return nil }

// plan is a compiled operation; a nil sql means "not compilable".
type plan struct {
	sql    string
	binds  []binder
	checks []binder
	// parts and holes: sql split around its holes (parts[i] comes before
	// holes[order[i]]: holes are made in compile order, not text order).
	parts []string
	order []int
	holes []hole
	// audited: the statement's third column lists cases read, which are
	// audited in its transaction.
	audited bool
}

// InterceptOperation answers a compilable query from one statement, and
// hands everything else to next.
func (pl *Planner) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc == nil || oc.Operation == nil || oc.Operation.Operation != ast.Query {
		return next(ctx)
	}
	// An anonymous caller (p nil) compiles what is public (the guides); a
	// refused token is the resolvers' UNAUTHENTICATED.
	p, err := auth.UserFrom(ctx)
	if err != nil {
		return next(ctx)
	}
	key := cacheKey(oc, p)
	pn, ok := pl.cache.Get(ctx, key)
	if !ok {
		pn = compile(oc, p, pl.svc)
		pl.cache.Add(ctx, key, pn)
	}
	if pn.sql == "" {
		return next(ctx)
	}
	now := pl.now()
	data, ok := pl.run(ctx, pn, &env{ctx: ctx, vars: oc.Variables, p: p, now: now, today: models.NewDate(now.UTC()).String()})
	if !ok {
		pl.handed.Add(1)
		return next(ctx)
	}
	pl.compiled.Add(1)
	register(ctx, data)
	return graphql.OneShot(&graphql.Response{Data: data})
}

// run binds and runs a plan; ok is false when the resolvers must answer (a
// refused argument, an answer holding an error, a failed statement: the
// executor then reports it as it does).
func (pl *Planner) run(ctx context.Context, pn *plan, e *env) (json.RawMessage, bool) {
	args, ok := (&Plan{pn}).bind(e)
	if !ok {
		return nil, false
	}
	stmt, args, ok := pn.statement(e, args)
	if !ok {
		return nil, false
	}
	if !pn.audited {
		data, err := queryPgx(ctx, pl.db, stmt, args)
		if errors.Is(err, errNotPgx) {
			data, _, err = query(ctx, pl.db, stmt, args)
		}
		if err != nil {
			pl.failed(ctx, err)
			return nil, false
		}
		return data, true
	}
	// A staff read: its audit entries in the read's transaction, written by
	// the audit package as on the resolvers' path.
	var data json.RawMessage
	err := pl.gdb.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		d, ids, err := query(ctx, tx.Statement.ConnPool, stmt, args)
		if err != nil {
			return err
		}
		data = d
		return audit.RecordEach(tx, e.p, audit.ActionRead, cases.EntityCase, ids)
	})
	if err != nil {
		pl.failed(ctx, err)
		return nil, false
	}
	return data, true
}

// failed logs a plan whose statement did not answer (the resolvers answer
// instead): a warning, unless it handed over on purpose or the request itself
// ended (a client that left, the deadline): then the resolvers' path reports
// it as every cancelled request is.
func (pl *Planner) failed(ctx context.Context, err error) {
	if errors.Is(err, errHandOver) || ctx.Err() != nil {
		return
	}
	pl.log.WarnContext(ctx, "compiled read failed; the resolvers answer", "err", err)
}

// errHandOver: the answer holds an error, the resolvers answer.
var errHandOver = errors.New("compiled: hand over to the resolvers")

// query runs a plan's statement on db (the pool or a transaction) and
// returns the JSON of data and the cases read.
func query(ctx context.Context, db gorm.ConnPool, stmt string, args []any) (json.RawMessage, []uuid.UUID, error) {
	database.CountStatement(ctx)
	rows, err := db.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, nil, errors.Join(errHandOver, rows.Err())
	}
	var raw sql.RawBytes
	var fallback bool
	var read sql.NullString
	if err := rows.Scan(&raw, &fallback, &read); err != nil {
		return nil, nil, err
	}
	if fallback {
		return nil, nil, errHandOver
	}
	var ids []uuid.UUID
	if read.String != "" {
		for _, s := range strings.Split(read.String, ",") {
			id, err := uuid.Parse(s)
			if err != nil {
				return nil, nil, err
			}
			ids = append(ids, id)
		}
	}
	return normalize(raw), ids, rows.Close()
}

// errNotPgx: the pool's driver is not pgx's stdlib; query answers instead.
var errNotPgx = errors.New("compiled: not a pgx connection")

// queryPgx runs a plan's statement on a connection of the pool with pgx
// itself, for a read that writes nothing: the answer's bytes are read off
// the wire (RawValues) and copied once, by normalize, where database/sql
// would copy them twice more (into a string, then into RawBytes): 200 kB
// of garbage per case list.
func queryPgx(ctx context.Context, db *sql.DB, stmt string, args []any) (json.RawMessage, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	database.CountStatement(ctx)
	var data json.RawMessage
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return errNotPgx
		}
		rows, err := sc.Conn().Query(ctx, stmt, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		if !rows.Next() {
			return errors.Join(errHandOver, rows.Err())
		}
		raw := rows.RawValues()[0]
		var fallback bool
		if err := rows.Scan(nil, &fallback, nil); err != nil {
			return err
		}
		if fallback || raw == nil {
			return errHandOver
		}
		data = normalize(raw)
		rows.Close()
		return rows.Err()
	})
	return data, err
}

// statement writes the plan's SQL for one execution: its holes filled,
// their placeholders numbered after the plan's own, their values appended
// (a list value, as GORM does, as one placeholder per element).
func (pn *plan) statement(e *env, args []any) (string, []any, bool) {
	if len(pn.holes) == 0 {
		return pn.sql, args, true
	}
	var b strings.Builder
	b.Grow(len(pn.sql) + 256)
	for i, k := range pn.order {
		b.WriteString(pn.parts[i])
		sql, hargs, ok := pn.holes[k](e)
		if !ok {
			return "", nil, false
		}
		k := 0
		for j := 0; j < len(sql); j++ {
			if sql[j] != '?' {
				b.WriteByte(sql[j])
				continue
			}
			if k >= len(hargs) {
				return "", nil, false
			}
			v := reflect.ValueOf(hargs[k])
			k++
			if v.Kind() == reflect.Slice && v.Type().Elem().Kind() != reflect.Uint8 {
				b.WriteByte('(')
				for n := range v.Len() {
					if n > 0 {
						b.WriteByte(',')
					}
					args = append(args, v.Index(n).Interface())
					b.WriteString("$" + strconv.Itoa(len(args)))
				}
				b.WriteByte(')')
				continue
			}
			args = append(args, hargs[k-1])
			b.WriteString("$" + strconv.Itoa(len(args)))
		}
	}
	b.WriteString(pn.parts[len(pn.order)])
	return b.String(), args, true
}

// cacheKey identifies a plan: the document, the operation, the caller's role
// and the shape of the variables.
func cacheKey(oc *graphql.OperationContext, p *auth.Principal) string {
	var b strings.Builder
	b.Grow(len(oc.RawQuery) + len(oc.OperationName) + 16)
	if p != nil {
		b.WriteString(string(p.Role))
	}
	b.WriteByte(0)
	b.WriteString(oc.OperationName)
	b.WriteByte(0)
	for _, d := range oc.Operation.VariableDefinitions {
		switch v := oc.Variables[d.Variable].(type) {
		case nil:
			b.WriteByte('n')
		case bool:
			if v {
				b.WriteByte('t')
			} else {
				b.WriteByte('f')
			}
		default:
			b.WriteByte('v')
		}
	}
	b.WriteByte(0)
	b.WriteString(oc.RawQuery)
	return b.String()
}

// compile makes the plan of an operation; a plan without SQL when it is not
// compilable.
func compile(oc *graphql.OperationContext, p *auth.Principal, svc Services) *plan {
	c := &compiler{doc: oc.Doc, vars: oc.Variables, p: p, svc: svc}
	data, err := c.object(queryType, "", oc.Operation.SelectionSet)
	if err != nil {
		return &plan{}
	}
	var b strings.Builder
	b.WriteString("SELECT ")
	b.WriteString(data)
	b.WriteString(", ")
	if len(c.fallbacks) == 0 {
		b.WriteString("false")
	} else {
		b.WriteString("(" + strings.Join(c.fallbacks, " OR ") + ")")
	}
	var read []string
	for i, r := range c.roots {
		if r.audited {
			read = append(read, "q"+strconv.Itoa(i)+".a")
		}
	}
	if len(read) == 0 {
		b.WriteString(", NULL::text")
	} else {
		b.WriteString(", concat_ws(',', " + strings.Join(read, ", ") + ")")
	}
	b.WriteString(" FROM (SELECT) q")
	for i, r := range c.roots {
		b.WriteString(" LEFT JOIN LATERAL (" + r.sql + ") q" + strconv.Itoa(i) + " ON true")
	}
	pn := &plan{sql: b.String(), binds: c.binds, checks: c.checks, holes: c.holes, audited: len(read) > 0}
	if len(c.holes) > 0 {
		split := strings.Split(pn.sql, holeMark)
		for i := 0; i < len(split); i += 2 {
			pn.parts = append(pn.parts, split[i])
			if i+1 < len(split) {
				k, err := strconv.Atoi(split[i+1])
				if err != nil {
					return &plan{}
				}
				pn.order = append(pn.order, k)
			}
		}
	}
	return pn
}

// root adds a root field's value as a derived table of one row and returns
// its JSON; nullIsError says a null value means the resolvers have an error
// to give (NOT_FOUND), so the compiled answer is dropped.
func (c *compiler) root(value string, nullIsError bool) string {
	return c.rootTable("SELECT "+value+" AS v", nullIsError, false)
}

// rootTable adds a root field's derived table (at most one row, columns v
// and, when audited, a: the ids of the cases it read, comma-separated).
func (c *compiler) rootTable(sql string, nullIsError, audited bool) string {
	name := "q" + strconv.Itoa(len(c.roots)) + ".v"
	c.roots = append(c.roots, rootTable{sql: sql, nullIsError: nullIsError, audited: audited})
	if nullIsError {
		c.fallbacks = append(c.fallbacks, name+" IS NULL")
	}
	return "coalesce(" + name + ", 'null')"
}

// intValue reads an Int argument, literal or variable.
func intValue(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), int64(int(n)) == n
	case float64:
		return int(n), n == float64(int(n))
	case json.Number:
		i, err := n.Int64()
		return int(i), err == nil
	}
	return 0, false
}

// normalize rewrites PostgreSQL's JSON text to the bytes the resolvers'
// answer is written as: gqlgen's string escapes (graphql.MarshalString:
// \u0008 and \u000C for backspace and form feed, upper-case hex in \u00XX),
// then encoding/json's, which gqlgen's transport applies when it encodes the
// response (<, > and & as \u003c, \u003e, \u0026; U+2028 and U+2029 as
// \u2028, \u2029). So the transport may write the bytes as they are (see
// Raw). Outside strings the text has no backslash and none of those
// characters; PostgreSQL writes no whitespace between tokens.
func normalize(raw []byte) json.RawMessage {
	out := make([]byte, 0, len(raw)+len(raw)/64+16)
	for i := 0; i < len(raw); i++ {
		// copy the run of bytes that need nothing at once
		start := i
		for i < len(raw) && !special[raw[i]] {
			i++
		}
		out = append(out, raw[start:i]...)
		if i == len(raw) {
			break
		}
		ch := raw[i]
		switch {
		case ch == '<' || ch == '>' || ch == '&':
			out = append(out, '\\', 'u', '0', '0', hexDigits[ch>>4], hexDigits[ch&0xF])
			continue
		case ch == 0xE2 && i+2 < len(raw) && raw[i+1] == 0x80 && raw[i+2]&^1 == 0xA8:
			out = append(out, '\\', 'u', '2', '0', '2', hexDigits[raw[i+2]&0xF])
			i += 2
			continue
		}
		if ch != '\\' || i+1 >= len(raw) {
			out = append(out, ch)
			continue
		}
		i++
		switch raw[i] {
		case 'b':
			out = append(out, `\u0008`...)
		case 'f':
			out = append(out, `\u000C`...)
		case 'u':
			out = append(out, '\\', 'u')
			for k := 1; k <= 4 && i+k < len(raw); k++ {
				h := raw[i+k]
				if h >= 'a' && h <= 'f' {
					h -= 'a' - 'A'
				}
				out = append(out, h)
			}
			i += 4
		default:
			out = append(out, '\\', raw[i])
		}
	}
	return out
}

const hexDigits = "0123456789abcdef"

// special marks the bytes normalize looks at: a backslash (an escape), <, >
// and &, and the first byte of U+2028 and U+2029.
var special = [256]bool{'\\': true, '<': true, '>': true, '&': true, 0xE2: true}

// Plan is a compiled operation, for tools that run its statement themselves
// (cmd/loadgen floor measures PostgreSQL answering it alone).
type Plan struct{ p *plan }

// Compile compiles operation opName of doc (parsed and validated) for
// principal p and the shape of vars, taking the rules of svc; an operation
// outside the compilable set is an error.
func Compile(doc *ast.QueryDocument, opName string, vars map[string]any, p *auth.Principal, svc Services) (*Plan, error) {
	op := doc.Operations.ForName(opName)
	if op == nil {
		return nil, errors.New("compiled: no such operation")
	}
	pn := compile(&graphql.OperationContext{Doc: doc, Operation: op, Variables: vars}, p, svc)
	if pn.sql == "" {
		return nil, errNotCompilable
	}
	return &Plan{p: pn}, nil
}

// SQL is the plan's statement: its first column is the JSON of data, its
// second true when the resolvers would answer instead.
func (pl *Plan) SQL() string { return pl.p.sql }

// Args binds the plan's parameters for one execution; ok is false when an
// argument is refused.
func (pl *Plan) Args(vars map[string]any, p *auth.Principal, now time.Time) (args []any, ok bool) {
	return pl.bind(pl.env(vars, p, now))
}

func (pl *Plan) env(vars map[string]any, p *auth.Principal, now time.Time) *env {
	return &env{ctx: auth.WithPrincipal(context.Background(), p), vars: vars, p: p, now: now, today: models.NewDate(now.UTC()).String()}
}

// Statement is the plan's statement for one execution, its holes filled
// by the services (Compile's Services), with its arguments; ok is false
// when an argument is refused or the resolvers would answer.
func (pl *Plan) Statement(vars map[string]any, p *auth.Principal, now time.Time) (string, []any, bool) {
	e := pl.env(vars, p, now)
	args, ok := pl.bind(e)
	if !ok {
		return "", nil, false
	}
	return pl.p.statement(e, args)
}

func (pl *Plan) bind(e *env) ([]any, bool) {
	for _, b := range pl.p.checks {
		if _, ok := b(e); !ok {
			return nil, false
		}
	}
	args := make([]any, len(pl.p.binds))
	for i, b := range pl.p.binds {
		v, ok := b(e)
		if !ok {
			return nil, false
		}
		args[i] = v
	}
	return args, true
}
