// Command loadgen measures the API under load on loopback.
//
//	loadgen seed   fills DATABASE_URL with the load data set: one legal-aid
//	               partner, 200 patients, 10,000 cases, 50,000 timeline events
//	loadgen run    signs the patients in and sends "a patient's 50 newest
//	               cases, each with organization and first 10 events" from
//	               -c connections for -d, then prints requests/s and latency
//	               percentiles
//	loadgen sql    asks PostgreSQL (DATABASE_URL) for the same data as one
//	               prepared statement per request, from -c connections, and
//	               prints the same figures: the ceiling that the database
//	               alone reaches on this machine, to read `run` against
//	loadgen floor  asks PostgreSQL for the same answer, the JSON of data, as
//	               the one prepared statement the compiled read path runs
//	               (graph/compiled's plan of the measured query), from -c
//	               connections: the database's own floor for the case list
//	loadgen compare  runs `run` and `floor` alternately, -rounds times (3),
//	               each for -d, and prints each pair and its ratio
//
// Every request goes to the -url given (default http://127.0.0.1:8080/graphql);
// it is meant for a server on this machine. Requests are bounded by -d and -n.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/vektah/gqlparser/v2"

	"mlp/graph"
	"mlp/graph/compiled"
	"mlp/internal/auth"
	"mlp/internal/config"
	"mlp/internal/loadtest"
	"mlp/models"
)

// The load patients' sign-in (the data set is loadtest's).
const (
	password     = "loadgen-password-2026"
	emailPattern = "loadgen-patient-%03d@load.test"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: loadgen seed | loadgen run [-url U] [-c 16] [-d 30s] | loadgen sql|floor [-c 16] [-d 30s] | loadgen compare [-url U] [-rounds 3] [-d 15s]")
	}
	switch args[0] {
	case "seed":
		cfg, err := config.Load(os.Getenv)
		if err != nil {
			return err
		}
		return seed(ctx, cfg.DatabaseURL)
	case "run", "sql", "floor", "compare":
		fs := flag.NewFlagSet(args[0], flag.ExitOnError)
		rounds := fs.Int("rounds", 3, "compare: rounds of run then floor")
		url := fs.String("url", "http://127.0.0.1:8080/graphql", "GraphQL endpoint on this machine (run)")
		var w window
		fs.IntVar(&w.conns, "c", 16, "concurrent connections")
		fs.DurationVar(&w.dur, "d", 30*time.Second, "how long to send requests")
		fs.IntVar(&w.maxReq, "n", 2_000_000, "stop after this many requests")
		fs.DurationVar(&w.warm, "warmup", 3*time.Second, "requests sent before measuring")
		_ = fs.Parse(args[1:])
		if args[0] == "run" {
			_, err := load(ctx, *url, w)
			return err
		}
		cfg, err := config.Load(os.Getenv)
		if err != nil {
			return err
		}
		switch args[0] {
		case "floor":
			_, err := loadFloor(ctx, cfg.DatabaseURL, w)
			return err
		case "compare":
			return compare(ctx, *url, cfg.DatabaseURL, w, *rounds)
		}
		_, err = loadSQL(ctx, cfg.DatabaseURL, w)
		return err
	}
	return fmt.Errorf("unknown command %q", args[0])
}

