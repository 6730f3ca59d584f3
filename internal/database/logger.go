package database

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// queryLogger reports slow statements and failed ones through slog. It logs the
// statement with its placeholders, never the values bound to them: those are
// patients' data.
type queryLogger struct {
	log  *slog.Logger
	slow time.Duration
}

func newQueryLogger(l *slog.Logger, slow time.Duration) logger.Interface {
	return &queryLogger{log: l, slow: slow}
}

func (q *queryLogger) LogMode(logger.LogLevel) logger.Interface { return q }
func (q *queryLogger) Info(context.Context, string, ...any)     {}
func (q *queryLogger) Warn(ctx context.Context, msg string, _ ...any) {
	q.log.WarnContext(ctx, "gorm", "msg", msg)
}
func (q *queryLogger) Error(ctx context.Context, msg string, _ ...any) {
	q.log.ErrorContext(ctx, "gorm", "msg", msg)
}

// ParamsFilter keeps bound values out of the SQL GORM hands to Trace.
func (q *queryLogger) ParamsFilter(_ context.Context, sql string, _ ...any) (string, []any) {
	return sql, nil
}

// literal matches a quoted SQL literal or a $n$ left by GORM's Explain.
var (
	quotedLiteral = regexp.MustCompile(`'(?:[^']|'')*'`)
	explainedVar  = regexp.MustCompile(`\$(\d+)\$`)
)

// scrub removes anything value-like from a statement before it is logged:
// GORM's Scan path records statements with their values inlined.
func scrub(sql string) string {
	sql = quotedLiteral.ReplaceAllString(sql, "?")
	return explainedVar.ReplaceAllString(sql, "$$$1")
}

func init() {
	// Scan traces through GORM's recorder, whose filter keeps the values;
	// drop them there too.
	logger.RecorderParamsFilter = func(_ context.Context, sql string, _ ...any) (string, []any) { return sql, nil }
}

func (q *queryLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	elapsed := time.Since(begin)
	switch {
	case err != nil && !errors.Is(err, gorm.ErrRecordNotFound) && !errors.Is(err, context.Canceled):
		sql, _ := fc()
		sql = scrub(sql)
		// A unique violation (an email already taken, a slug in use) is an
		// answer the services translate; one they do not is logged again as
		// an internal error by the API. Other constraints refusing a row
		// (foreign key, check, not null) are defects: errors.
		level := slog.LevelError
		if IsUniqueViolation(err, "") {
			level = slog.LevelInfo
		}
		q.log.Log(ctx, level, "query failed", "sql", sql, "duration_ms", elapsed.Milliseconds(), "error", sqlState(err))
	case q.slow > 0 && elapsed > q.slow:
		sql, rows := fc()
		sql = scrub(sql)
		q.log.WarnContext(ctx, "slow query", "sql", sql, "rows", rows, "duration_ms", elapsed.Milliseconds())
	}
}
