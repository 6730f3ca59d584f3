// Command loadgen measures the API under load on loopback.
//
//	loadgen seed   fills DATABASE_URL with the load data set: one legal-aid
//	               partner, 200 patients, 10,000 cases, 50,000 timeline events
//	loadgen run    signs the patients in and sends "a patient's 50 newest
//	               cases, each with organization and first 10 events" from
//	               -c connections for -d, then prints requests/s and latency
//	               percentiles
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

	"github.com/jackc/pgx/v5"

	"mlp/internal/auth"
	"mlp/internal/config"
)

// The load data set.
const (
	patients        = 200
	casesPerPatient = 50
	eventsPerCase   = 5
	password        = "loadgen-password-2026"
	emailPattern    = "loadgen-patient-%03d@load.test"
)

// Query is the measured operation.
const Query = `query Load { myCases(first: 50) { edges { node { id reference status category urgent
  organization { id name }
  timeline(first: 10) { edges { node { id kind toStatus message createdAt } } } } } } }`

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
		return errors.New("usage: loadgen seed | loadgen run [-url U] [-c 16] [-d 30s]")
	}
	switch args[0] {
	case "seed":
		cfg, err := config.Load(os.Getenv)
		if err != nil {
			return err
		}
		return seed(ctx, cfg.DatabaseURL)
	case "run":
		fs := flag.NewFlagSet("run", flag.ExitOnError)
		url := fs.String("url", "http://127.0.0.1:8080/graphql", "GraphQL endpoint on this machine")
		conns := fs.Int("c", 16, "concurrent connections")
		dur := fs.Duration("d", 30*time.Second, "how long to send requests")
		maxReq := fs.Int("n", 2_000_000, "stop after this many requests")
		warm := fs.Duration("warmup", 3*time.Second, "requests sent before measuring")
		_ = fs.Parse(args[1:])
		return load(ctx, *url, *conns, *dur, *warm, *maxReq)
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
		  FROM generate_series(0, $2 - 1) AS i`, []any{hash, patients}},
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
		       generate_series(0, $1 - 1) AS c`, []any{casesPerPatient}},
		{`INSERT INTO case_events (case_id, kind, from_status, to_status, message, actor_role, visible_to_patient, created_at)
		  SELECT c.id,
		         CASE WHEN e = 0 THEN 'CREATED' WHEN e % 2 = 1 THEN 'STATUS_CHANGED' ELSE 'MESSAGE' END,
		         CASE WHEN e % 2 = 1 THEN 'SUBMITTED' END, CASE WHEN e % 2 = 1 THEN 'RECEIVED' END,
		         'Timeline entry ' || e, CASE WHEN e = 0 THEN 'PATIENT' ELSE 'ADVOCATE' END, true,
		         c.created_at + make_interval(mins => e)
		  FROM cases c JOIN users u ON u.id = c.patient_id AND u.email LIKE 'loadgen-patient-%',
		       generate_series(0, $1 - 1) AS e`, []any{eventsPerCase}},
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
	fmt.Printf("seeded %d patients, %d cases, %d events\n", patients, patients*casesPerPatient, patients*casesPerPatient*eventsPerCase)
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
	tokens := make([]string, patients)
	var wg sync.WaitGroup
	errs := make([]error, patients)
	sem := make(chan struct{}, 4)
	for i := range patients {
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

func load(ctx context.Context, url string, conns int, dur, warm time.Duration, maxReq int) error {
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true},
	}
	tokens, err := login(ctx, client, url)
	if err != nil {
		return err
	}
	body, _ := json.Marshal(map[string]any{"query": Query, "operationName": "Load"})
	var (
		sent     atomic.Int64
		failures atomic.Int64
		mu       sync.Mutex
		lat      []time.Duration
	)
	measureFrom := time.Now().Add(warm)
	deadline := measureFrom.Add(dur)
	var wg sync.WaitGroup
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			local := make([]time.Duration, 0, 4096)
			buf := &bytes.Buffer{}
			for ctx.Err() == nil && sent.Add(1) <= int64(maxReq) {
				start := time.Now()
				if start.After(deadline) {
					break
				}
				err := measured(ctx, client, url, tokens[rng.IntN(len(tokens))], body, buf)
				if start.Before(measureFrom) {
					continue
				}
				if err != nil {
					failures.Add(1)
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
	if len(lat) == 0 {
		return errors.New("no successful request")
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(float64(len(lat))*p))] }
	fmt.Printf("connections %d, measured %s: %d requests, %d failed\n", conns, dur, len(lat), failures.Load())
	fmt.Printf("throughput %.0f requests/s\n", float64(len(lat))/dur.Seconds())
	fmt.Printf("latency p50 %s  p90 %s  p99 %s  max %s\n", pct(0.50), pct(0.90), pct(0.99), lat[len(lat)-1])
	return nil
}
