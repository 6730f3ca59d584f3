// Package app wires the services, the GraphQL server and the HTTP middleware
// into one handler. cmd/server and the tests build the server through it.
package app

import (
	"context"
	"github.com/99designs/gqlgen/graphql"
	"log/slog"
	"mlp/graph/observe"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"

	"mlp/graph"
	"mlp/graph/compiled"
	"mlp/graph/loaders"
	"mlp/internal/accounts"
	"mlp/internal/audit"
	"mlp/internal/auth"
	"mlp/internal/cases"
	"mlp/internal/clock"
	"mlp/internal/config"
	"mlp/internal/database"
	"mlp/internal/devices"
	"mlp/internal/email"
	"mlp/internal/graphiql"
	"mlp/internal/guides"
	"mlp/internal/httpx"
	"mlp/internal/i18n"
	"mlp/internal/live"
	"mlp/internal/metrics"
	"mlp/internal/notify"
	"mlp/internal/outbox"
	"mlp/internal/partners"
	"mlp/internal/privacy"
	"mlp/internal/push"
	"mlp/internal/ratelimit"
	"mlp/internal/referrals"
	"mlp/internal/report"
)

// Options configures New.
type Options struct {
	DB          *gorm.DB
	Logger      *slog.Logger
	JWTSecret   []byte
	Development bool
	// Now is the application's clock, the one of every service (and the one
	// to give database.Open); tests fix it. Default: the wall clock.
	Now clock.Clock
	// Argon2 are the password-hash costs. Default auth.DefaultArgon2.
	Argon2 *auth.Argon2Params
	// ReferralCodeKey keys the hash of referral codes. Default: derived from
	// JWTSecret (referrals.DeriveCodeKey).
	ReferralCodeKey []byte
	// DatabaseURL is where the subscriptions' listener opens its own
	// connection (LISTEN); the URL of DB. Without it, subscribing fails.
	DatabaseURL string
	// RateLimits are the limits per client address and per account.
	// Default ratelimit.Defaults().
	RateLimits *ratelimit.Rules
	// TrustedProxies are the addresses whose X-Forwarded-For and
	// X-Forwarded-Proto count (the load balancers); none by default.
	TrustedProxies ratelimit.Proxies
	// DocumentLimits bound each GraphQL document; zero fields take
	// graph.DefaultLimits.
	DocumentLimits graph.Limits
	// SocketLimits bound the websockets (init timeout, operations per
	// connection); zero fields take graph.DefaultSocketLimits. Sockets per
	// user are RateLimits.SocketsPerUser, held as leases in PostgreSQL.
	SocketLimits graph.SocketLimits
	// Directives replaces the schema's directives (tests strip them to show
	// that the services refuse alone); nil: graph.Directives().
	Directives *graph.DirectiveRoot
	// RequestTimeout is every request's deadline (default
	// httpx.DefaultRequestTimeout).
	RequestTimeout time.Duration
	// CompiledReads answers the compilable reads as one SQL statement each
	// (graph/compiled); false leaves every operation to the resolvers.
	CompiledReads bool
	// JWTPreviousSecret also verifies access tokens during a rotation of
	// JWTSecret (auth.Tokens.AcceptPrevious); none when empty.
	JWTPreviousSecret []byte
	// AllowedOrigins are the exact origins whose browser pages may call the
	// API (CORS) and open its websockets; none when empty.
	AllowedOrigins []string
	// Workers runs the outbox's workers and the audit chain's sequencer in
	// this process once Start is called (WORKERS); false makes the process
	// insert-only.
	Workers bool
	// AuditChainInterval is the audit sequencer's wait between idle batches
	// (AUDIT_CHAIN_INTERVAL): how far the chain lags the commits. Default
	// audit.DefaultChainInterval.
	AuditChainInterval time.Duration
	// OutboxOptions tunes the outbox (tests shorten its backoff); its
	// DatabaseURL, Workers and Logger come from the fields above.
	OutboxOptions outbox.Options
	// Push are the push senders by platform; a platform without one logs
	// (push.LogSender).
	Push push.Senders
	// Email sends the outbox's emails (password reset); nil: the log
	// sender, which writes only that an email was sent.
	Email email.Sender
	// AppURL is the web app's address, the base of emailed links
	// ({AppURL}/reset-password?token=...). Default config.DefaultAppURL.
	AppURL string
	// MetricsOnMainPort also serves App.Metrics at GET /metrics of Handler,
	// in development only (no METRICS_ADDR set): in production the metrics
	// are served on their own listener, never on the public port.
	MetricsOnMainPort bool
	// TracerProvider, when set, traces every GraphQL operation and resolver
	// (observe.Tracing); the SQL spans come from the pool's tracer
	// (database.Options.QueryTracer). Nil: no tracing.
	TracerProvider trace.TracerProvider
}

