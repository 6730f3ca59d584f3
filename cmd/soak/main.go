// Command soak loads the API on loopback with patients asking for legal help
// and advocates moving their cases, drops a share of the requests before
// their answers are read (as a phone losing its network does) and retries
// them, and at the end checks in the database that nothing was lost or
// duplicated.
//
//	soak [-patients 200] [-advocates 8] [-d 30s] [-rate 0] [-drop 0.1] [-conns 20]
//	     [-url URL -db DATABASE_URL -admin EMAIL:PASSWORD -pid PID]
//	     [-cpuprofile F] [-memprofile F] [-trace F] [-keep]
//
// Without -url it starts the server in this process, on a fresh database
// (named soak_<time> on the PostgreSQL of -db, default
// postgres://postgres@127.0.0.1:5432/postgres) with the production settings
// and default limits, and drops that database afterwards unless -keep. With
// -url it loads a server started separately (its DATABASE_URL as -db, an
// ADMIN's sign-in as -admin, its process id as -pid for its peak memory).
//
// Closed loop (-rate 0): each of -patients virtual patients registers (from
// an address of its own, through X-Forwarded-For: the server trusts
// loopback as its proxy), asks for help 20 times (the daily limit) with an
// idempotency key each, then registers again as a new patient; each of -advocates advocates
// takes a case from the queue and moves it one step along the state machine
// with expectedVersion, reading the case again and retrying on CONFLICT.
// Fixed arrival rate (-rate R): R operations a second, whatever the answers'
// speed, four in five a patient's request (from -patients patients
// registered first) and one in five an advocate's move.
//
// A dropped request (-drop of them) is cancelled once written, before its
// answer is read, and sent again with the same idempotency key (or
// expectedVersion); so is an UNAVAILABLE answer (the server shedding load),
// after 100 to 300 ms, as the apps do. At the end: every key is one case and
// every acknowledged key is the case the answer named; every acknowledged
// move is on its case's timeline; every timeline follows the state machine;
// no answer was a 5xx or INTERNAL_SERVER_ERROR. It prints
// throughput, latency percentiles and the server's peak memory, and exits 1
// when a check fails.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"mlp/internal/app"
	"mlp/internal/clock"
	"mlp/internal/database"
	"mlp/internal/ratelimit"
	"mlp/models"
)

type options struct {
	patients, advocates int
	conns               int
	dur                 time.Duration
	rate                float64
	drop                float64
	url, db, admin      string
	pid                 int
	cpuProfile, memProf string
	trace               string
	keep                bool
}

