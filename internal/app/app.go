// Package app wires the services, the GraphQL server and the HTTP middleware
// into one handler. cmd/server and the tests build the server through it.
package app

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql/playground"
	"gorm.io/gorm"

	"mlp/graph"
	"mlp/graph/loaders"
	"mlp/internal/accounts"
	"mlp/internal/audit"
	"mlp/internal/auth"
	"mlp/internal/cases"
	"mlp/internal/clock"
	"mlp/internal/devices"
	"mlp/internal/guides"
	"mlp/internal/httpx"
	"mlp/internal/live"
	"mlp/internal/notify"
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
}

// App is the assembled server.
type App struct {
	Handler  http.Handler
	Resolver *graph.Resolver
	Tokens   *auth.Tokens
	// Listener feeds the subscriptions; it starts with the first one, or
	// with Listener.Start.
	Listener *live.Listener
}

// Close stops the listener, which ends every subscription.
func (a *App) Close() { a.Listener.Close() }

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
	tokens := auth.NewTokens(opts.JWTSecret, opts.Now)
	limiter := ratelimit.New(db, opts.Now)
	authSvc := auth.NewService(db, tokens, limiter, params, opts.Now)
	accountsSvc := accounts.NewService(db, authSvc)
	casesSvc := cases.NewService(db, opts.Now)
	codeKey := opts.ReferralCodeKey
	if len(codeKey) == 0 {
		codeKey = referrals.DeriveCodeKey(opts.JWTSecret)
	}
	guidesSvc := guides.NewService(db, opts.Now)
	referralsSvc := referrals.NewService(db, casesSvc, limiter, codeKey, guidesSvc, opts.Now)
	casesSvc.OnFinal(referralsSvc.CloseForCase)
	listener := live.NewListener(opts.DatabaseURL, live.NewHub(), opts.Logger)
	casesSvc.UseLive(listener, opts.Logger)
	notifySvc := notify.NewService(db, opts.Now)
	notifySvc.UseLive(listener, opts.Logger)
	r := &graph.Resolver{
		Auth:      authSvc,
		Accounts:  accountsSvc,
		Cases:     casesSvc,
		Audit:     audit.NewService(db),
		Referrals: referralsSvc,
		Notify:    notifySvc,
		Guides:    guidesSvc,
		Report:    report.NewService(db),
		Devices:   devices.NewService(db, opts.Now),
	}
	src := loaders.Sources{
		UsersByID:          accountsSvc.UsersByID,
		OrganizationsByID:  accountsSvc.OrganizationsByID,
		CaseTimelines:      casesSvc.Timelines,
		OutcomesByCaseID:   casesSvc.OutcomesByCaseID,
		ReferralsByID:      referralsSvc.ReferralsByID,
		CasesByReferralID:  casesSvc.CasesByReferralID,
		SharedCaseStatuses: referralsSvc.SharedCaseStatuses,
		Guides: loaders.GuideSources{
			RevisionsByGuide: guidesSvc.RevisionsByGuide,
			Translations:     guidesSvc.Translations,
			RelatedForCases:  guidesSvc.RelatedForCases,
			PublishedBySlugs: guidesSvc.PublishedBySlugs,
		},
	}

	gql := graph.NewServer(r, graph.ServerOptions{
		Development:     opts.Development,
		Logger:          opts.Logger,
		WebsocketAuth:   authSvc.Authenticate,
		Now:             opts.Now,
		SocketOperation: func(ctx context.Context) context.Context { return loaders.With(ctx, src) },
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
	mux.Handle("/graphql", httpx.LimitBody(authSvc.Middleware(loaders.Middleware(src, gql))))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, req *http.Request) {
		ctx, cancel := context.WithTimeout(req.Context(), 2*time.Second)
		defer cancel()
		sqlDB, err := db.DB()
		if err == nil {
			err = sqlDB.PingContext(ctx)
		}
		w.Header().Set("Content-Type", "text/plain")
		if err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("database unreachable\n"))
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	if opts.Development {
		mux.Handle("GET /{$}", playground.Handler("MLP GraphQL", "/graphql"))
	}
	return &App{Handler: httpx.Observe(opts.Logger, mux), Resolver: r, Tokens: tokens, Listener: listener}
}
