// Package outbox is the transactional outbox of every side effect (push,
// email, reminders): a job is a row in PostgreSQL inserted in the same
// transaction as the change that causes it, so it exists exactly when that
// change committed, and workers in every server process run it afterwards.
//
// It is River (riverqueue/river) configured once for the whole server, so
// that services only say what to run:
//
//	// at start-up, before Start: a worker per job kind
//	outbox.Register(box, &pushWorker{...})
//	// in a service, inside its GORM transaction tx
//	err := box.Enqueue(ctx, tx, PushArgs{...}, nil)
//
// Jobs are inserted through River's database/sql driver on the *sql.Tx of the
// GORM transaction; workers fetch them through a small pgx pool of their own
// that LISTENs for River's insert notifications, so a job starts within
// milliseconds of its commit (and at the latest at the next poll). A job runs
// once across every instance (River locks it with FOR UPDATE SKIP LOCKED);
// a failed one is retried with exponential backoff (RetryPolicy) up to
// MaxAttempts; a process that stops mid-job leaves it to be rescued and run
// again by another (RescueAfter), so workers must be idempotent enough to
// bear a rare second run. River's tables come from migrations/00008.
package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
	"gorm.io/gorm"

	"mlp/internal/metrics"
)

// JobArgs is what a job carries; Kind names its worker. Args are stored as
// JSON in river_job: ids only, never text of a person (PHI stays in its own
// tables, read again by the worker).
type JobArgs = river.JobArgs

// Job is a job being worked.
type Job[T JobArgs] = river.Job[T]

// Worker runs jobs of one kind. Embed WorkerDefaults for the optional methods.
type Worker[T JobArgs] = river.Worker[T]

// WorkerDefaults gives a Worker River's defaults (timeout, retry policy).
type WorkerDefaults[T JobArgs] = river.WorkerDefaults[T]

// InsertOpts tunes one job: ScheduledAt runs it later (a reminder, a push held
// for safe hours), Queue, Priority, MaxAttempts, UniqueOpts.
type InsertOpts = river.InsertOpts

// JobSnooze returned by a worker runs the job again after d, without
// counting an attempt (a push held for the patient's safe hours).
func JobSnooze(d time.Duration) error { return river.JobSnooze(max(d, 0)) }

// JobCancel wraps err so that the job is not retried.
func JobCancel(err error) error { return river.JobCancel(err) }

// Options configures New.
type Options struct {
	// DatabaseURL is where the workers' pool connects (the URL of db).
	DatabaseURL string
	// Workers runs jobs in this process; false makes it insert-only (an
	// API-only process, WORKERS=false).
	Workers bool
	// Concurrency is how many jobs run at once in this process. Default 10.
	Concurrency int
	// MaxAttempts is how often a job is tried before it is discarded.
	// Default 12 (about an hour and a half of backoff with the default base).
	MaxAttempts int
	// RetryBase is the first retry's delay; each next one doubles (with
	// jitter), at most RetryMax. Defaults 2 s and 1 h.
	RetryBase, RetryMax time.Duration
	// PollInterval is how often workers look for jobs when no notification
	// came (scheduled jobs, missed notifications). Default 1 s.
	PollInterval time.Duration
	// RescueAfter is how long a job may run before another worker takes it
	// as lost (its process died). Default 1 min.
	RescueAfter time.Duration
	// InsertNotifyCooldown is the shortest time between two insert
	// notifications of this process (River sends at most one per queue per
	// cooldown: an insert inside it wakes no worker and waits for the next
	// poll). Default 1 ms, River's minimum: every commit that is not within a
	// millisecond of the last wakes the workers. Benchmarks compare it with
	// River's throttle.
	InsertNotifyCooldown time.Duration
	// River keeps its own (real) clock: a test's fixed clock would stop
	// retries and rescues. Schedule with InsertOpts.ScheduledAt.
	Logger *slog.Logger
	// Metrics counts failed attempts by job kind (nil: none).
	Metrics *metrics.Metrics
}

// Outbox inserts jobs inside GORM transactions and runs them.
type Outbox struct {
	opts    Options
	db      *gorm.DB
	workers *river.Workers
	insert  *river.Client[*sql.Tx]

	mu      sync.Mutex
	kinds   int // workers registered
	started bool
	pool    *pgxpool.Pool
	work    *river.Client[pgx.Tx]
}