func main() {
	var o options
	flag.IntVar(&o.patients, "patients", 200, "virtual patients (closed loop: concurrent; fixed rate: registered first)")
	flag.IntVar(&o.advocates, "advocates", 8, "virtual advocates (closed loop)")
	flag.IntVar(&o.conns, "conns", 20, "the in-process server's pool size (DB_MAX_CONNS)")
	flag.DurationVar(&o.dur, "d", 30*time.Second, "how long to load")
	flag.Float64Var(&o.rate, "rate", 0, "operations per second at a fixed arrival rate; 0 is the closed loop")
	flag.Float64Var(&o.drop, "drop", 0.1, "share of requests dropped before their answer is read, then retried")
	flag.StringVar(&o.url, "url", "", "GraphQL endpoint of a server started separately; empty starts one in this process")
	flag.StringVar(&o.db, "db", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL: the server's database with -url, else where soak_<time> is made")
	flag.StringVar(&o.admin, "admin", "", "with -url: EMAIL:PASSWORD of an ADMIN of that server")
	flag.IntVar(&o.pid, "pid", 0, "with -url: the server's process id, for its peak memory")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.StringVar(&o.memProf, "memprofile", "", "write an allocation profile at the end to this file")
	flag.StringVar(&o.trace, "trace", "", "write an execution trace of the measured load to this file (go tool trace)")
	flag.BoolVar(&o.keep, "keep", false, "keep the database soak made")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ok, err := run(ctx, o, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

const (
	adminEmail    = "soak-admin@soak.test"
	adminPassword = "soak-admin-password-2026"
	staffPassword = "soak-advocate-password-2026"
	casesPerLife  = 20 // requests of one registered patient in the closed loop (the daily limit)
)

// run loads the server as o says, checks the database and prints the
// figures; false when a check failed.
func run(ctx context.Context, o options, out io.Writer) (bool, error) {
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return false, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return false, err
		}
		defer pprof.StopCPUProfile()
	}
	target, dbURL, admin := o.url, o.db, o.admin
	var peak func() string
	if target == "" {
		srv, err := startServer(ctx, o)
		if err != nil {
			return false, err
		}
		defer srv.close()
		target, dbURL, admin = srv.url, srv.dbURL, adminEmail+":"+adminPassword
		peak = srv.peak
	} else {
		peak = func() string { return peakRSS(o.pid) }
	}
	// The ADMIN's setup drops nothing: creating a staff account is not
	// idempotent, and a dropped try now completes on the server (a client
	// hanging up does not cancel its request), so its retry would find the
	// email taken.
	l := &load{url: target, client: &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: 1024, MaxConnsPerHost: 0, IdleConnTimeout: time.Minute,
	}}, keys: map[string]string{}, byOp: map[string][]time.Duration{}}
	err := l.setup(ctx, admin, o.advocates)
	if err != nil {
		return false, fmt.Errorf("setup: %w", err)
	}
	l.drop = o.drop
	fmt.Fprintf(out, "soak: %s, %d patients, %d advocates, %s, drop %.0f%%\n", mode(o), o.patients, o.advocates, o.dur, 100*o.drop)
	if o.trace != "" {
		f, err := os.Create(o.trace)
		if err != nil {
			return false, err
		}
		defer f.Close()
		if err := trace.Start(f); err != nil {
			return false, err
		}
		defer trace.Stop() // also when the load fails; stopping twice is harmless
	}
	var elapsed time.Duration
	if o.rate > 0 {
		if elapsed, err = l.fixedRate(ctx, o); err != nil {
			return false, err
		}
	} else {
		elapsed = l.closedLoop(ctx, o)
	}
	if o.trace != "" {
		trace.Stop()
	}
	if o.memProf != "" {
		f, err := os.Create(o.memProf)
		if err != nil {
			return false, err
		}
		runtime.GC()
		_ = pprof.Lookup("allocs").WriteTo(f, 0)
		_ = f.Close()
	}
	l.report(out, elapsed, peak())
	problems, err := check(ctx, dbURL, l)
	if err != nil {
		return false, fmt.Errorf("check: %w", err)
	}
	for _, p := range problems {
		fmt.Fprintln(out, "FAIL:", p)
	}
	if len(problems) == 0 {
		fmt.Fprintln(out, "checks: every key one case, every acknowledged move on its timeline, every timeline valid, no 5xx: OK")
	}
	return len(problems) == 0, nil
}

func mode(o options) string {
	if o.rate > 0 {
		return fmt.Sprintf("fixed arrival rate %.0f/s", o.rate)
	}
	return "closed loop"
}

// server is the in-process server and its database.
type server struct {
	url, dbURL string
	close      func()
	peakHeap   atomic.Uint64
}

func startServer(ctx context.Context, o options) (*server, error) {
	u, err := url.Parse(o.db)
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("soak_%d", time.Now().UnixNano())
	u.Path = "/" + name
	s := &server{dbURL: u.String()}
	if err := database.EnsureDatabase(ctx, s.dbURL); err != nil {
		return nil, err
	}
	// Warnings and errors only; the figures are soak's.
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, err := database.Open(ctx, database.Options{URL: s.dbURL, MaxConns: o.conns, Now: clock.System, Logger: logger})
	if err != nil {
		return nil, err
	}
	if _, err := database.Migrate(ctx, db); err != nil {
		return nil, err
	}
	loopback, _ := ratelimit.ParseProxies("127.0.0.0/8,::1")
	a := app.New(app.Options{DB: db, Logger: logger, JWTSecret: []byte("soak-secret-soak-secret-soak-secret!"),
		DatabaseURL: s.dbURL, Workers: true, CompiledReads: true, TrustedProxies: loopback, Now: clock.System})
	if err := a.Start(ctx); err != nil {
		return nil, err
	}
	if _, err := a.Resolver.Accounts.EnsureAdmin(ctx, adminEmail, adminPassword); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: a.Handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	s.url = "http://" + ln.Addr().String() + "/graphql"
	sampling, stopSampling := context.WithCancel(ctx)
	go s.sample(sampling)
	s.close = func() {
		stopSampling()
		// as the server does: requests under way finish (a client that
		// left no longer cancels them) before the database closes
		shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		_ = hs.Shutdown(shutdown)
		cancel()
		a.Close()
		_ = database.Close(db)
		if !o.keep {
			if err := dropDatabase(context.Background(), o.db, name); err != nil {
				fmt.Fprintln(os.Stderr, "soak: drop database:", err)
			}
		}
	}
	return s, nil
}

