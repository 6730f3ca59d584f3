package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"

	"mlp/graph"
	"mlp/internal/app"
	"mlp/internal/audit"
	"mlp/internal/auth"
	"mlp/internal/clock"
	"mlp/internal/config"
	"mlp/internal/database"
	"mlp/internal/email"
	"mlp/internal/logbuf"
	"mlp/internal/push"
	"mlp/internal/seed"
	"mlp/internal/tracing"
	"mlp/models"
)

// shutdownTimeout is how long in-flight requests may take to finish.
const shutdownTimeout = 20 * time.Second

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	// The command first: a mistyped one says so before anything connects
	// to, or creates, a database.
	if err := checkCommand(args); err != nil {
		return err
	}
	if len(args) == 1 && args[0] == "healthcheck" {
		return healthcheck(ctx, getenv)
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	// Logging never blocks serving: lines wait in a bounded buffer and are
	// dropped (and counted) when stderr does not keep up.
	logOut := logbuf.New(stderr, cfg.Limits.LogBufferLines)
	defer logOut.Close() //nolint:errcheck
	log := newLogger(cfg, logOut)
	if err := database.EnsureDatabase(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	// The application's one clock: GORM's and every service's.
	clk := clock.System
	dbOpts := database.Options{
		URL: cfg.DatabaseURL, MaxConns: cfg.DBMaxConns, SlowQueryThreshold: cfg.SlowQueryThreshold, Logger: log, Now: clk,
		AcquireTimeout: cfg.Limits.DBAcquireTimeout,
	}
	var tp trace.TracerProvider // nil: no tracing
	if cfg.OTLPEndpoint != "" {
		sdk, err := tracing.New(ctx, cfg.OTLPEndpoint)
		if err != nil {
			return err
		}
		defer func() { // flush the last spans
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			_ = sdk.Shutdown(sctx)
		}()
		tp, dbOpts.QueryTracer = sdk, tracing.SQL(sdk)
		log.Info("tracing", "endpoint", cfg.OTLPEndpoint)
	}
	db, err := database.Open(ctx, dbOpts)
	if err != nil {
		return err
	}
	defer database.Close(db) //nolint:errcheck

	if len(args) > 0 && args[0] == "migrate" {
		return migrate(ctx, db, args[1:], stdout)
	}
	if len(args) > 0 && args[0] == "audit" {
		return auditCommand(ctx, db, args[1:], stdout)
	}
	return serve(ctx, cfg, db, clk, log, tp)
}

// healthcheck asks the server running on this machine's PORT whether it is
// ready (GET /readyz), for a container's HEALTHCHECK: the image has no shell
// or curl, only this binary. It fails unless the answer is 200.
func healthcheck(ctx context.Context, getenv func(string) string) error {
	port := getenv(config.KeyPort)
	if port == "" {
		port = strconv.Itoa(config.DefaultPort)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort("127.0.0.1", port)+"/readyz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: /readyz answered %d", resp.StatusCode)
	}
	return nil
}

