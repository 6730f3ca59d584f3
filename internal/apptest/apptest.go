// Package apptest drives the API the way clients do: HTTP requests with real
// JWTs against an httptest server backed by the test package's own PostgreSQL
// database (see dbtest). It also builds seed rows for tests.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/graph"
	"mlp/internal/app"
	"mlp/internal/auth"
	"mlp/internal/database"
	"mlp/internal/database/dbtest"
	"mlp/internal/email"
	"mlp/internal/push"
	"mlp/internal/ratelimit"
	"mlp/models"
)

// Password is the password of every user made by Server.User.
const Password = "correct horse battery"

// JWTSecret signs the access tokens of every test server; tests that forge
// tokens sign with it.
const JWTSecret = "test-secret-test-secret-test-secret!"

// cheapArgon2 keeps tests fast; the production parameters are tested in auth.
var cheapArgon2 = auth.Argon2Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1}

var (
	hashOnce sync.Once
	pwHash   string
)

// PasswordHash returns a hash of Password, computed once.
func PasswordHash() string {
	hashOnce.Do(func() { pwHash, _ = auth.HashPassword(Password, cheapArgon2) })
	return pwHash
}

// Server is an httptest server running the whole application.
type Server struct {
	URL  string
	DB   *gorm.DB
	App  *app.App
	Logs *bytes.Buffer
	now  func() time.Time

	counters sync.Map // counter id -> *atomic.Int64
	logMu    sync.Mutex
}

// Option changes the application New builds.
type Option func(*app.Options)

// WithRateLimits runs the server with the given limits (by default those of
// TestRateLimits).
func WithRateLimits(r ratelimit.Rules) Option { return func(o *app.Options) { o.RateLimits = &r } }

// TestRateLimits are the limits of a test server unless WithRateLimits says
// otherwise: the defaults, but for those a whole test package would use up
// from its one address (127.0.0.1) and one database: per-IP limits and the
// patient's daily cases. Tests of those limits pass WithRateLimits.
func TestRateLimits() ratelimit.Rules {
	r := ratelimit.Defaults()
	r.LoginFailuresPerIP.Limit = 0
	r.RegisterPerIP.Limit = 0
	r.PasswordResetPerIP.Limit = 0
	r.RequestLegalHelpPerUser.Limit = 0
	return r
}

// loopback is the test servers' trusted proxy: a test names its client's
// address in X-Forwarded-For (DoFrom).
var loopback, _ = ratelimit.ParseProxies("127.0.0.0/8,::1")

// WithClock runs the server with the given clock.
func WithClock(now func() time.Time) Option { return func(o *app.Options) { o.Now = now } }

// WithCompiledReads turns the compiled read path (graph/compiled) on or off;
// it is on by default, as in production.
func WithCompiledReads(on bool) Option { return func(o *app.Options) { o.CompiledReads = on } }

// WithWorkers runs the outbox's workers in the test server, with retries
// shortened to milliseconds. Tests with workers share the package database's
// jobs, so a package runs them one at a time.
func WithWorkers() Option {
	return func(o *app.Options) {
		o.Workers = true
		o.OutboxOptions.RetryBase = 20 * time.Millisecond
		o.OutboxOptions.RetryMax = 200 * time.Millisecond
		o.OutboxOptions.PollInterval = 200 * time.Millisecond
	}
}

// WithPush sends pushes through senders (tests' fakes) instead of the log
// sender.
func WithPush(senders push.Senders) Option { return func(o *app.Options) { o.Push = senders } }

// WithEmail sends the outbox's emails through sender (a test's SMTP sender)
// instead of the log sender.
func WithEmail(sender email.Sender) Option { return func(o *app.Options) { o.Email = sender } }

// WithAppURL makes url the base of emailed links.
func WithAppURL(url string) Option { return func(o *app.Options) { o.AppURL = url } }

// New starts a server for the test; it stops when the test ends.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	return start(tb, dbtest.Open(tb), opts)
}

// Twin starts a second server over s's database, with the same token secret
// and the options given (and s's clock unless one is given): differential
// tests send one document to both.
func (s *Server) Twin(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	return start(tb, s.DB, append([]Option{WithClock(s.now)}, opts...))
}

// Raw runs an operation inside the process (no TCP) and returns the
// response's status and body as sent.
func (s *Server) Raw(tb testing.TB, token, query string, vars map[string]any) (int, []byte) {
	tb.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		tb.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	s.App.Handler.ServeHTTP(w, req)
	return w.Code, w.Body.Bytes()
}