// New returns the outbox of db. Register workers, then Start.
func New(db *gorm.DB, opts Options) (*Outbox, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 10
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 12
	}
	if opts.RetryBase <= 0 {
		opts.RetryBase = 2 * time.Second
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = time.Hour
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	if opts.RescueAfter <= 0 {
		opts.RescueAfter = time.Minute
	}
	if opts.InsertNotifyCooldown <= 0 {
		opts.InsertNotifyCooldown = time.Millisecond
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	o := &Outbox{opts: opts, db: db, workers: river.NewWorkers()}
	o.insert, err = river.NewClient(riverdatabasesql.New(sqlDB), o.config(false))
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	return o, nil
}

func (o *Outbox) config(work bool) *river.Config {
	c := &river.Config{
		Workers:     o.workers,
		MaxAttempts: o.opts.MaxAttempts,
		RetryPolicy: &backoff{base: o.opts.RetryBase, max: o.opts.RetryMax},
		Logger:      o.opts.Logger.With("component", "outbox"),
		// The inserting client's cooldown is its insert notifications'
		// throttle (it never fetches): see Options.InsertNotifyCooldown.
		FetchCooldown: o.opts.InsertNotifyCooldown,
	}
	if work {
		// The workers fetch at most once per 20 ms per queue; a
		// notification inside that fetches when it ends.
		c.FetchCooldown = 20 * time.Millisecond
		c.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: o.opts.Concurrency}}
		c.FetchPollInterval = o.opts.PollInterval
		c.RescueStuckJobsAfter = o.opts.RescueAfter
		c.JobTimeout = o.opts.RescueAfter / 2
		c.ErrorHandler = &errorLogger{log: c.Logger, metrics: o.opts.Metrics}
	}
	return c
}

// Register adds the worker of one job kind. Call it before Start; every
// process registers every kind (an insert-only one too, so that an insert of
// an unknown kind fails at once).
func Register[T JobArgs](o *Outbox, w Worker[T]) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.started {
		panic("outbox: Register after Start")
	}
	river.AddWorker(o.workers, w)
	o.kinds++
}