// App is the assembled server.
type App struct {
	Handler  http.Handler
	Resolver *graph.Resolver
	Tokens   *auth.Tokens
	// Listener feeds the subscriptions; it starts with the first one, or
	// with Listener.Start.
	Listener *live.Listener
	// Planner is the compiled read path; nil when it is off.
	Planner *compiled.Planner
	// Outbox holds the side effects (push, email, reminders) as jobs
	// inserted in the transactions that cause them; its workers run after
	// Start when Options.Workers is set.
	Outbox *outbox.Outbox
	// Push is the outbox's push worker (benchmarks watch its deliveries).
	Push *push.Worker
	// Metrics are the Prometheus metrics; Metrics.Handler serves them (on
	// METRICS_ADDR, see cmd/server).
	Metrics *metrics.Metrics

	// sequencer chains the audit entries after Start when Options.Workers
	// is set (nil otherwise); stopSequencer ends it and sequenced closes
	// when it has.
	sequencer     *audit.Sequencer
	stopSequencer context.CancelFunc
	sequenced     chan struct{}
}

// Start starts the listener and, when Options.Workers is set, the outbox's
// workers and the audit chain's sequencer.
func (a *App) Start(ctx context.Context) error {
	a.Listener.Start()
	if err := a.Outbox.Start(ctx); err != nil {
		return err
	}
	if a.sequencer != nil && a.stopSequencer == nil {
		// Its own context, ended by Close: the requests that drain after
		// ctx ends still write entries, and Close comes after them.
		sctx, stop := context.WithCancel(context.WithoutCancel(ctx))
		a.stopSequencer, a.sequenced = stop, make(chan struct{})
		go func() {
			defer close(a.sequenced)
			a.sequencer.Run(sctx)
		}()
	}
	return nil
}