// seed inserts the data set in a few set-based statements. It does nothing
// when the load patients exist already.
func seed(ctx context.Context, url string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM users WHERE email LIKE 'loadgen-patient-%'`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		fmt.Println("load data present:", n, "patients")
		return nil
	}
	hash, err := auth.HashPassword(password, auth.DefaultArgon2)
	if err != nil {
		return err
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	steps := []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO organizations (name, kind, service_areas, categories)
		  VALUES ('Loadgen Legal Aid', 'LEGAL_AID', '{CA}', '{HOUSING,PUBLIC_BENEFITS,EMPLOYMENT,MEDICAL_DEBT}')`, nil},
		{`INSERT INTO users (email, password_hash, display_name, role, preferred_language)
		  SELECT format('loadgen-patient-%s@load.test', lpad(i::text, 3, '0')), $1, 'Load patient ' || i, 'PATIENT', 'en'
		  FROM generate_series(0, $2 - 1) AS i`, []any{hash, loadtest.Patients}},
		{`INSERT INTO cases (reference, patient_id, idempotency_key, category, description, status, jurisdiction,
		                     deadline, organization_id, created_at, updated_at)
		  SELECT format('MLP-2019-%s', lpad((p.n * $1 + c)::text, 6, '0')), p.id, 'load-' || c,
		         (ARRAY['HOUSING','PUBLIC_BENEFITS','EMPLOYMENT','MEDICAL_DEBT'])[1 + c % 4],
		         'My landlord gave me a notice and I do not know what to do. Case ' || c,
		         (ARRAY['SUBMITTED','RECEIVED','ACCEPTED','IN_PROGRESS','RESOLVED'])[1 + c % 5],
		         'CA', CASE WHEN c % 7 = 0 THEN current_date + (c % 30) END,
		         (SELECT id FROM organizations WHERE name = 'Loadgen Legal Aid'),
		         now() - make_interval(hours => c * 7), now() - make_interval(hours => c * 7)
		  FROM (SELECT id, row_number() OVER (ORDER BY email) - 1 AS n FROM users WHERE email LIKE 'loadgen-patient-%') p,
		       generate_series(0, $1 - 1) AS c`, []any{loadtest.CasesPerPatient}},
		{`INSERT INTO case_events (case_id, kind, from_status, to_status, message, actor_role, visible_to_patient, created_at)
		  SELECT c.id,
		         CASE WHEN e = 0 THEN 'CREATED' WHEN e % 2 = 1 THEN 'STATUS_CHANGED' ELSE 'MESSAGE' END,
		         CASE WHEN e % 2 = 1 THEN 'SUBMITTED' END, CASE WHEN e % 2 = 1 THEN 'RECEIVED' END,
		         'Timeline entry ' || e, CASE WHEN e = 0 THEN 'PATIENT' ELSE 'ADVOCATE' END, true,
		         c.created_at + make_interval(mins => e)
		  FROM cases c JOIN users u ON u.id = c.patient_id AND u.email LIKE 'loadgen-patient-%',
		       generate_series(0, $1 - 1) AS e`, []any{loadtest.EventsPerCase}},
	}
	for _, s := range steps {
		if _, err := tx.Exec(ctx, s.sql, s.args...); err != nil {
			return err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	_, err = conn.Exec(ctx, `ANALYZE`)
	fmt.Printf("seeded %d patients, %d cases, %d events\n", loadtest.Patients, loadtest.Patients*loadtest.CasesPerPatient, loadtest.Patients*loadtest.CasesPerPatient*loadtest.EventsPerCase)
	return err
}

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message string `json:"message"`
	} `json:"errors"`
}

func post(ctx context.Context, c *http.Client, url, token string, body []byte) (*gqlResponse, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var r gqlResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, raw)
	}
	if len(r.Errors) > 0 {
		return &r, errors.New(r.Errors[0].Message)
	}
	return &r, nil
}

// measured sends one measured request. It reads the whole answer but checks
// it cheaply (an HTTP 200 whose body starts with data, as gqlgen writes
// errors first), so that the load generator, which shares the machine's
// cores with the server and PostgreSQL, spends little on each answer.
func measured(ctx context.Context, c *http.Client, url, token string, body []byte, buf *bytes.Buffer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	buf.Reset()
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || !bytes.HasPrefix(buf.Bytes(), []byte(`{"data":{"myCases":{"edges":[{`)) {
		return fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, buf.Bytes())
	}
	return nil
}