// Enqueue inserts a job inside tx, the caller's GORM transaction: the job
// exists exactly when tx commits, and a rolled-back tx leaves none. tx must
// be a transaction (db.Transaction's argument).
func (o *Outbox) Enqueue(ctx context.Context, tx *gorm.DB, args JobArgs, opts *InsertOpts) error {
	sqlTx, err := sqlTxOf(tx)
	if err != nil {
		return err
	}
	if _, err := o.insert.InsertTx(ctx, sqlTx, args, opts); err != nil {
		return fmt.Errorf("outbox: enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

// EnqueueMany inserts several jobs inside tx in one statement (see Enqueue).
func (o *Outbox) EnqueueMany(ctx context.Context, tx *gorm.DB, jobs []JobArgs, opts *InsertOpts) error {
	if len(jobs) == 0 {
		return nil
	}
	sqlTx, err := sqlTxOf(tx)
	if err != nil {
		return err
	}
	params := make([]river.InsertManyParams, len(jobs))
	for i, j := range jobs {
		params[i] = river.InsertManyParams{Args: j, InsertOpts: opts}
	}
	if _, err := o.insert.InsertManyFastTx(ctx, sqlTx, params); err != nil {
		return fmt.Errorf("outbox: enqueue %d jobs: %w", len(jobs), err)
	}
	return nil
}

// CancelScheduled drops, inside tx, the jobs of kind not yet started whose
// args have field equal to value (for example the reminders of a case whose
// deadline changed). It returns how many it dropped.
func (o *Outbox) CancelScheduled(tx *gorm.DB, kind, field, value string) (int64, error) {
	if _, err := sqlTxOf(tx); err != nil {
		return 0, err
	}
	res := tx.Exec(CancelStatement(kind, field), value)
	return res.RowsAffected, res.Error
}

// CancelStatement is CancelScheduled's statement, value its one parameter.
// kind and field (the caller's constants) are written in as literals, so
// that a partial expression index on (args ->> field) WHERE kind = kind
// serves it even in a generic plan (migration 00020 has the deadline
// reminders' one): a parameter would leave the planner only the kind's
// index, every job of the kind.
func CancelStatement(kind, field string) string {
	return `DELETE FROM river_job WHERE kind = ` + literal(kind) +
		` AND state IN ('scheduled', 'available', 'retryable') AND args ->> ` + literal(field) + ` = ?`
}

// literal quotes s as a SQL string literal (standard_conforming_strings, as
// PostgreSQL has by default: only the quote is doubled).
func literal(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func sqlTxOf(tx *gorm.DB) (*sql.Tx, error) {
	if tx == nil || tx.Statement == nil {
		return nil, errors.New("outbox: no transaction")
	}
	sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
	if w, wrapped := tx.Statement.ConnPool.(interface{ SQLTx() *sql.Tx }); wrapped {
		sqlTx, ok = w.SQLTx(), true // database.Open's pool wraps its transactions
	}
	if !ok {
		return nil, errors.New("outbox: Enqueue must run inside a transaction (db.Transaction)")
	}
	return sqlTx, nil
}

// Start starts this process's workers (unless Options.Workers is false). It
// returns once they run; Stop ends them.
func (o *Outbox) Start(ctx context.Context) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.started {
		return nil
	}
	o.started = true
	if !o.opts.Workers || o.kinds == 0 {
		return nil
	}
	cfg, err := pgxpool.ParseConfig(o.opts.DatabaseURL)
	if err != nil {
		return fmt.Errorf("outbox: DATABASE_URL: %w", err)
	}
	// The producer, the notifier's LISTEN, the leader's maintenance and
	// completions: a few connections, whatever the concurrency.
	cfg.MaxConns = int32(min(o.opts.Concurrency, 4) + 2)
	cfg.ConnConfig.RuntimeParams["application_name"] = "mlp-outbox"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	work, err := river.NewClient(riverpgxv5.New(pool), o.config(true))
	if err != nil {
		pool.Close()
		return fmt.Errorf("outbox: %w", err)
	}
	// Start's context only bounds the start; Stop ends the workers.
	if err := work.Start(context.WithoutCancel(ctx)); err != nil {
		pool.Close()
		return fmt.Errorf("outbox: %w", err)
	}
	o.pool, o.work = pool, work
	return nil
}

// Stop lets running jobs finish (at most until ctx ends, then cancels them)
// and closes the workers' pool. Jobs not finished are run again later, by
// this process after a restart or by another one.
func (o *Outbox) Stop(ctx context.Context) error {
	o.mu.Lock()
	work, pool := o.work, o.pool
	o.work, o.pool = nil, nil
	o.mu.Unlock()
	if work == nil {
		return nil
	}
	err := work.Stop(ctx)
	if err != nil {
		_ = work.StopAndCancel(context.Background())
	}
	pool.Close()
	return err
}

// backoff is exponential: base, 2·base, 4·base, ... at most max, each with
// up to 20% jitter so that many failed jobs do not return at once.
type backoff struct{ base, max time.Duration }

func (b *backoff) NextRetry(job *rivertype.JobRow) time.Time {
	attempt := max(len(job.Errors)+1, job.Attempt, 1)
	d := float64(b.base) * math.Pow(2, float64(attempt-1))
	if d > float64(b.max) || math.IsInf(d, 0) {
		d = float64(b.max)
	}
	d += d * 0.2 * rand.Float64()
	return time.Now().Add(time.Duration(d))
}

// errorLogger logs a failed attempt by kind and id only: an error's text
// may come from a provider and is kept in river_job, not in the logs.
type errorLogger struct {
	log     *slog.Logger
	metrics *metrics.Metrics
}

func (h *errorLogger) HandleError(ctx context.Context, job *rivertype.JobRow, err error) *river.ErrorHandlerResult {
	h.log.WarnContext(ctx, "outbox: job failed", "kind", job.Kind, "job", job.ID, "attempt", job.Attempt)
	h.metrics.JobFailed(job.Kind)
	return nil
}

func (h *errorLogger) HandlePanic(ctx context.Context, job *rivertype.JobRow, panicVal any, trace string) *river.ErrorHandlerResult {
	h.log.ErrorContext(ctx, "outbox: job panicked", "kind", job.Kind, "job", job.ID, "attempt", job.Attempt)
	h.metrics.JobFailed(job.Kind)
	return nil
}