// sample keeps the peak of the Go runtime's memory (heap and stacks, what
// the server and this load allocate) every 50 ms.
func (s *server) sample(ctx context.Context) {
	m := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}, {Name: "/memory/classes/heap/stacks:bytes"}}
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			metrics.Read(m)
			v := m[0].Value.Uint64() + m[1].Value.Uint64() + m[2].Value.Uint64()
			for {
				old := s.peakHeap.Load()
				if v <= old || s.peakHeap.CompareAndSwap(old, v) {
					break
				}
			}
		}
	}
}

func (s *server) peak() string {
	return fmt.Sprintf("peak Go heap in use %d MB, peak RSS %s (server and load in one process)",
		s.peakHeap.Load()>>20, peakRSS(os.Getpid()))
}

// peakRSS reads VmHWM of a process on this machine.
func peakRSS(pid int) string {
	if pid == 0 {
		return "unknown (give -pid)"
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return fmt.Sprintf("%d MB", kb>>10)
		}
	}
	return "unknown"
}

func dropDatabase(ctx context.Context, base, name string) error {
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	return err
}

// load is the clients' side: what they sent, what was acknowledged, and the
// figures.
type load struct {
	url    string
	drop   float64
	client *http.Client

	advocates []string // tokens
	ip        atomic.Uint32

	mu        sync.Mutex
	latencies []time.Duration
	byOp      map[string][]time.Duration // the same latencies by operation (the document's first field)
	cpu       [2]cpuTimes                // at the start and the end of the measured load
	keys      map[string]string          // "patient/key" -> case id acknowledged
	moves     []move                     // acknowledged moves
	patients  []*patient                 // fixed rate: the registered patients

	requests, dropped, retried, conflicts, refused, bad, unavailable atomic.Int64
	badSamples                                                       []string
}

type move struct {
	caseID   string
	from, to models.CaseStatus
}

type patient struct {
	id, token, ip string
	n             atomic.Int64
}

// gqlResponse is an answer as soak reads it.
type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (r *gqlResponse) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// do sends one operation until an answer is read: a dropped try (cancelled
// once written) is sent again as it was, and so is one answered UNAVAILABLE.
// Answers that are 5xx or internal errors are counted as bad (and not
// retried).
func (l *load) do(ctx context.Context, token, ip, query string, vars map[string]any, into any) (*gqlResponse, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, err
	}
	op := opName(query)
	for try := 0; ; try++ {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if try > 0 {
			l.retried.Add(1)
		}
		drop := rand.Float64() < l.drop
		rctx, cancel := context.WithCancel(ctx)
		if drop {
			rctx = httptrace.WithClientTrace(rctx, &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { cancel() }})
		}
		req, _ := http.NewRequestWithContext(rctx, http.MethodPost, l.url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if ip != "" {
			req.Header.Set("X-Forwarded-For", ip)
		}
		start := time.Now()
		l.requests.Add(1)
		resp, err := l.client.Do(req)
		if err != nil {
			cancel()
			if drop && ctx.Err() == nil {
				l.dropped.Add(1)
				continue
			}
			return nil, err
		}
		b, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		took := time.Since(start)
		cancel()
		if err != nil {
			if drop && ctx.Err() == nil {
				l.dropped.Add(1)
				continue
			}
			return nil, err
		}
		l.mu.Lock()
		l.latencies = append(l.latencies, took)
		l.byOp[op] = append(l.byOp[op], took)
		l.mu.Unlock()
		var r gqlResponse
		if resp.StatusCode >= 500 || json.Unmarshal(b, &r) != nil {
			l.badAnswer(fmt.Sprintf("HTTP %d: %.200s", resp.StatusCode, b))
			return nil, errBad
		}
		if c := r.code(); c == string(models.EINTERNAL) {
			l.badAnswer(fmt.Sprintf("%s: %.200s", c, b))
			return nil, errBad
		}
		if r.code() == string(models.EUNAVAILABLE) {
			// shed under overload: the apps wait a moment and send it
			// again, as soak does
			l.unavailable.Add(1)
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(time.Duration(100+rand.IntN(200)) * time.Millisecond):
			}
			continue
		}
		if into != nil && len(r.Errors) == 0 {
			if err := json.Unmarshal(r.Data, into); err != nil {
				return nil, err
			}
		}
		return &r, nil
	}
}