// Close stops the listener, which ends every subscription, the audit
// sequencer (entries it has not chained stay pending for the next one), and
// the outbox's workers (letting running jobs finish for at most 10 s; the
// rest run again later).
func (a *App) Close() {
	a.Listener.Close()
	if a.stopSequencer != nil {
		a.stopSequencer()
		<-a.sequenced
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = a.Outbox.Stop(ctx)
}

// New builds the services and the HTTP handler.
func New(opts Options) *App {
	if opts.Now == nil {
		opts.Now = clock.System
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	params := auth.DefaultArgon2
	if opts.Argon2 != nil {
		params = *opts.Argon2
	}
	db := opts.DB
	sqlDB, err := db.DB()
	if err != nil {
		// Only a pool that is no database/sql pool fails here: a programming error.
		panic(err)
	}
	meters := metrics.New(sqlDB)
	boxOpts := opts.OutboxOptions
	boxOpts.DatabaseURL, boxOpts.Workers, boxOpts.Logger, boxOpts.Metrics = opts.DatabaseURL, opts.Workers, opts.Logger, meters
	box, err := outbox.New(db, boxOpts)
	if err != nil {
		panic(err) // as above
	}
	tokens := auth.NewTokens(opts.JWTSecret, opts.Now).AcceptPrevious(opts.JWTPreviousSecret)
	rules := ratelimit.Defaults()
	if opts.RateLimits != nil {
		rules = *opts.RateLimits
	}
	limiter := ratelimit.New(db, rules, opts.Now)
	authSvc := auth.NewService(db, tokens, limiter, params, opts.Now)
	authSvc.UseMetrics(meters)
	accountsSvc := accounts.NewService(db, authSvc, opts.Now)
	casesSvc := cases.NewService(db, opts.Now)
	casesSvc.UseLimiter(limiter)
	codeKey := opts.ReferralCodeKey
	if len(codeKey) == 0 {
		codeKey = referrals.DeriveCodeKey(opts.JWTSecret)
	}
	guidesSvc := guides.NewService(db, opts.Now)
	referralsSvc := referrals.NewService(db, casesSvc, limiter, codeKey, guidesSvc, opts.Now)
	casesSvc.OnFinal(referralsSvc.CloseForCase)
	casesSvc.UseOutbox(box)
	accountsSvc.OnServesMore(casesSvc.EnqueueRouting)
	notifier := notify.NewNotifier(box)
	casesSvc.UseNotifier(notifier, box)
	referralsSvc.UseNotifier(notifier)
	pushWorker := push.NewWorker(db, opts.Push, opts.Now, opts.Logger)
	outbox.Register(box, pushWorker)
	outbox.Register(box, casesSvc.ReminderWorker())
	appURL := opts.AppURL
	if appURL == "" {
		appURL = config.DefaultAppURL
	}
	accountsSvc.UseRecovery(accounts.Recovery{Outbox: box, Limiter: limiter, Key: accounts.DeriveResetKey(opts.JWTSecret),
		AppURL: appURL, Now: opts.Now})
	mailer := opts.Email
	if mailer == nil {
		mailer = &email.LogSender{Log: opts.Logger}
	}
	outbox.Register(box, accountsSvc.ResetEmailWorker(mailer, opts.Logger))
	listener := live.NewListener(opts.DatabaseURL, live.NewHub(), opts.Logger)
	casesSvc.UseLive(listener, opts.Logger)
	notifySvc := notify.NewService(db, opts.Now)
	notifySvc.UseLive(listener, opts.Logger)
	partnersSvc := partners.NewService(db, opts.Now, casesSvc)
	privacySvc := privacy.NewService(db, opts.Now)
	privacySvc.UseCases(casesSvc.WithdrawOpenFor)
	reportSvc := report.NewService(db, opts.Now)
	r := &graph.Resolver{
		Auth:      authSvc,
		Accounts:  accountsSvc,
		Cases:     casesSvc,
		Audit:     audit.NewService(db),
		Referrals: referralsSvc,
		Notify:    notifySvc,
		Guides:    guidesSvc,
		Report:    reportSvc,
		Devices:   devices.NewService(db, opts.Now),
		Privacy:   privacySvc,
		Partners:  partnersSvc,
	}
	src := loaders.Sources{
		UsersByID:                  accountsSvc.UsersByID,
		OrganizationsByID:          accountsSvc.OrganizationsByID,
		CaseTimelines:              casesSvc.Timelines,
		OutcomesByCaseID:           casesSvc.OutcomesByCaseID,
		AccessLogs:                 privacySvc.AccessLogs,
		CapacitiesByOrganizationID: partnersSvc.CapacitiesByOrganizationID,
		ReferralsByID:              referralsSvc.ReferralsByID,
		CasesByReferralID:          casesSvc.CasesByReferralID,
		SharedCaseStatuses:         referralsSvc.SharedCaseStatuses,
		Guides: loaders.GuideSources{
			RevisionsByGuide: guidesSvc.RevisionsByGuide,
			Translations:     guidesSvc.Translations,
			RelatedForCases:  guidesSvc.RelatedForCases,
			PublishedBySlugs: guidesSvc.PublishedBySlugs,
		},
	}

	var planner *compiled.Planner
	var compiledReads graphql.HandlerExtension // nil, not a nil *Planner, when off
	if opts.CompiledReads {
		var err error
		if planner, err = compiled.New(compiled.Options{DB: db, Now: opts.Now, Logger: opts.Logger, Services: compiled.Services{Cases: casesSvc, Guides: guidesSvc}}); err != nil {
			panic(err) // only a GORM handle without a database/sql pool fails, never the app's
		}
		compiledReads = planner
	}
	observers := []graphql.HandlerExtension{observe.Metrics(meters)}
	if opts.TracerProvider != nil {
		observers = append(observers, observe.Tracing(opts.TracerProvider))
	}
	gql := graph.NewServer(r, graph.ServerOptions{
		Observers:       observers,
		CompiledReads:   compiledReads,
		Development:     opts.Development,
		Logger:          opts.Logger,
		WebsocketAuth:   authSvc.Authenticate,
		Now:             opts.Now,
		SocketOperation: func(ctx context.Context) context.Context { return loaders.With(ctx, src) },
		AllowedOrigins:  opts.AllowedOrigins,
		Limits:          opts.DocumentLimits,
		Sockets:         socketLimits(opts.SocketLimits, limiter),
		Directives:      opts.Directives,
	})
	// A subscription checks its caller's session once more after it
	// registers: a revocation racing its start is not missed.
	listener.Verify(func(ctx context.Context) error {
		p, err := auth.Require(ctx)
		if err != nil {
			return err
		}
		return authSvc.CheckSession(ctx, p)
	})

	mux := http.NewServeMux()
	mux.Handle("/graphql", meters.Route("/graphql", i18n.Middleware(httpx.LimitBody(authSvc.Middleware(loaders.Middleware(src, graph.StatusPolicy(gql)))))))
	mux.Handle("GET /me/export.json", meters.Route("/me/export.json", i18n.Middleware(authSvc.Middleware(privacySvc.ExportHandler(opts.Logger)))))
	mux.Handle("GET /reports/partnership.csv", meters.Route("/reports/partnership.csv", i18n.Middleware(authSvc.Middleware(reportSvc.CSVHandler(opts.Logger)))))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		if msg := readiness(req.Context(), db); msg != "" {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(msg + "\n"))
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	if opts.Development {
		mux.Handle("GET /{$}", graphiql.Page("MLP GraphQL", "/graphql"))
		mux.Handle("GET "+graphiql.AssetsPath, graphiql.Assets())
		if opts.MetricsOnMainPort {
			mux.Handle("GET /metrics", meters.Handler())
		}
	}
	// Security headers and the request deadline wrap everything, but
	// inside the proxies' middleware (HSTS needs the client's scheme).
	hardened := httpx.SecureHeaders("/", httpx.Deadline(opts.RequestTimeout, mux))
	var sequencer *audit.Sequencer
	if opts.Workers {
		sequencer = audit.NewSequencer(db, opts.AuditChainInterval, opts.Logger)
	}
	return &App{Handler: httpx.Observe(opts.Logger, opts.TrustedProxies.Middleware(httpx.CORS(opts.AllowedOrigins, httpx.Compress(hardened)))),
		Resolver: r, Tokens: tokens, Listener: listener, Outbox: box, Push: pushWorker, Planner: planner, Metrics: meters,
		sequencer: sequencer}
}

// readiness returns why the database cannot serve now ("pool exhausted",
// "database unreachable"), or "" when it can.
func readiness(ctx context.Context, db *gorm.DB) string {
	if database.PoolExhausted(db) {
		return "pool exhausted"
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	sqlDB, err := db.DB()
	if err == nil {
		err = sqlDB.PingContext(ctx)
	}
	switch {
	case err == nil:
		return ""
	case database.PoolExhausted(db):
		return "pool exhausted"
	}
	return "database unreachable"
}

// socketLimits holds each signed-in websocket as a lease of the user's
// SocketsPerUser bucket until the connection ends: the lease is renewed while
// the connection lives, released when it closes, and expires (the rule's
// window) should this instance die first.
func socketLimits(l graph.SocketLimits, limiter *ratelimit.Limiter) graph.SocketLimits {
	rule := limiter.Rules().SocketsPerUser
	l.Hold = func(ctx context.Context, p *auth.Principal) error {
		lease, err := limiter.Acquire(ctx, rule.For(p.ID.String()))
		if err != nil {
			return err
		}
		go lease.Keep(ctx)
		return nil
	}
	return l
}
