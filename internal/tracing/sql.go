package tracing

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/exaring/otelpgx"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"go.opentelemetry.io/otel/trace"
)

// SQL returns the pgx tracer (database.Options.QueryTracer) that spans each
// statement under the operation that runs it, with otelpgx: its text with
// every literal replaced by "?" (SanitizeSQL), never its arguments. A
// statement outside any span (the outbox's polling) makes none.
func SQL(tp trace.TracerProvider) pgx.QueryTracer {
	return sqlTracer{otelpgx.NewTracer(otelpgx.WithTracerProvider(tp), otelpgx.WithDisableConnectionDetailsInAttributes())}
}

// sqlTracer hands otelpgx the statements sanitized and without arguments.
// It traces queries and batches only: a prepare (pgx's statement cache)
// would double each statement's span, and connects belong to no operation.
type sqlTracer struct{ t *otelpgx.Tracer }

var (
	_ pgx.QueryTracer = sqlTracer{}
	_ pgx.BatchTracer = sqlTracer{}
)

// TraceQueryStart starts a statement's span.
func (s sqlTracer) TraceQueryStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	if !trace.SpanFromContext(ctx).IsRecording() {
		return s.t.TraceQueryStart(ctx, conn, pgx.TraceQueryStartData{})
	}
	return s.t.TraceQueryStart(ctx, conn, pgx.TraceQueryStartData{SQL: SanitizeSQL(data.SQL)})
}

// TraceQueryEnd ends it.
func (s sqlTracer) TraceQueryEnd(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryEndData) {
	data.Err = safeError(data.Err)
	s.t.TraceQueryEnd(ctx, conn, data)
}

// safeError is what a span may say of a failed statement: PostgreSQL's
// messages may quote values ("invalid input syntax for type uuid: ..."), so
// only the SQLSTATE, or the kind of failure, is kept.
func safeError(err error) error {
	var pgErr *pgconn.PgError
	switch {
	case err == nil, errors.Is(err, sql.ErrNoRows), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.As(err, &pgErr):
		return &pgconn.PgError{Severity: pgErr.Severity, Code: pgErr.Code, Message: "statement failed"}
	}
	return errStatementFailed
}

var errStatementFailed = errors.New("statement failed")

// TraceBatchStart starts a batch's span.
func (s sqlTracer) TraceBatchStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceBatchStartData) context.Context {
	return s.t.TraceBatchStart(ctx, conn, data)
}

// TraceBatchQuery spans one statement of a batch.
func (s sqlTracer) TraceBatchQuery(ctx context.Context, conn *pgx.Conn, data pgx.TraceBatchQueryData) {
	s.t.TraceBatchQuery(ctx, conn, pgx.TraceBatchQueryData{SQL: SanitizeSQL(data.SQL), CommandTag: data.CommandTag, Err: safeError(data.Err)})
}

// TraceBatchEnd ends the batch's span.
func (s sqlTracer) TraceBatchEnd(ctx context.Context, conn *pgx.Conn, data pgx.TraceBatchEndData) {
	data.Err = safeError(data.Err)
	s.t.TraceBatchEnd(ctx, conn, data)
}

// SanitizeSQL replaces every literal of a statement with "?": strings
// ('...', E'...', $tag$...$tag$), numbers, and drops comments. Placeholders
// ($1), identifiers ("quoted" too), keywords and operators stay, so the text
// says what the statement does and nothing of the data it touched.
func SanitizeSQL(sql string) string {
	var b strings.Builder
	b.Grow(len(sql))
	isIdent := func(c byte) bool {
		return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
	}
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == '\'':
			escapes := i > 0 && (sql[i-1] == 'E' || sql[i-1] == 'e') && (i < 2 || !isIdent(sql[i-2]))
			if escapes { // E'...': the E was copied; replace it too
				s := b.String()
				b.Reset()
				b.WriteString(s[:len(s)-1])
			}
			i++
			for i < len(sql) {
				if escapes && sql[i] == '\\' {
					i += 2
					continue
				}
				if sql[i] == '\'' {
					if i+1 < len(sql) && sql[i+1] == '\'' {
						i += 2
						continue
					}
					break
				}
				i++
			}
			i++
			b.WriteByte('?')
		case c == '"':
			j := i + 1
			for j < len(sql) && (sql[j] != '"' || j+1 < len(sql) && sql[j+1] == '"') {
				if sql[j] == '"' {
					j++
				}
				j++
			}
			j = min(j+1, len(sql))
			b.WriteString(sql[i:j])
			i = j
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
			b.WriteByte(' ')
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				i = len(sql)
			} else {
				i += end + 4
			}
			b.WriteByte(' ')
		case c == '$':
			j := i + 1
			for j < len(sql) && sql[j] >= '0' && sql[j] <= '9' {
				j++
			}
			if j > i+1 { // a placeholder
				b.WriteString(sql[i:j])
				i = j
				continue
			}
			for j < len(sql) && isIdent(sql[j]) {
				j++
			}
			if j < len(sql) && sql[j] == '$' { // $tag$ ... $tag$
				tag := sql[i : j+1]
				end := strings.Index(sql[j+1:], tag)
				if end < 0 {
					i = len(sql)
				} else {
					i = j + 1 + end + len(tag)
				}
				b.WriteByte('?')
				continue
			}
			b.WriteByte(c)
			i++
		case c >= '0' && c <= '9' && (i == 0 || !isIdent(sql[i-1])):
			j := i
			for j < len(sql) && (sql[j] >= '0' && sql[j] <= '9' || sql[j] == '.' ||
				(sql[j] == 'e' || sql[j] == 'E') && j+1 < len(sql) && (sql[j+1] >= '0' && sql[j+1] <= '9' || sql[j+1] == '-' || sql[j+1] == '+')) {
				if sql[j] == 'e' || sql[j] == 'E' {
					j++
				}
				j++
			}
			b.WriteByte('?')
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}
