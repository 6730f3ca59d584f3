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
//	               each for -d, and prints each pair and its ratio; with
//	               -ops cases,queue,guides every operation in turn, and
//	               with -url a,b several servers side by side (e.g. two
//	               builds), each against the same floor
//
// -op picks the measured read (run, floor): cases (a patient's 50 newest
// cases, each with organization and first 10 events; the default), queue
// (an advocate's caseQueue(first: 50) with the same fields) or guides
// (guides(first: 20) with a search, for a patient). -pid names the server's
// process (one per -url): its CPU per request over the measured window and
// its RSS at the end are printed too (Linux /proc).
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
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/vektah/gqlparser/v2"

	"mlp/graph"
	"mlp/graph/compiled"
	"mlp/internal/auth"
	"mlp/internal/cases"
	"mlp/internal/config"
	"mlp/internal/database"
	"mlp/internal/guides"
	"mlp/internal/loadtest"
	"mlp/models"
)

// The load users' sign-in (the data set is loadtest's).
const (
	password      = "loadgen-password-2026"
	emailPattern  = "loadgen-patient-%03d@load.test"
	advocatesSeed = 16
	advocateEmail = "loadgen-advocate-%02d@load.test"
	guidesSeed    = 2000
)

// operation is one measured read: its document (operation Load), who sends
// it, its variables, and how a good answer starts (checked cheaply).
type operation struct {
	name   string
	query  string
	role   models.Role
	vars   func(rng *rand.Rand) map[string]any
	prefix string
}

// searches are what the guides operation looks for; every one matches.
var searches = []string{"eviction notice", "landlord", "food benefits", "unpaid wages", "medical debt", "utility shutoff"}