func login(ctx context.Context, c *http.Client, url string) ([]string, error) {
	tokens := make([]string, loadtest.Patients)
	var wg sync.WaitGroup
	errs := make([]error, loadtest.Patients)
	sem := make(chan struct{}, 4)
	for i := range loadtest.Patients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			body, _ := json.Marshal(map[string]any{
				"query":     `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`,
				"variables": map[string]any{"e": fmt.Sprintf(emailPattern, i), "p": password},
			})
			r, err := post(ctx, c, url, "", body)
			if err != nil {
				errs[i] = fmt.Errorf("login %d: %w (run `loadgen seed` first)", i, err)
				return
			}
			var d struct{ Login struct{ AccessToken string } }
			errs[i] = json.Unmarshal(r.Data, &d)
			tokens[i] = d.Login.AccessToken
		}()
	}
	wg.Wait()
	return tokens, errors.Join(errs...)
}

// window says how a measurement runs: conns workers send requests for warm
// (not measured) and then for dur, at most maxReq in all.
type window struct {
	conns, maxReq int
	dur, warm     time.Duration
}

// load measures the API: each worker sends loadtest.Query for a random patient.
func load(ctx context.Context, url string, w window) (float64, error) {
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: w.conns, MaxConnsPerHost: w.conns, DisableCompression: true},
	}
	tokens, err := login(ctx, client, url)
	if err != nil {
		return 0, err
	}
	body, _ := json.Marshal(map[string]any{"query": loadtest.Query, "operationName": "Load"})
	return measure(ctx, w, func(int) (func(*rand.Rand) error, func(), error) {
		buf := &bytes.Buffer{}
		return func(rng *rand.Rand) error {
			return measured(ctx, client, url, tokens[rng.IntN(len(tokens))], body, buf)
		}, func() {}, nil
	})
}

// loadSQL measures PostgreSQL alone: each worker holds one connection and
// runs loadtest.SQL (prepared once per connection) for a random load patient, reading
// every row.
func loadSQL(ctx context.Context, url string, w window) (float64, error) {
	ids, err := patientIDs(ctx, url)
	if err != nil {
		return 0, err
	}
	return measure(ctx, w, func(int) (func(*rand.Rand) error, func(), error) {
		c, err := pgx.Connect(ctx, url)
		if err != nil {
			return nil, nil, err
		}
		return func(rng *rand.Rand) error {
				rows, err := c.Query(ctx, loadtest.SQL, ids[rng.IntN(len(ids))])
				if err != nil {
					return err
				}
				n := 0
				for rows.Next() {
					n++
				}
				rows.Close()
				if err := rows.Err(); err != nil {
					return err
				}
				if n == 0 {
					return errors.New("no rows")
				}
				return nil
			}, func() {
				c.Close(context.Background())
			}, nil
	})
}

// measure runs w.conns workers made by newWorker (which returns the request
// function and a clean-up) and prints requests/s and latency percentiles of
// the requests started after the warm-up.
func measure(ctx context.Context, w window, newWorker func(worker int) (func(*rand.Rand) error, func(), error)) (float64, error) {
	var (
		sent     atomic.Int64
		failures atomic.Int64
		mu       sync.Mutex
		lat      []time.Duration
		errs     = make([]error, w.conns)
	)
	measureFrom := time.Now().Add(w.warm)
	deadline := measureFrom.Add(w.dur)
	var wg sync.WaitGroup
	for i := range w.conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			do, done, err := newWorker(i)
			if err != nil {
				errs[i] = err
				return
			}
			defer done()
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			local := make([]time.Duration, 0, 4096)
			for ctx.Err() == nil && sent.Add(1) <= int64(w.maxReq) {
				start := time.Now()
				if start.After(deadline) {
					break
				}
				err := do(rng)
				if start.Before(measureFrom) {
					continue
				}
				if err != nil {
					if failures.Add(1) == 1 {
						fmt.Fprintln(os.Stderr, "first failure:", err)
					}
					continue
				}
				local = append(local, time.Since(start))
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return 0, err
	}
	if len(lat) == 0 {
		return 0, errors.New("no successful request")
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(float64(len(lat))*p))] }
	fmt.Printf("connections %d, measured %s: %d requests, %d failed\n", w.conns, w.dur, len(lat), failures.Load())
	fmt.Printf("throughput %.0f requests/s\n", float64(len(lat))/w.dur.Seconds())
	fmt.Printf("latency p50 %s  p90 %s  p99 %s  max %s\n", pct(0.50), pct(0.90), pct(0.99), lat[len(lat)-1])
	return float64(len(lat)) / w.dur.Seconds(), nil
}

