package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"mlp/internal/database/dbtest"
	"mlp/internal/metrics"
	"mlp/internal/outbox"
)

// testArgs is a job of the tests; Run tells which test enqueued it, so that
// a test counts only its own deliveries.
type testArgs struct {
	Run string `json:"run"`
	N   int    `json:"n"`
}

func (testArgs) Kind() string { return "outbox_test" }

// recorder is the "sender" of the tests: it counts deliveries per job and
// fails the first failFirst attempts of each.
type recorder struct {
	outbox.WorkerDefaults[testArgs]
	mu        sync.Mutex
	attempts  map[string]int
	delivered map[string]int
	failFirst int
	by        map[string]string // job -> the instance that delivered it
	instance  string
	shared    *recorder // instances of one test share the counts
}

func newRecorder(failFirst int) *recorder {
	return &recorder{attempts: map[string]int{}, delivered: map[string]int{}, by: map[string]string{}, failFirst: failFirst}
}

// as returns a worker that records into r under the name instance.
func (r *recorder) as(instance string) *recorder {
	return &recorder{instance: instance, shared: r}
}

func (w *recorder) Work(ctx context.Context, job *outbox.Job[testArgs]) error {
	r := w
	if w.shared != nil {
		r = w.shared
	}
	key := fmt.Sprintf("%s/%d", job.Args.Run, job.Args.N)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts[key]++
	if r.attempts[key] <= r.failFirst {
		return errors.New("provider unavailable")
	}
	r.delivered[key]++
	r.by[key] = w.instance
	return nil
}

func (r *recorder) count(run string, n int) (delivered, attempts int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	key := fmt.Sprintf("%s/%d", run, n)
	return r.delivered[key], r.attempts[key]
}

func (r *recorder) total(run string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for k, v := range r.delivered {
		if len(k) > len(run) && k[:len(run)+1] == run+"/" {
			n += v
		}
	}
	return n
}

func newOutbox(t *testing.T, db *gorm.DB, workers bool, w outbox.Worker[testArgs]) *outbox.Outbox {
	t.Helper()
	return newMeteredOutbox(t, db, workers, w, nil)
}

func newMeteredOutbox(t *testing.T, db *gorm.DB, workers bool, w outbox.Worker[testArgs], m *metrics.Metrics) *outbox.Outbox {
	t.Helper()
	o, err := outbox.New(db, outbox.Options{
		Metrics:      m,
		DatabaseURL:  dbtest.URL(t),
		Workers:      workers,
		RetryBase:    20 * time.Millisecond,
		RetryMax:     100 * time.Millisecond,
		PollInterval: 200 * time.Millisecond,
		RescueAfter:  2 * time.Second,
		Logger:       slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	outbox.Register(o, w)
	if err := o.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = o.Stop(context.Background()) })
	return o
}

func enqueue(t *testing.T, db *gorm.DB, o *outbox.Outbox, run string, ns ...int) {
	t.Helper()
	err := db.Transaction(func(tx *gorm.DB) error {
		for _, n := range ns {
			if err := o.Enqueue(context.Background(), tx, testArgs{Run: run, N: n}, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func jobsOf(t *testing.T, db *gorm.DB, run string) (n int64) {
	t.Helper()
	if err := db.Raw(`SELECT count(*) FROM river_job WHERE kind = 'outbox_test' AND args ->> 'run' = ?`, run).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// The tests of this file share one database and one job kind, so they run
// one after another; each counts only the jobs of its own run.

func TestRolledBackTransactionEnqueuesNothing(t *testing.T) {
	db := dbtest.Open(t)
	rec := newRecorder(0)
	o := newOutbox(t, db, true, rec)
	boom := errors.New("the change failed")
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := o.Enqueue(context.Background(), tx, testArgs{Run: "rollback", N: 1}, nil); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("transaction: %v", err)
	}
	// A committed job after it, to know the workers had their chance.
	enqueue(t, db, o, "rollback-witness", 1)
	waitFor(t, "the witness job", func() bool { d, _ := rec.count("rollback-witness", 1); return d == 1 })
	if n := jobsOf(t, db, "rollback"); n != 0 {
		t.Fatalf("%d jobs stored for a rolled-back transaction", n)
	}
	if d, a := rec.count("rollback", 1); d != 0 || a != 0 {
		t.Fatalf("rolled-back job ran: %d deliveries, %d attempts", d, a)
	}
}

func TestEnqueueOutsideATransactionIsRefused(t *testing.T) {
	db := dbtest.Open(t)
	o := newOutbox(t, db, false, newRecorder(0))
	if err := o.Enqueue(context.Background(), db, testArgs{Run: "notx"}, nil); err == nil {
		t.Fatal("Enqueue outside a transaction succeeded")
	}
}

func TestFailingTwiceThenSucceedingDeliversOnce(t *testing.T) {
	db := dbtest.Open(t)
	rec := newRecorder(2)
	m := metrics.New(nil)
	o := newMeteredOutbox(t, db, true, rec, m)
	enqueue(t, db, o, "retry", 1)
	waitFor(t, "the delivery", func() bool { d, _ := rec.count("retry", 1); return d == 1 })
	// Give a wrong second delivery its chance to show.
	time.Sleep(300 * time.Millisecond)
	if d, a := rec.count("retry", 1); d != 1 || a != 3 {
		t.Fatalf("got %d deliveries in %d attempts, want 1 in 3", d, a)
	}
	var state string
	db.Raw(`SELECT state FROM river_job WHERE kind = 'outbox_test' AND args ->> 'run' = 'retry'`).Scan(&state)
	if state != "completed" {
		t.Fatalf("job state %q, want completed", state)
	}
	if n := jobFailures(t, m, "outbox_test"); n != 2 {
		t.Fatalf("mlp_outbox_job_failures_total{kind=outbox_test} = %v, want 2", n)
	}
}

// jobFailures reads mlp_outbox_job_failures_total of kind from m.
func jobFailures(t *testing.T, m *metrics.Metrics, kind string) float64 {
	t.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != "mlp_outbox_job_failures_total" {
			continue
		}
		for _, s := range f.Metric {
			for _, l := range s.Label {
				if l.GetName() == "kind" && l.GetValue() == kind {
					return s.Counter.GetValue()
				}
			}
		}
	}
	return 0
}

func TestStoppedWorkersJobsAreSentAfterRestart(t *testing.T) {
	db := dbtest.Open(t)
	rec := newRecorder(0)
	api := newOutbox(t, db, false, rec.as("api"))
	w := newOutbox(t, db, true, rec.as("first"))
	if err := w.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	enqueue(t, db, api, "restart", 1, 2, 3)
	time.Sleep(300 * time.Millisecond)
	if n := rec.total("restart"); n != 0 {
		t.Fatalf("%d jobs sent while no worker ran", n)
	}
	newOutbox(t, db, true, rec.as("restarted"))
	waitFor(t, "the jobs after the restart", func() bool { return rec.total("restart") == 3 })
}