func start(tb testing.TB, db *gorm.DB, opts []Option) *Server {
	tb.Helper()
	s := &Server{DB: db, Logs: &bytes.Buffer{}}
	params := cheapArgon2
	limits := TestRateLimits()
	o := app.Options{
		RateLimits:     &limits,
		TrustedProxies: loopback,
		DB:             db,
		Logger:         slog.New(slog.NewJSONHandler(&lockedWriter{s: s}, nil)),
		JWTSecret:      []byte(JWTSecret),
		Development:    true,
		Argon2:         &params,
		DatabaseURL:    dbtest.URL(tb),
		CompiledReads:  true,
	}
	for _, opt := range opts {
		opt(&o)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s.now = o.Now
	s.App = app.New(o)
	if o.Workers {
		if err := s.App.Outbox.Start(context.Background()); err != nil {
			tb.Fatal(err)
		}
	}
	tb.Cleanup(s.App.Close) // after ts.Close (cleanups run last first)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id := r.Header.Get("X-Test-Counter"); id != "" {
			if n, ok := s.counters.Load(id); ok {
				r = r.WithContext(database.WithStatementCounter(r.Context(), n.(*atomic.Int64)))
			}
		}
		s.App.Handler.ServeHTTP(w, r)
	}))
	tb.Cleanup(ts.Close)
	s.URL = ts.URL
	return s
}

type lockedWriter struct{ s *Server }

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.s.logMu.Lock()
	defer w.s.logMu.Unlock()
	return w.s.Logs.Write(p)
}

// LogText returns everything the server logged so far.
func (s *Server) LogText() string {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	return s.Logs.String()
}

// Error is one GraphQL error of a response.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Response is a GraphQL response.
type Response struct {
	Status int
	Data   json.RawMessage `json:"data"`
	Errors []Error         `json:"errors"`
	Raw    string          `json:"-"`
}

// Code returns the extensions.code of the first error, or "" when there is none.
func (r *Response) Code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// Field returns the extensions.field of the first error.
func (r *Response) Field() string {
	if len(r.Errors) == 0 {
		return ""
	}
	f, _ := r.Errors[0].Extensions["field"].(string)
	return f
}

// Decode unmarshals data into v, failing the test on errors in the response.
func (r *Response) Decode(tb testing.TB, v any) {
	tb.Helper()
	if len(r.Errors) > 0 {
		tb.Fatalf("unexpected errors: %s", r.Raw)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		tb.Fatalf("decode %s: %v", r.Raw, err)
	}
}

// MustOK fails the test when the response has errors.
func (r *Response) MustOK(tb testing.TB) *Response {
	tb.Helper()
	if len(r.Errors) > 0 || r.Status != http.StatusOK {
		tb.Fatalf("unexpected errors (HTTP %d): %s", r.Status, r.Raw)
	}
	return r
}

// MustCode fails the test unless the first error has code.
func (r *Response) MustCode(tb testing.TB, code string) *Response {
	tb.Helper()
	if r.Code() != code {
		tb.Fatalf("want error code %s, got response %s", code, r.Raw)
	}
	return r
}

// Do posts a GraphQL operation with the access token (none when "").
func (s *Server) Do(tb testing.TB, token, query string, vars map[string]any) *Response {
	tb.Helper()
	return s.do(tb, token, query, vars, "")
}

// DoFrom posts an operation as sent by a client at address ip (behind the
// test server's trusted proxy, X-Forwarded-For).
func (s *Server) DoFrom(tb testing.TB, ip, token, query string, vars map[string]any) *Response {
	tb.Helper()
	req := s.Request(tb, token, query, vars)
	req.Header.Set("X-Forwarded-For", ip)
	return s.send(tb, req)
}

// DoCounted posts an operation and returns how many SQL statements it ran.
func (s *Server) DoCounted(tb testing.TB, token, query string, vars map[string]any) (*Response, int64) {
	tb.Helper()
	id := uuid.NewString()
	n := &atomic.Int64{}
	s.counters.Store(id, n)
	defer s.counters.Delete(id)
	r := s.do(tb, token, query, vars, id)
	return r, n.Load()
}

func (s *Server) do(tb testing.TB, token, query string, vars map[string]any, counter string) *Response {
	tb.Helper()
	req := s.Request(tb, token, query, vars)
	if counter != "" {
		req.Header.Set("X-Test-Counter", counter)
	}
	return s.send(tb, req)
}

// Request builds the POST request of an operation, for tests that send it
// themselves (Send).
func (s *Server) Request(tb testing.TB, token, query string, vars map[string]any) *http.Request {
	tb.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		tb.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req
}

// Send sends a raw request and parses a GraphQL response if there is one.
func (s *Server) Send(tb testing.TB, req *http.Request) *Response {
	tb.Helper()
	return s.send(tb, req)
}