// patientIDs reads the load patients' ids.
func patientIDs(ctx context.Context, url string) ([]uuid.UUID, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT id FROM users WHERE email LIKE 'loadgen-patient-%' ORDER BY email`)
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err == nil && len(ids) == 0 {
		err = errors.New("no load patients (run `loadgen seed` first)")
	}
	return ids, err
}

// loadFloor measures PostgreSQL answering the measured query alone, as the
// compiled read path asks it: the plan graph/compiled makes of
// loadtest.Query, one prepared statement (pgx prepares and caches it per
// connection) returning the JSON of data, for a random load patient.
func loadFloor(ctx context.Context, url string, w window) (float64, error) {
	ids, err := patientIDs(ctx, url)
	if err != nil {
		return 0, err
	}
	doc, gerr := gqlparser.LoadQuery(graph.NewExecutableSchema(graph.Config{}).Schema(), loadtest.Query)
	if gerr != nil {
		return 0, gerr
	}
	patient := func(id uuid.UUID) *auth.Principal { return &auth.Principal{ID: id, Role: models.RolePatient} }
	plan, err := compiled.Compile(doc, "Load", nil, patient(ids[0]), compiled.Services{})
	if err != nil {
		return 0, err
	}
	args := make([][]any, len(ids))
	for i, id := range ids {
		a, ok := plan.Args(nil, patient(id), time.Now())
		if !ok {
			return 0, errors.New("the plan refused its arguments")
		}
		args[i] = a
	}
	return measure(ctx, w, func(int) (func(*rand.Rand) error, func(), error) {
		c, err := pgx.Connect(ctx, url)
		if err != nil {
			return nil, nil, err
		}
		var data []byte
		var fallback bool
		var read *string // the cases a staff read audits: none for a patient
		return func(rng *rand.Rand) error {
				if err := c.QueryRow(ctx, plan.SQL(), args[rng.IntN(len(args))]...).Scan(&data, &fallback, &read); err != nil {
					return err
				}
				if fallback || !bytes.HasPrefix(data, []byte(`{"myCases":{"edges":[{`)) {
					return fmt.Errorf("unexpected answer %.100s", data)
				}
				return nil
			}, func() {
				c.Close(context.Background())
			}, nil
	})
}

// compare runs the API (run) and the database's floor alternately, rounds
// times, and prints each round's throughputs and their ratio: figures of a
// shared, noisy machine compare only side by side.
func compare(ctx context.Context, url, dbURL string, w window, rounds int) error {
	var ratios []float64
	for r := range rounds {
		fmt.Printf("-- round %d: run\n", r+1)
		api, err := load(ctx, url, w)
		if err != nil {
			return err
		}
		fmt.Printf("-- round %d: floor\n", r+1)
		floor, err := loadFloor(ctx, dbURL, w)
		if err != nil {
			return err
		}
		ratios = append(ratios, api/floor)
		fmt.Printf("-- round %d: run %.0f/s, floor %.0f/s, run = %.0f%% of the floor\n", r+1, api, floor, 100*api/floor)
	}
	slices.Sort(ratios)
	fmt.Printf("run/floor over %d rounds: min %.0f%%, median %.0f%%, max %.0f%%\n", rounds,
		100*ratios[0], 100*ratios[len(ratios)/2], 100*ratios[len(ratios)-1])
	return nil
}
