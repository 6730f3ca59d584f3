package outbox_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"mlp/internal/database"
	"mlp/internal/database/dbtest"
	"mlp/internal/outbox"
)

// The environment of a worker process started by
// TestTwoWorkerProcessesSendEachJobOnce: the database it works on and its
// name.
const (
	childDB   = "OUTBOX_TEST_WORKER_DB"
	childName = "OUTBOX_TEST_WORKER_NAME"
)

// deliveryWorker records each run of a job as a row of
// outbox_test_deliveries, with the process that ran it: a job run twice
// (by two processes, or twice by one) leaves two rows.
type deliveryWorker struct {
	outbox.WorkerDefaults[testArgs]
	db      *gorm.DB
	process string
}

func (w *deliveryWorker) Work(ctx context.Context, job *outbox.Job[testArgs]) error {
	return w.db.WithContext(ctx).Exec(`INSERT INTO outbox_test_deliveries (run, n, process, pid) VALUES (?, ?, ?, ?)`,
		job.Args.Run, job.Args.N, w.process, os.Getpid()).Error
}

// TestWorkerProcess is the body of a worker process (it runs only when
// started by TestTwoWorkerProcessesSendEachJobOnce): it starts the outbox's
// workers on the parent's database, says "ready", and stops when its stdin
// closes.
func TestWorkerProcess(t *testing.T) {
	url := os.Getenv(childDB)
	if url == "" {
		t.Skip("a worker process of TestTwoWorkerProcessesSendEachJobOnce")
	}
	db, err := database.Open(context.Background(), database.Options{URL: url, MaxConns: 4, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	o, err := outbox.New(db, outbox.Options{DatabaseURL: url, Workers: true, PollInterval: 200 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	outbox.Register(o, &deliveryWorker{db: db, process: os.Getenv(childName)})
	if err := o.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	fmt.Println("ready")
	done := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := o.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestTwoWorkerProcessesSendEachJobOnce starts two OS processes (this test
// binary again, running TestWorkerProcess) whose outbox workers share this
// package's database, as two server instances do; this process only inserts
// (an API-only instance, WORKERS=false). Every job runs exactly once, and
// both processes take part.
func TestTwoWorkerProcessesSendEachJobOnce(t *testing.T) {
	db := dbtest.Open(t)
	if err := db.Exec(`CREATE TABLE outbox_test_deliveries (run text NOT NULL, n int NOT NULL, process text NOT NULL, pid int NOT NULL)`).Error; err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "b"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestWorkerProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), childDB+"="+dbtest.URL(t), childName+"="+name)
		cmd.Stderr = os.Stderr
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		lines := bufio.NewScanner(stdout)
		ready := make(chan bool, 1)
		go func() {
			ok := false
			for lines.Scan() {
				if !ok && strings.TrimSpace(lines.Text()) == "ready" {
					ok = true
					ready <- true
				}
			}
			if !ok {
				ready <- false
			}
			exited <- cmd.Wait()
		}()
		t.Cleanup(func() {
			_ = stdin.Close() // the process stops its workers and exits
			select {
			case err := <-exited:
				if err != nil {
					t.Errorf("worker process %s: %v", name, err)
				}
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				t.Errorf("worker process %s did not stop", name)
			}
		})
		select {
		case ok := <-ready:
			if !ok {
				t.Fatalf("worker process %s ended before it was ready", name)
			}
		case <-time.After(60 * time.Second):
			t.Fatalf("worker process %s not ready", name)
		}
	}

	api := newOutbox(t, db, false, &deliveryWorker{db: db, process: "api"})
	const jobs, batch = 400, 20
	for b := range jobs / batch {
		ns := make([]int, batch)
		for i := range ns {
			ns[i] = b*batch + i
		}
		enqueue(t, db, api, "processes", ns...)
		time.Sleep(10 * time.Millisecond)
	}
	count := func(q string) (n int64) {
		if err := db.Raw(q).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	waitFor(t, "every job", func() bool {
		return count(`SELECT count(DISTINCT n) FROM outbox_test_deliveries WHERE run = 'processes'`) == jobs
	})
	time.Sleep(500 * time.Millisecond) // a second run of some job would show now
	if twice := count(`SELECT count(*) FROM (SELECT n FROM outbox_test_deliveries WHERE run = 'processes' GROUP BY n HAVING count(*) > 1) d`); twice != 0 {
		t.Fatalf("%d jobs ran more than once", twice)
	}
	if all := count(`SELECT count(*) FROM outbox_test_deliveries WHERE run = 'processes'`); all != jobs {
		t.Fatalf("%d runs of %d jobs", all, jobs)
	}
	var split []struct {
		Process string
		Pid     int
		Runs    int
	}
	db.Raw(`SELECT process, pid, count(*) AS runs FROM outbox_test_deliveries WHERE run = 'processes' GROUP BY process, pid ORDER BY process`).Scan(&split)
	if len(split) != 2 || split[0].Pid == split[1].Pid || split[0].Pid == os.Getpid() || split[1].Pid == os.Getpid() {
		t.Fatalf("jobs ran in %+v, want both worker processes (and not this one, pid %d)", split, os.Getpid())
	}
	t.Logf("jobs per worker process: %s %d (pid %d), %s %d (pid %d)", split[0].Process, split[0].Runs, split[0].Pid,
		split[1].Process, split[1].Runs, split[1].Pid)
}