func (s *Server) send(tb testing.TB, req *http.Request) *Response {
	tb.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := &Response{Status: resp.StatusCode, Raw: string(raw)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || json.Valid(raw) {
		_ = json.Unmarshal(raw, r)
	}
	return r
}

// Org creates an organization. A LEGAL_AID one with no categories takes all.
func (s *Server) Org(tb testing.TB, kind models.OrganizationKind, states []string, cats ...models.LegalCategory) *models.Organization {
	tb.Helper()
	if kind == models.OrgLegalAid && len(cats) == 0 {
		cats = models.AllLegalCategories
	}
	if cats == nil {
		cats = []models.LegalCategory{}
	}
	o := &models.Organization{Name: fmt.Sprintf("%s %s", kind, uuid.NewString()[:8]), Kind: kind, ServiceAreas: states, Categories: cats}
	if err := s.DB.Create(o).Error; err != nil {
		tb.Fatal(err)
	}
	return o
}

// User creates a user of role in org (nil for none) with Password, signs them
// in and returns the user and a real access token.
func (s *Server) User(tb testing.TB, role models.Role, org *models.Organization) (*models.User, string) {
	tb.Helper()
	u := &models.User{
		Email:             strings.ToLower(string(role)) + "-" + uuid.NewString()[:12] + "@example.test",
		PasswordHash:      PasswordHash(),
		DisplayName:       "Test " + strings.ToLower(string(role)),
		Role:              role,
		PreferredLanguage: "en",
	}
	if org != nil {
		u.OrganizationID = &org.ID
	}
	if err := s.DB.Create(u).Error; err != nil {
		tb.Fatal(err)
	}
	return u, s.Token(tb, u)
}

// Token starts a session for u and returns a signed access token.
func (s *Server) Token(tb testing.TB, u *models.User) string {
	tb.Helper()
	ss := models.Session{UserID: u.ID, ExpiresAt: s.now().Add(auth.RefreshTokenTTL)}
	if err := s.DB.Create(&ss).Error; err != nil {
		tb.Fatal(err)
	}
	tok, _, err := s.App.Tokens.Issue(u, ss.ID)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// Str returns the string at a dotted path of decoded JSON data ("login.user.id").
func Str(tb testing.TB, r *Response, path string) string {
	tb.Helper()
	var v any
	r.Decode(tb, &v)
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i >= len(x) {
				tb.Fatalf("path %s: no index %s in %s", path, k, r.Raw)
			}
			v = x[i]
		default:
			tb.Fatalf("path %s: not found in %s", path, r.Raw)
		}
	}
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	default:
		return fmt.Sprint(x)
	}
}

// Ctx returns a context for direct database work in tests.
func Ctx() context.Context { return context.Background() }

// PublishGuide publishes a guide through the API, as clients do: an EDITOR
// creates it from in (a GuideInput) and submits it, an ADMIN publishes it.
// It returns the guide's id.
func (s *Server) PublishGuide(tb testing.TB, in map[string]any) string {
	tb.Helper()
	// The editor's organization is a health system: a legal-aid one would
	// take part in the routing of the tests' cases.
	_, editor := s.User(tb, models.RoleEditor, s.Org(tb, models.OrgHealthSystem, []string{"CA"}))
	_, admin := s.User(tb, models.RoleAdmin, nil)
	id := Str(tb, s.Do(tb, editor, `mutation($in: GuideInput!) { createGuide(input: $in) { id } }`,
		map[string]any{"in": in}).MustOK(tb), "createGuide.id")
	s.Do(tb, editor, `mutation($id: ID!) { submitGuideForReview(id: $id) { id } }`, map[string]any{"id": id}).MustOK(tb)
	s.Do(tb, admin, `mutation($id: ID!) { publishGuide(id: $id) { id } }`, map[string]any{"id": id}).MustOK(tb)
	return id
}

// WithSocketLimits runs the server with the given websocket limits (the
// per-user socket count is RateLimits.SocketsPerUser).
func WithSocketLimits(l graph.SocketLimits) Option {
	return func(o *app.Options) { o.SocketLimits = l }
}

// WithoutDirectives runs the server with every directive of the schema a
// pass-through (@hasRole and @authenticated call next at once): what is
// refused then is refused by the services alone.
func WithoutDirectives() Option {
	return func(o *app.Options) {
		o.Directives = &graph.DirectiveRoot{
			Authenticated: func(ctx context.Context, _ any, next graphql.Resolver) (any, error) { return next(ctx) },
			HasRole: func(ctx context.Context, _ any, next graphql.Resolver, _ []models.Role) (any, error) {
				return next(ctx)
			},
		}
	}
}
