// Package metrics holds the Prometheus metrics of the server (client_golang),
// every name prefixed mlp_: GraphQL operations by root field and outcome
// code with their latency, HTTP requests by route, the database pool, open
// websockets and active subscriptions, the outbox's backlog and failed jobs,
// and failed sign-ins.
//
// No label carries user data. Every label value comes from a closed set the
// server defines: the schema's root field names ("other" for anything else),
// the contract's error codes, the routes of the HTTP mux, the job kinds and
// states of the outbox, a fixed list of reasons. The client's free-form
// operationName is never used.
package metrics

import (
	"context"
	"database/sql"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Prefix starts every metric name.
const Prefix = "mlp_"

// Metrics is one process's registry and instruments. Each App has its own, so
// that tests running several servers in one process do not mix figures.
type Metrics struct {
	reg *prometheus.Registry

	operations    *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	subscriptions *prometheus.GaugeVec
	websockets    prometheus.Gauge
	loginFailures *prometheus.CounterVec
	jobFailures   *prometheus.CounterVec
	httpRequests  *prometheus.CounterVec
	httpDuration  *prometheus.HistogramVec
}

// Login failure reasons (the reason label of mlp_login_failures_total).
const (
	LoginInvalidCredentials = "invalid_credentials"
	LoginRateLimited        = "rate_limited"
)

// New registers the instruments; db is the application's pool (its stats
// and the outbox's backlog are read from it at each scrape).
func New(db *sql.DB) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{reg: reg}
	f := prometheus.WrapRegistererWithPrefix(Prefix, reg)
	m.operations = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "graphql_operations_total",
		Help: "GraphQL operations by root field (\"multiple\" when several, \"other\" when none is known), type and outcome code (OK or the first error's extensions.code).",
	}, []string{"operation", "type", "code"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "graphql_operation_duration_seconds",
		Help: "Time from the start of a GraphQL operation (parsing) to its answer, by root field and type; a subscription's is the time to its first event.",
		// 2.5 ms .. 10 s
		Buckets: []float64{.0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"operation", "type"})
	m.subscriptions = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "graphql_subscriptions_active",
		Help: "Subscriptions running now, by root field.",
	}, []string{"operation"})
	m.websockets = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "websockets_open",
		Help: "Websocket connections open now.",
	})
	m.loginFailures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "login_failures_total",
		Help: "Refused sign-ins: invalid_credentials (wrong email or password, or a disabled account) or rate_limited.",
	}, []string{"reason"})
	m.jobFailures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "outbox_job_failures_total",
		Help: "Failed attempts of outbox jobs (push, email, reminders), by job kind; each is retried until its attempts run out.",
	}, []string{"kind"})
	m.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "http_requests_total",
		Help: "HTTP requests by route and status code.",
	}, []string{"route", "code"})
	m.httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "http_request_duration_seconds",
		Help:    "HTTP request latency by route (a websocket's is the connection's lifetime).",
		Buckets: []float64{.0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route"})
	f.MustRegister(m.operations, m.duration, m.subscriptions, m.websockets, m.loginFailures, m.jobFailures,
		m.httpRequests, m.httpDuration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if db != nil {
		f.MustRegister(collectors.NewDBStatsCollector(db, "app"), &outboxCollector{db: db})
	}
	return m
}

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// Registry is the registry of the instruments (tests gather it).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// LoginFailed counts a refused sign-in; reason is LoginInvalidCredentials or
// LoginRateLimited.
func (m *Metrics) LoginFailed(reason string) {
	if m == nil {
		return
	}
	m.loginFailures.WithLabelValues(reason).Inc()
}

// JobFailed counts a failed attempt of an outbox job of kind (a kind the
// code registers, never data).
func (m *Metrics) JobFailed(kind string) {
	if m == nil {
		return
	}
	m.jobFailures.WithLabelValues(kind).Inc()
}

// Route instruments the handler of one route of the mux: requests by status
// and their latency, under route (the mux pattern, never the request's own
// path, which may hold ids). A websocket upgrade on it counts as open until
// the connection ends.
func (m *Metrics) Route(route string, next http.Handler) http.Handler {
	if m == nil {
		return next
	}
	counter := m.httpRequests.MustCurryWith(prometheus.Labels{"route": route})
	duration := m.httpDuration.MustCurryWith(prometheus.Labels{"route": route})
	h := promhttp.InstrumentHandlerCounter(counter, promhttp.InstrumentHandlerDuration(duration, next))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" {
			// The transport serves the socket inside this call.
			m.websockets.Inc()
			defer m.websockets.Dec()
		}
		h.ServeHTTP(w, r)
	})
}

// outboxCollector reads the outbox's backlog from river_job at each scrape:
// jobs waiting (available, scheduled, retryable), running, and discarded
// (given up after their last attempt, kept until River's retention ends).
type outboxCollector struct{ db *sql.DB }

var outboxJobs = prometheus.NewDesc("outbox_jobs", "Outbox jobs by state (available, scheduled, retryable, running, discarded) and kind.",
	[]string{"state", "kind"}, nil)

var outboxScrapeErrors = prometheus.NewDesc("outbox_scrape_errors", "1 when the outbox's backlog could not be read at this scrape.", nil, nil)

// Describe is left empty: the collector is unchecked, its kinds are known
// only from the table. (The registerer adds the prefix to its names.)
func (c *outboxCollector) Describe(chan<- *prometheus.Desc) {}

// Collect counts the jobs by state and kind, within 2 s.
func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	rows, err := c.db.QueryContext(ctx, `SELECT state::text, kind, count(*) FROM river_job
		WHERE state IN ('available', 'scheduled', 'retryable', 'running', 'discarded') GROUP BY state, kind`)
	failed := 0.0
	if err == nil {
		defer rows.Close()
		for rows.Next() {
			var state, kind string
			var n int64
			if err = rows.Scan(&state, &kind, &n); err != nil {
				break
			}
			ch <- prometheus.MustNewConstMetric(outboxJobs, prometheus.GaugeValue, float64(n), state, kind)
		}
		if err == nil {
			err = rows.Err()
		}
	}
	if err != nil {
		failed = 1
	}
	ch <- prometheus.MustNewConstMetric(outboxScrapeErrors, prometheus.GaugeValue, failed)
}

// Operation counts one GraphQL operation answered (op: a root field name of
// the schema or one of the adapter's fixed names; typ: its type; code: OK
// or a contract error code). Labels come from closed sets only.
func (m *Metrics) Operation(op, typ, code string) {
	m.operations.WithLabelValues(op, typ, code).Inc()
}

// OperationDuration observes how long an operation took to its answer.
func (m *Metrics) OperationDuration(op, typ string, d time.Duration) {
	m.duration.WithLabelValues(op, typ).Observe(d.Seconds())
}

// SubscriptionStarted counts a subscription as active until the returned
// func is called (once, when it ends).
func (m *Metrics) SubscriptionStarted(op string) (ended func()) {
	g := m.subscriptions.WithLabelValues(op)
	g.Inc()
	return g.Dec
}