var operations = map[string]operation{
	"cases": {name: "cases", query: loadtest.Query, role: models.RolePatient, prefix: `{"data":{"myCases":{"edges":[{`},
	"queue": {name: "queue", role: models.RoleAdvocate, prefix: `{"data":{"caseQueue":{"edges":[{`,
		query: `query Load { caseQueue(first: 50) { edges { node { id reference status category urgent deadline
  organization { id name }
  timeline(first: 10) { edges { node { id kind toStatus message createdAt } } } } } } }`},
	"guides": {name: "guides", role: models.RolePatient, prefix: `{"data":{"guides":{"totalCount":`,
		query: `query Load($search: String!) { guides(filter: {search: $search}, first: 20) { totalCount
  edges { cursor node { id slug locale title summary category readingGrade publishedAt } } } }`,
		vars: func(rng *rand.Rand) map[string]any {
			return map[string]any{"search": searches[rng.IntN(len(searches))]}
		}},
}

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
		return errors.New("usage: loadgen seed | loadgen run [-url U] [-op cases|queue|guides] [-pid N] [-c 16] [-d 30s] | loadgen sql|floor [-op O] [-c 16] [-d 30s] | loadgen compare [-url U[,U2]] [-pid N[,N2]] [-ops cases,queue,guides] [-rounds 3] [-d 15s]")
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
		url := fs.String("url", "http://127.0.0.1:8080/graphql", "GraphQL endpoint on this machine (run); compare: a comma-separated list")
		opName := fs.String("op", "cases", "the measured read: cases, queue or guides")
		opNames := fs.String("ops", "cases", "compare: the reads, comma-separated")
		pids := fs.String("pid", "", "the server's process id (compare: one per -url), for its CPU per request and RSS")
		var w window
		fs.IntVar(&w.conns, "c", 16, "concurrent connections")
		fs.DurationVar(&w.dur, "d", 30*time.Second, "how long to send requests")
		fs.IntVar(&w.maxReq, "n", 2_000_000, "stop after this many requests")
		fs.DurationVar(&w.warm, "warmup", 3*time.Second, "requests sent before measuring")
		_ = fs.Parse(args[1:])
		op, ok := operations[*opName]
		if !ok {
			return fmt.Errorf("unknown -op %q", *opName)
		}
		if args[0] == "run" {
			w.pid, _ = strconv.Atoi(*pids)
			_, err := load(ctx, *url, op, w)
			return err
		}
		cfg, err := config.Load(os.Getenv)
		if err != nil {
			return err
		}
		switch args[0] {
		case "floor":
			_, err := loadFloor(ctx, cfg.DatabaseURL, op, w)
			return err
		case "compare":
			var ops []operation
			for _, n := range strings.Split(*opNames, ",") {
				o, ok := operations[n]
				if !ok {
					return fmt.Errorf("unknown operation %q in -ops", n)
				}
				ops = append(ops, o)
			}
			var pidList []int
			if *pids != "" {
				for _, p := range strings.Split(*pids, ",") {
					n, err := strconv.Atoi(p)
					if err != nil {
						return fmt.Errorf("-pid: %w", err)
					}
					pidList = append(pidList, n)
				}
			}
			return compare(ctx, strings.Split(*url, ","), pidList, cfg.DatabaseURL, ops, w, *rounds)
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
	hash, err := auth.HashPassword(password, auth.DefaultArgon2)
	if err != nil {
		return err
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM users WHERE email LIKE 'loadgen-patient-%'`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		fmt.Println("load data present:", n, "patients")
		return seedReaders(ctx, conn, hash)
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
	fmt.Printf("seeded %d patients, %d cases, %d events\n", loadtest.Patients, loadtest.Patients*loadtest.CasesPerPatient, loadtest.Patients*loadtest.CasesPerPatient*loadtest.EventsPerCase)
	return seedReaders(ctx, conn, hash)
}

// seedReaders adds, once, the queue's advocates (of the load partner, which
// holds every load case) and published guides to search: English and
// Spanish, each on one of the searches' topics.
func seedReaders(ctx context.Context, conn *pgx.Conn, hash string) error {
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM users WHERE email LIKE 'loadgen-advocate-%'`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	steps := []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO users (email, password_hash, display_name, role, preferred_language, organization_id)
		  SELECT format($1, lpad(i::text, 2, '0')), $2, 'Load advocate ' || i, 'ADVOCATE', 'en',
		         (SELECT id FROM organizations WHERE name = 'Loadgen Legal Aid')
		  FROM generate_series(0, $3 - 1) AS i`, []any{strings.Replace(advocateEmail, "%02d", "%s", 1), hash, advocatesSeed}},
		{`WITH g AS (
		    INSERT INTO guides (slug, locale, title, summary, body, category, jurisdictions, reading_grade, status, author_id, published_version, published_at)
		    SELECT 'loadgen-' || i, CASE WHEN i % 4 = 0 THEN 'es' ELSE 'en' END,
		           'Your rights: ' || ($2::text[])[1 + i % cardinality($2::text[])] || ' ' || i,
		           'What to do about ' || ($2::text[])[1 + i % cardinality($2::text[])] || ', step by step.',
		           repeat('If you get a ' || ($2::text[])[1 + i % cardinality($2::text[])] || ' letter, write down the date. ' || md5(i::text) || '. ', 20),
		           (ARRAY['HOUSING','PUBLIC_BENEFITS','EMPLOYMENT','MEDICAL_DEBT','UTILITIES'])[1 + i % 5], ARRAY['US'], 6.5, 'PUBLISHED',
		           (SELECT id FROM users WHERE email LIKE 'loadgen-advocate-%' LIMIT 1), 1, now() - make_interval(mins => i)
		    FROM generate_series(0, $1 - 1) AS i
		    RETURNING *)
		  INSERT INTO published_guides (guide_id, slug, locale, title, summary, body, category, audience, jurisdictions, reading_grade, version, author_id, published_at)
		  SELECT id, slug, locale, title, summary, body, category, audience, jurisdictions, reading_grade, 1, author_id, published_at FROM g`,
			[]any{guidesSeed, searches}},
	}
	for _, s := range steps {
		if _, err := conn.Exec(ctx, s.sql, s.args...); err != nil {
			return err
		}
	}
	_, err := conn.Exec(ctx, `ANALYZE`)
	fmt.Printf("seeded %d advocates, %d guides\n", advocatesSeed, guidesSeed)
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
func measured(ctx context.Context, c *http.Client, url, token string, body []byte, prefix string, buf *bytes.Buffer) error {
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
	if resp.StatusCode != http.StatusOK || !bytes.HasPrefix(buf.Bytes(), []byte(prefix)) {
		return fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, buf.Bytes())
	}
	return nil
}

func login(ctx context.Context, c *http.Client, url string, role models.Role) ([]string, error) {
	pattern, n := emailPattern, loadtest.Patients
	if role == models.RoleAdvocate {
		pattern, n = advocateEmail, advocatesSeed
	}
	tokens := make([]string, n)
	var wg sync.WaitGroup
	errs := make([]error, n)
	sem := make(chan struct{}, 4)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			body, _ := json.Marshal(map[string]any{
				"query":     `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`,
				"variables": map[string]any{"e": fmt.Sprintf(pattern, i), "p": password},
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
	// pid is the server's process (0: none), whose CPU and RSS are read.
	pid int
}

// tokenCache keeps the sign-ins of a server across the rounds of compare
// (argon2 sign-ins cost the shared machine more than a round).
var tokenCache = map[string][]string{}

// load measures the API: each worker sends op for a random user of its role.
func load(ctx context.Context, url string, op operation, w window) (float64, error) {
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: w.conns, MaxConnsPerHost: w.conns, DisableCompression: true},
	}
	key := url + " " + string(op.role)
	tokens, ok := tokenCache[key]
	if !ok {
		var err error
		if tokens, err = login(ctx, client, url, op.role); err != nil {
			return 0, err
		}
		tokenCache[key] = tokens
	}
	bodies := [][]byte{}
	if op.vars == nil {
		b, _ := json.Marshal(map[string]any{"query": op.query, "operationName": "Load"})
		bodies = append(bodies, b)
	} else {
		rng := rand.New(rand.NewPCG(1, 2))
		for range 64 {
			b, _ := json.Marshal(map[string]any{"query": op.query, "operationName": "Load", "variables": op.vars(rng)})
			bodies = append(bodies, b)
		}
	}
	return measure(ctx, w, func(int) (func(*rand.Rand) error, func(), error) {
		buf := &bytes.Buffer{}
		return func(rng *rand.Rand) error {
			return measured(ctx, client, url, tokens[rng.IntN(len(tokens))], bodies[rng.IntN(len(bodies))], op.prefix, buf)
		}, func() {}, nil
	})
}

// procCPU reads a process's user+system CPU time (Linux /proc, clock ticks
// of 10 ms) and its resident set size in MB.
func procCPU(pid int) (cpu time.Duration, rssMB float64, err error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	// the fields after the command name (in parentheses, maybe with spaces)
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	if len(fields) < 13 {
		return 0, 0, errors.New("short /proc stat")
	}
	ut, _ := strconv.ParseInt(fields[11], 10, 64)
	st, _ := strconv.ParseInt(fields[12], 10, 64)
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			rssMB = kb / 1024
		}
	}
	return time.Duration(ut+st) * 10 * time.Millisecond, rssMB, nil
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
	var cpu time.Duration
	var rss float64
	probed := make(chan error, 1)
	if w.pid > 0 {
		go func() {
			time.Sleep(time.Until(measureFrom))
			c0, _, err := procCPU(w.pid)
			if err == nil {
				time.Sleep(time.Until(deadline))
				var c1 time.Duration
				c1, rss, err = procCPU(w.pid)
				cpu = c1 - c0
			}
			probed <- err
		}()
	}
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
	lastP99 = pct(0.99)
	if w.pid > 0 {
		if err := <-probed; err != nil {
			return 0, err
		}
		lastCPU, lastRSS = cpu/time.Duration(len(lat)), rss
		fmt.Printf("server CPU %.2f ms/request (%.2f cores), RSS %.0f MB\n", float64(cpu.Microseconds())/1000/float64(len(lat)), cpu.Seconds()/w.dur.Seconds(), rss)
	}
	return float64(len(lat)) / w.dur.Seconds(), nil
}

// The last measurement's p99, server CPU per request and RSS (compare's
// summary lines).
var (
	lastP99, lastCPU time.Duration
	lastRSS          float64
)

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

// loadFloor measures PostgreSQL answering op alone, as the compiled read
// path asks it: graph/compiled's plan of op, its holes filled by the
// services, one prepared statement (pgx prepares and caches it per
// connection) returning the JSON of data, for a random load user (and
// search). A staff read's audit rows are not written: the floor is the read.
func loadFloor(ctx context.Context, url string, op operation, w window) (float64, error) {
	users, err := principals(ctx, url, op.role)
	if err != nil {
		return 0, err
	}
	doc, gerr := gqlparser.LoadQuery(graph.NewExecutableSchema(graph.Config{}).Schema(), op.query)
	if gerr != nil {
		return 0, gerr
	}
	// The services only write SQL here (the queue's conditions, the guide
	// lists' statements); the floor runs it on its own connections.
	gdb, err := database.Open(ctx, database.Options{URL: url, MaxConns: 1})
	if err != nil {
		return 0, err
	}
	if sqlDB, err := gdb.DB(); err == nil {
		defer sqlDB.Close()
	}
	svc := compiled.Services{Cases: cases.NewService(gdb, nil), Guides: guides.NewService(gdb, nil)}
	var vars []map[string]any
	if op.vars == nil {
		vars = []map[string]any{nil}
	} else {
		for _, s := range searches {
			vars = append(vars, map[string]any{"search": s})
		}
	}
	plan, err := compiled.Compile(doc, "Load", vars[0], users[0], svc)
	if err != nil {
		return 0, err
	}
	type stmt struct {
		sql  string
		args []any
	}
	var stmts []stmt
	for _, p := range users {
		for _, v := range vars {
			sql, args, ok := plan.Statement(v, p, time.Now())
			if !ok {
				return 0, errors.New("the plan refused its arguments")
			}
			stmts = append(stmts, stmt{sql, args})
		}
	}
	prefix := []byte(strings.TrimPrefix(op.prefix, `{"data":`))
	return measure(ctx, w, func(int) (func(*rand.Rand) error, func(), error) {
		c, err := pgx.Connect(ctx, url)
		if err != nil {
			return nil, nil, err
		}
		var data []byte
		var fallback bool
		var read *string // the cases a staff read audits (the floor writes no audit rows)
		return func(rng *rand.Rand) error {
				s := stmts[rng.IntN(len(stmts))]
				if err := c.QueryRow(ctx, s.sql, s.args...).Scan(&data, &fallback, &read); err != nil {
					return err
				}
				if fallback || !bytes.HasPrefix(data, prefix) {
					return fmt.Errorf("unexpected answer %.100s", data)
				}
				return nil
			}, func() {
				c.Close(context.Background())
			}, nil
	})
}

// principals are the load users of role as the server sees them: patients,
// or the advocates of the load partner.
func principals(ctx context.Context, url string, role models.Role) ([]*auth.Principal, error) {
	if role == models.RolePatient {
		ids, err := patientIDs(ctx, url)
		out := make([]*auth.Principal, len(ids))
		for i, id := range ids {
			out[i] = &auth.Principal{ID: id, Role: models.RolePatient, Language: "en"}
		}
		return out, err
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT id, organization_id FROM users WHERE email LIKE 'loadgen-advocate-%' ORDER BY email`)
	if err != nil {
		return nil, err
	}
	var out []*auth.Principal
	for rows.Next() {
		p := &auth.Principal{Role: models.RoleAdvocate, Language: "en"}
		var org uuid.UUID
		if err := rows.Scan(&p.ID, &org); err != nil {
			return nil, err
		}
		p.OrganizationID = &org
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("no load advocates (run `loadgen seed` again)")
	}
	return out, nil
}

// compare runs, rounds times, each operation against each server (urls,
// e.g. two builds side by side) and then the database's floor for it, and
// prints each round's throughputs and their ratios: figures of a shared,
// noisy machine compare only side by side.
func compare(ctx context.Context, urls []string, pids []int, dbURL string, ops []operation, w window, rounds int) error {
	type key struct{ op, url string }
	ratios := map[key][]float64{}
	for r := range rounds {
		for _, op := range ops {
			var apis []float64
			var lines []string
			for i, url := range urls {
				fmt.Printf("-- round %d, %s: run %s\n", r+1, op.name, url)
				w.pid = 0
				if i < len(pids) {
					w.pid = pids[i]
				}
				api, err := load(ctx, url, op, w)
				if err != nil {
					return err
				}
				apis = append(apis, api)
				lines = append(lines, fmt.Sprintf("%s %.0f/s p99 %s cpu %.2f ms/req rss %.0f MB", url, api, lastP99.Round(time.Millisecond), float64(lastCPU.Microseconds())/1000, lastRSS))
			}
			fmt.Printf("-- round %d, %s: floor\n", r+1, op.name)
			w.pid = 0
			floor, err := loadFloor(ctx, dbURL, op, w)
			if err != nil {
				return err
			}
			floorP99 := lastP99
			for i, url := range urls {
				ratios[key{op.name, url}] = append(ratios[key{op.name, url}], apis[i]/floor)
				fmt.Printf("== round %d %s: %s = %.0f%% of the floor (%.0f/s p99 %s)\n", r+1, op.name, lines[i], 100*apis[i]/floor, floor, floorP99.Round(time.Millisecond))
			}
		}
	}
	for _, op := range ops {
		for _, url := range urls {
			rs := ratios[key{op.name, url}]
			slices.Sort(rs)
			fmt.Printf("%s %s / floor over %d rounds: min %.0f%%, median %.0f%%, max %.0f%%\n", op.name, url, rounds,
				100*rs[0], 100*rs[len(rs)/2], 100*rs[len(rs)-1])
		}
	}
	return nil
}