// opName is the first field a document selects: "requestLegalHelp" for
// "mutation($in: …) { requestLegalHelp(input: $in) { id } }".
func opName(query string) string {
	_, rest, _ := strings.Cut(query, "{")
	rest = strings.TrimSpace(rest)
	if i := strings.IndexAny(rest, "( {"); i > 0 {
		return rest[:i]
	}
	return rest
}

var errBad = errors.New("a 5xx or internal answer")

func (l *load) badAnswer(s string) {
	l.bad.Add(1)
	l.mu.Lock()
	if len(l.badSamples) < 5 {
		l.badSamples = append(l.badSamples, s)
	}
	l.mu.Unlock()
}

// nextIP gives each registration an address of its own (the per-address
// register limit holds per address).
func (l *load) nextIP() string {
	n := l.ip.Add(1)
	return fmt.Sprintf("10.%d.%d.%d", (n>>16)&255, (n>>8)&255, n&255)
}

// setup makes the legal-aid partner and its advocates through the API as an
// ADMIN.
func (l *load) setup(ctx context.Context, admin string, advocates int) error {
	email, password, _ := strings.Cut(admin, ":")
	var signIn struct{ Login struct{ AccessToken string } }
	if _, err := l.mustOK(ctx, "", "", `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`,
		map[string]any{"e": email, "p": password}, &signIn); err != nil {
		return err
	}
	tag := strconv.FormatInt(time.Now().UnixNano(), 36)
	var org struct{ CreateOrganization struct{ ID string } }
	if _, err := l.mustOK(ctx, signIn.Login.AccessToken, "", `mutation($in: CreateOrganizationInput!) { createOrganization(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"name": "Soak Legal Aid " + tag, "kind": "LEGAL_AID", "serviceAreas": []string{"CA"}, "categories": []string{"HOUSING"}}}, &org); err != nil {
		return err
	}
	for i := range advocates {
		e := fmt.Sprintf("soak-advocate-%s-%d@soak.test", tag, i)
		if _, err := l.mustOK(ctx, signIn.Login.AccessToken, "", `mutation($in: CreateStaffUserInput!) { createStaffUser(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"email": e, "password": staffPassword, "displayName": fmt.Sprintf("Advocate %d", i),
				"role": "ADVOCATE", "organizationId": org.CreateOrganization.ID}}, nil); err != nil {
			return err
		}
		var in struct{ Login struct{ AccessToken string } }
		if _, err := l.mustOK(ctx, "", "", `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`,
			map[string]any{"e": e, "p": staffPassword}, &in); err != nil {
			return err
		}
		l.advocates = append(l.advocates, in.Login.AccessToken)
	}
	return nil
}

func (l *load) mustOK(ctx context.Context, token, ip, q string, vars map[string]any, into any) (*gqlResponse, error) {
	r, err := l.do(ctx, token, ip, q, vars, into)
	if err != nil {
		return nil, err
	}
	if len(r.Errors) > 0 {
		return nil, fmt.Errorf("%s: %s", r.code(), r.Errors[0].Message)
	}
	return r, nil
}