// checkCommand refuses a command line the server does not know.
func checkCommand(args []string) error {
	switch {
	case len(args) == 0, len(args) == 1 && args[0] == "healthcheck":
		return nil
	case args[0] == "migrate" && (len(args) == 1 || len(args) == 2 && slices.Contains([]string{"up", "down", "status"}, args[1])):
		return nil
	case args[0] == "migrate":
		return fmt.Errorf("unknown migrate command %q (up, down, status)", strings.Join(args[1:], " "))
	case args[0] == "audit" && len(args) == 2 && args[1] == "verify":
		return nil
	case args[0] == "audit":
		return fmt.Errorf("unknown audit command %q (audit verify)", strings.Join(args[1:], " "))
	}
	return fmt.Errorf("unknown command %q (commands: migrate up|down|status, audit verify, healthcheck)", args[0])
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Development() {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func migrate(ctx context.Context, db *gorm.DB, args []string, stdout io.Writer) error {
	p, err := database.Provider(db)
	if err != nil {
		return err
	}
	cmd := "up"
	if len(args) > 0 {
		cmd = args[0]
	}
	switch cmd {
	case "up":
		res, err := p.Up(ctx)
		for _, r := range res {
			fmt.Fprintln(stdout, "applied", r.Source.Path)
		}
		return err
	case "down":
		r, err := p.Down(ctx)
		if r != nil {
			fmt.Fprintln(stdout, "rolled back", r.Source.Path)
		}
		return err
	case "status":
		st, err := p.Status(ctx)
		for _, s := range st {
			at := "pending"
			if !s.AppliedAt.IsZero() {
				at = "applied " + s.AppliedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(stdout, "%-40s %s\n", s.Source.Path, at)
		}
		return err
	}
	return fmt.Errorf("unknown migrate command %q (up, down, status)", cmd)
}

// errAuditBroken is the failure of `audit verify` on a broken chain; the
// report itself went to stdout.
var errAuditBroken = errors.New("the audit trail's hash chain is broken")

// auditCommand runs `audit verify`: it chains the committed entries still
// pending (the sequencer may be minutes behind, or stopped), walks the audit
// trail's hash chain and prints the count checked and still pending, or the
// first broken link and fails.
func auditCommand(ctx context.Context, db *gorm.DB, args []string, stdout io.Writer) error {
	if len(args) != 1 || args[0] != "verify" {
		return fmt.Errorf("unknown audit command %q (audit verify)", strings.Join(args, " "))
	}
	if _, err := audit.ChainPending(ctx, db); err != nil {
		return fmt.Errorf("audit verify: chain the pending entries: %w", err)
	}
	v, err := audit.Verify(ctx, db)
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	fmt.Fprintln(stdout, v)
	if !v.OK() {
		return errAuditBroken
	}
	return nil
}

func serve(ctx context.Context, cfg config.Config, db *gorm.DB, clk clock.Clock, log *slog.Logger, tp trace.TracerProvider) error {
	if cfg.JWTSecretGenerated {
		log.Warn("JWT_SECRET is not set: using a random secret; tokens end when the server stops")
	}
	res, err := database.Migrate(ctx, db)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if len(res) > 0 {
		log.Info("migrations applied", "count", len(res))
	}
	var mailer email.Sender // nil: the log sender
	if cfg.SMTP != nil {
		if mailer, err = email.NewSMTP(*cfg.SMTP, cfg.SMTPFrom, nil); err != nil {
			return err
		}
	}
	if cfg.AppURLDefaulted && !cfg.Development() {
		log.Warn("APP_URL is not set: password-reset emails link to " + config.DefaultAppURL + "; set it to the web app's address")
	}
	a := app.New(app.Options{DB: db, Logger: log, JWTSecret: cfg.JWTSecret, ReferralCodeKey: cfg.ReferralCodeKey,
		Email: mailer, AppURL: cfg.AppURL,
		Development: cfg.Development(), DatabaseURL: cfg.DatabaseURL, Workers: cfg.Workers, CompiledReads: cfg.CompiledReads,
		AuditChainInterval: cfg.AuditChainInterval,
		AllowedOrigins:     cfg.CORSAllowedOrigins, JWTPreviousSecret: cfg.JWTPreviousSecret, RateLimits: &cfg.Limits.RateLimits,
		TrustedProxies: cfg.Limits.TrustedProxies, Now: clk, RequestTimeout: cfg.Limits.RequestTimeout, MetricsOnMainPort: cfg.MetricsAddr == "", TracerProvider: tp,
		DocumentLimits: graph.Limits{MaxTokens: cfg.Limits.GraphQLMaxTokens, MaxFields: cfg.Limits.GraphQLMaxFields,
			MaxDepth: cfg.Limits.GraphQLMaxDepth, MaxAliases: cfg.Limits.GraphQLMaxAliases, MaxErrors: cfg.Limits.GraphQLMaxErrors},
		SocketLimits: graph.SocketLimits{InitTimeout: cfg.Limits.WSInitTimeout, MaxOperations: cfg.Limits.WSMaxSubscriptions}})
	if err := a.Start(ctx); err != nil {
		return err
	}
	defer a.Close()
	if cfg.BootstrapAdminEmail != "" && cfg.BootstrapAdminPassword != "" {
		created, err := a.Resolver.Accounts.EnsureAdmin(ctx, cfg.BootstrapAdminEmail, cfg.BootstrapAdminPassword)
		if err != nil {
			return fmt.Errorf("bootstrap admin: %w", err)
		}
		if created {
			log.Info("bootstrap admin created")
		}
	}
	if !cfg.Development() {
		switch ok, err := a.Resolver.Accounts.AdminExists(ctx); {
		case err != nil:
			return fmt.Errorf("check for an admin: %w", err)
		case !ok:
			log.Warn("no enabled ADMIN account: nobody can create staff accounts or partners. " +
				"Set BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD (or BOOTSTRAP_ADMIN_PASSWORD_FILE) and restart to create one")
		}
	}
	if cfg.SeedDemo {
		loaded, err := seed.Demo(ctx, db, func(pw string) (string, error) { return auth.HashPassword(pw, auth.DefaultArgon2) })
		if err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		if loaded {
			log.Info("demo data loaded", "password", "see README")
		}
	}
	srv := &http.Server{
		Addr:              net.JoinHostPort("", strconv.Itoa(cfg.Port)),
		Handler:           a.Handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       120 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 3)
	if cfg.PprofAddr != "" {
		ps := pprofServer(cfg.PprofAddr)
		defer ps.Close() //nolint:errcheck
		go func() {
			if err := ps.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("pprof: %w", err)
			}
		}()
		log.Info("profiling", "addr", cfg.PprofAddr)
	}
	if cfg.MetricsAddr != "" {
		ms := metricsServer(cfg.MetricsAddr, a.Metrics.Handler())
		defer ms.Close() //nolint:errcheck
		go func() {
			if err := ms.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("metrics: %w", err)
			}
		}()
		log.Info("metrics", "addr", cfg.MetricsAddr)
	}
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("listening", "addr", srv.Addr, "env", cfg.Env, "graphiql", cfg.Development(), "workers", cfg.Workers)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	a.Close() // ends the subscriptions, whose websockets Shutdown does not wait for
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err = srv.Shutdown(sctx)
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// pushSenders builds the configured push providers: FCM for Android (and
// for iOS when APNs is not configured), APNs for iOS; none: the log sender.
func pushSenders(cfg config.Config) (push.Senders, error) {
	s := push.Senders{}
	if cfg.FCMCredentialsFile != "" {
		f, err := push.NewFCM(cfg.FCMCredentialsFile, cfg.FCMEndpoint, nil)
		if err != nil {
			return nil, err
		}
		s[models.PlatformAndroid], s[models.PlatformIOS] = f, f
	}
	if cfg.APNsKeyFile != "" {
		a, err := push.NewAPNs(push.APNsConfig{KeyFile: cfg.APNsKeyFile, KeyID: cfg.APNsKeyID, TeamID: cfg.APNsTeamID,
			Topic: cfg.APNsTopic, Endpoint: cfg.APNsEndpoint})
		if err != nil {
			return nil, err
		}
		s[models.PlatformIOS] = a
	}
	return s, nil
}

// metricsServer serves the Prometheus metrics at /metrics on addr, a
// listener of its own: the public port never serves them in production.
func metricsServer(addr string, h http.Handler) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	return &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
}

// pprofServer serves net/http/pprof's handlers on addr (a loopback address,
// see config.PprofAddr), apart from the API's handler.
func pprofServer(addr string) *http.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
}