const (
	registerDoc = `mutation($in: RegisterInput!) { register(input: $in) { accessToken user { id } } }`
	loginDoc    = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken user { id } } }`
	requestDoc  = `mutation($in: RequestLegalHelpInput!) { requestLegalHelp(input: $in) { id status } }`
	queueDoc    = `query { caseQueue(first: 10) { edges { node { id status version } } } }`
	caseDoc     = `query($id: ID!) { case(id: $id) { id status version } }`
	moveDoc     = `mutation($in: UpdateCaseStatusInput!) { updateCaseStatus(input: $in) { id status version } }`
)

// register signs a new patient up; a retried registration that finds the
// email taken (its first try went through) signs in instead.
func (l *load) register(ctx context.Context) (*patient, error) {
	p := &patient{ip: l.nextIP()}
	email := fmt.Sprintf("soak-%s-%s@soak.test", strings.ReplaceAll(p.ip, ".", "-"), strconv.FormatInt(time.Now().UnixNano(), 36))
	password := "soak-patient-password-2026"
	var reg struct {
		Register struct {
			AccessToken string
			User        struct{ ID string }
		}
	}
	r, err := l.do(ctx, "", p.ip, registerDoc, map[string]any{"in": map[string]any{"email": email, "password": password, "displayName": "Soak patient"}}, &reg)
	if err != nil {
		return nil, err
	}
	if len(r.Errors) == 0 {
		p.id, p.token = reg.Register.User.ID, reg.Register.AccessToken
		return p, nil
	}
	var in struct {
		Login struct {
			AccessToken string
			User        struct{ ID string }
		}
	}
	if _, err := l.mustOK(ctx, "", p.ip, loginDoc, map[string]any{"e": email, "p": password}, &in); err != nil {
		return nil, fmt.Errorf("register (%s) then login: %w", r.Errors[0].Message, err)
	}
	p.id, p.token = in.Login.User.ID, in.Login.AccessToken
	return p, nil
}

// request asks for help once with a new key, retrying dropped tries with
// that key, and records the case the answer names.
func (l *load) request(ctx context.Context, p *patient) error {
	key := fmt.Sprintf("soak-%s-%d", p.id, p.n.Add(1))
	var out struct{ RequestLegalHelp struct{ ID string } }
	r, err := l.do(ctx, p.token, p.ip, requestDoc, map[string]any{"in": map[string]any{
		"idempotencyKey": key, "category": "HOUSING", "jurisdiction": "CA", "consentToShare": true,
		"description": "My landlord changed the locks while I was at the clinic.",
	}}, &out)
	if err != nil {
		return err
	}
	if len(r.Errors) > 0 {
		l.refused.Add(1)
		return nil
	}
	l.mu.Lock()
	l.keys[p.id+"/"+key] = out.RequestLegalHelp.ID
	l.mu.Unlock()
	return nil
}

// next is the advocate's next step for a case in status s.
func next(s models.CaseStatus) (models.CaseStatus, bool) {
	switch s {
	case models.CaseSubmitted:
		return models.CaseReceived, true
	case models.CaseReceived:
		return models.CaseAccepted, true
	case models.CaseAccepted:
		return models.CaseInProgress, true
	case models.CaseInProgress, models.CaseWaitingOnPatient:
		return models.CaseResolved, true
	}
	return "", false
}

type caseState struct {
	ID      string
	Status  models.CaseStatus
	Version int
}

// advance takes one of the first cases of the queue (several advocates
// reach for the same ones) and moves it one step with expectedVersion; on
// CONFLICT it reads the case again and tries its next step.
func (l *load) advance(ctx context.Context, token string) error {
	var q struct {
		CaseQueue struct {
			Edges []struct{ Node caseState }
		}
	}
	if _, err := l.mustOK(ctx, token, "", queueDoc, nil, &q); err != nil {
		return err
	}
	if len(q.CaseQueue.Edges) == 0 {
		return nil
	}
	c := q.CaseQueue.Edges[rand.IntN(len(q.CaseQueue.Edges))].Node
	for range 5 {
		to, ok := next(c.Status)
		if !ok {
			return nil
		}
		var out struct{ UpdateCaseStatus caseState }
		r, err := l.do(ctx, token, "", moveDoc, map[string]any{"in": map[string]any{
			"caseId": c.ID, "status": to, "expectedVersion": c.Version, "note": "Moved by the soak.",
		}}, &out)
		if err != nil {
			return err
		}
		if len(r.Errors) == 0 {
			l.mu.Lock()
			l.moves = append(l.moves, move{caseID: c.ID, from: c.Status, to: to})
			l.mu.Unlock()
			return nil
		}
		if r.code() != string(models.ECONFLICT) {
			l.refused.Add(1)
			return nil
		}
		l.conflicts.Add(1)
		var again struct{ Case *caseState }
		if _, err := l.mustOK(ctx, token, "", caseDoc, map[string]any{"id": c.ID}, &again); err != nil || again.Case == nil {
			return err
		}
		c = *again.Case
	}
	return nil
}

func (l *load) closedLoop(ctx context.Context, o options) time.Duration {
	l.mu.Lock()
	l.latencies = nil
	clear(l.byOp) // the figures are of the load, not of the setup
	l.mu.Unlock()
	start := time.Now()
	l.cpu[0] = readCPU()
	defer func() { l.cpu[1] = readCPU() }()
	ctx, cancel := context.WithTimeout(ctx, o.dur)
	defer cancel()
	var wg sync.WaitGroup
	for range o.patients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				p, err := l.register(ctx)
				if err != nil {
					continue
				}
				for range casesPerLife {
					if l.request(ctx, p) != nil {
						break
					}
				}
			}
		}()
	}
	for i := range l.advocates {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				_ = l.advance(ctx, l.advocates[i])
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
}

func (l *load) fixedRate(ctx context.Context, o options) (time.Duration, error) {
	// the patients sign up first, 8 at a time: the figures are of the
	// load that follows
	var mu sync.Mutex
	var wg sync.WaitGroup
	var failed error
	slots := make(chan struct{}, 8)
	for range o.patients {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			p, err := l.register(ctx)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed = fmt.Errorf("register: %w", err)
				return
			}
			l.patients = append(l.patients, p)
		}()
	}
	wg.Wait()
	if failed != nil {
		return 0, failed
	}
	l.mu.Lock()
	l.latencies = nil
	clear(l.byOp)
	l.mu.Unlock()
	l.requests.Store(0)
	l.dropped.Store(0)
	l.retried.Store(0)
	l.unavailable.Store(0)
	start := time.Now()
	l.cpu[0] = readCPU()
	defer func() { l.cpu[1] = readCPU() }()
	ctx, cancel := context.WithTimeout(ctx, o.dur)
	defer cancel()
	interval := time.Duration(float64(time.Second) / o.rate)
	t := time.NewTicker(interval)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			wg.Wait()
			return time.Since(start), nil
		case <-t.C:
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%5 == 4 && len(l.advocates) > 0 {
				_ = l.advance(ctx, l.advocates[i%len(l.advocates)])
				return
			}
			// a patient keeps within the daily limit of new cases
			p := l.patients[i%len(l.patients)]
			if p.n.Load() < 20 {
				_ = l.request(ctx, p)
			}
		}()
	}
}

func (l *load) report(out io.Writer, elapsed time.Duration, peak string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	lat := slices.Clone(l.latencies)
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return percentile(lat, p) }
	secs := elapsed.Seconds()
	fmt.Fprintf(out, "answered %d requests in %.1fs: %.0f/s; latency p50 %s p95 %s p99 %s max %s\n",
		len(lat), secs, float64(len(lat))/secs, pct(0.50).Round(time.Microsecond), pct(0.95).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), pct(1).Round(time.Microsecond))
	fmt.Fprintf(out, "acknowledged %d cases (%.0f/s) and %d moves (%.0f/s); dropped %d tries, retried %d, %d UNAVAILABLE (retried), %d CONFLICTs, %d refused, %d 5xx or internal\n",
		len(l.keys), float64(len(l.keys))/secs, len(l.moves), float64(len(l.moves))/secs, l.dropped.Load(), l.retried.Load(), l.unavailable.Load(), l.conflicts.Load(), l.refused.Load(), l.bad.Load())
	ops := slices.Sorted(maps.Keys(l.byOp))
	for _, op := range ops {
		lat := slices.Clone(l.byOp[op])
		slices.Sort(lat)
		fmt.Fprintf(out, "  %-18s %6d answers, p50 %s p95 %s p99 %s\n", op, len(lat),
			percentile(lat, 0.50).Round(time.Microsecond), percentile(lat, 0.95).Round(time.Microsecond), percentile(lat, 0.99).Round(time.Microsecond))
	}
	fmt.Fprintln(out, "memory:", peak)
	fmt.Fprintln(out, "CPU:", cpuUse(l.cpu[0], l.cpu[1], elapsed))
}

// percentile of sorted latencies.
func percentile(lat []time.Duration, p float64) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	return lat[min(len(lat)-1, int(p*float64(len(lat))))]
}

// cpuTimes are this process's CPU time and the machine's busy and total
// time (from /proc/stat), in clock ticks.
type cpuTimes struct {
	process       time.Duration
	busy, total   uint64
	readMachineOK bool
}

func readCPU() cpuTimes {
	var c cpuTimes
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		c.process = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return c
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	if len(f) < 8 || f[0] != "cpu" {
		return c
	}
	for i, v := range f[1:] {
		n, _ := strconv.ParseUint(v, 10, 64)
		if i < 8 {
			c.total += n
		}
		if i < 8 && i != 3 && i != 4 {
			c.busy += n
		}
	}
	c.readMachineOK = true
	return c
}

// cpuUse says how many cores this process (server and load when soak
// started the server) and the whole machine kept busy over the load.
func cpuUse(a, b cpuTimes, elapsed time.Duration) string {
	s := fmt.Sprintf("this process %.2f cores", (b.process-a.process).Seconds()/elapsed.Seconds())
	if a.readMachineOK && b.readMachineOK && b.total > a.total {
		s += fmt.Sprintf(", the machine %.0f%% busy of %d cores", 100*float64(b.busy-a.busy)/float64(b.total-a.total), runtime.NumCPU())
	}
	return s
}

// check reads the database and returns what is wrong.
func check(ctx context.Context, dbURL string, l *load) ([]string, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	var problems []string
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.bad.Load() > 0 {
		problems = append(problems, fmt.Sprintf("%d answers were 5xx or INTERNAL_SERVER_ERROR, e.g. %q", l.bad.Load(), l.badSamples))
	}

	// every key is one case, and an acknowledged key is the case answered
	rows, err := conn.Query(ctx, `SELECT patient_id::text || '/' || idempotency_key, count(*), min(id::text) FROM cases
		WHERE idempotency_key LIKE 'soak-%' GROUP BY 1`)
	if err != nil {
		return nil, err
	}
	inDB := map[string]string{}
	for rows.Next() {
		var key, id string
		var n int
		if err := rows.Scan(&key, &n, &id); err != nil {
			return nil, err
		}
		if n != 1 {
			problems = append(problems, fmt.Sprintf("key %s is %d cases", key, n))
		}
		inDB[key] = id
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	lost := 0
	for key, id := range l.keys {
		if inDB[key] != id {
			lost++
		}
	}
	if lost > 0 {
		problems = append(problems, fmt.Sprintf("%d acknowledged cases are not the case of their key", lost))
	}

	// timelines: status changes chain from SUBMITTED along the state
	// machine, and the case's status is the last one's
	type change struct{ from, to models.CaseStatus }
	timelines := map[string][]change{}
	status := map[string]models.CaseStatus{}
	rows, err = conn.Query(ctx, `SELECT c.id::text, c.status, e.from_status, e.to_status FROM cases c
		LEFT JOIN case_events e ON e.case_id = c.id AND e.kind = 'STATUS_CHANGED'
		WHERE c.idempotency_key LIKE 'soak-%' ORDER BY c.id, e.created_at, e.id`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id string
		var st models.CaseStatus
		var from, to *models.CaseStatus
		if err := rows.Scan(&id, &st, &from, &to); err != nil {
			return nil, err
		}
		status[id] = st
		if from != nil && to != nil {
			timelines[id] = append(timelines[id], change{*from, *to})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	broken := 0
	for id, st := range status {
		cur := models.CaseSubmitted
		for _, c := range timelines[id] {
			if c.from != cur || !c.from.CanMoveTo(c.to, models.RoleAdvocate) {
				broken++
				break
			}
			cur = c.to
		}
		if cur != st {
			broken++
		}
	}
	if broken > 0 {
		problems = append(problems, fmt.Sprintf("%d timelines do not follow the state machine to their case's status", broken))
	}
	missing := 0
	for _, m := range l.moves {
		if !slices.Contains(timelines[m.caseID], change{m.from, m.to}) {
			missing++
		}
	}
	if missing > 0 {
		problems = append(problems, fmt.Sprintf("%d acknowledged moves are not on their case's timeline", missing))
	}
	return problems, nil
}
