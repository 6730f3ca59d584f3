package app_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/vektah/gqlparser/v2/ast"

	"mlp/graph"
	"mlp/internal/app"
	"mlp/internal/apptest"
	"mlp/internal/cases"
	"mlp/models"
)

// scrape GETs url and parses Prometheus's text format.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, b)
	}
	return fams
}

// value is the sum of the samples of name whose labels include want (a
// counter's or gauge's value, a histogram's count).
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	f := fams[name]
	if f == nil {
		return 0
	}
	total := 0.0
next:
	for _, m := range f.Metric {
		for _, l := range m.Label {
			if v, ok := want[l.GetName()]; ok && v != l.GetValue() {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			total += m.Counter.GetValue()
		case m.Gauge != nil:
			total += m.Gauge.GetValue()
		case m.Histogram != nil:
			total += float64(m.Histogram.GetSampleCount())
		case m.Untyped != nil:
			total += m.Untyped.GetValue()
		}
	}
	return total
}

var uuidRE = regexp.MustCompile(`(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}`)

// TestMetrics drives traffic that carries personal data in every place a
// client controls (emails, passwords, tokens, ids, free text in variables,
// operation names and invented field names), then scrapes /metrics: the
// figures moved with the traffic, and no label value holds any of it.
func TestMetrics(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	metricsAddr := httptest.NewServer(s.App.Metrics.Handler()) // METRICS_ADDR's listener
	t.Cleanup(metricsAddr.Close)
	url := metricsAddr.URL + "/metrics"
	before := scrape(t, url)

	patient, token := s.User(t, models.RolePatient, nil)
	const freeText = "Maria Lopez evicted from 12 Elm Street"
	s.Do(t, token, `{ me { id displayName } }`, nil).MustOK(t)
	s.Do(t, token, `query `+strings.ReplaceAll("patient_"+patient.ID.String(), "-", "_")+` { me { id } }`, nil).MustOK(t)
	s.Do(t, "", `{ legalPartners { name } me { id } }`, nil).MustOK(t)
	s.Do(t, token, `{ myCases(first: 5) { totalCount } }`, nil).MustOK(t) // answered by the compiled read path
	for range 2 {
		s.Do(t, "", `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`,
			map[string]any{"e": patient.Email, "p": freeText}).MustCode(t, "UNAUTHENTICATED")
	}
	// An invented field, and an operationName that is an email.
	s.Do(t, token, `{ maria_lopez_diagnosis }`, nil).MustCode(t, "BAD_USER_INPUT")
	req := s.Request(t, token, `query A { me { id } }`, nil)
	req.Body = io.NopCloser(strings.NewReader(`{"query":"query A { me { id } }","operationName":"` + patient.Email + `"}`))
	req.ContentLength = -1
	s.Send(t, req).MustCode(t, "BAD_USER_INPUT")
	// A case read with someone else's id (free text in a variable: the id).
	s.Do(t, token, `query($id: ID!) { case(id: $id) { id } }`, map[string]any{"id": patient.ID.String()}).MustCode(t, "NOT_FOUND")

	// A case with a deadline schedules its reminders in the outbox.
	deadline := time.Now().AddDate(0, 2, 0).Format("2006-01-02")
	s.Do(t, token, requestHelpDoc, map[string]any{"in": map[string]any{
		"idempotencyKey": uuid.NewString(), "category": "HOUSING", "jurisdiction": "CA", "consentToShare": true,
		"description": freeText, "deadline": deadline}}).MustOK(t)

	// A websocket with one subscription is counted while it is open.
	ws := s.Dial(t, token)
	sub := ws.Subscribe(t, `subscription { notificationAdded { id } }`, nil)
	open := eventually(t, url, func(f map[string]*dto.MetricFamily) bool {
		return value(f, "mlp_websockets_open", nil) == 1 &&
			value(f, "mlp_graphql_subscriptions_active", map[string]string{"operation": "notificationAdded"}) == 1
	})
	sub.Stop(t)
	eventually(t, url, func(f map[string]*dto.MetricFamily) bool {
		return value(f, "mlp_graphql_subscriptions_active", nil) == 0
	})
	ws.Close()
	eventually(t, url, func(f map[string]*dto.MetricFamily) bool { return value(f, "mlp_websockets_open", nil) == 0 })

	after := scrape(t, url)
	delta := func(name string, labels map[string]string) float64 {
		return value(after, name, labels) - value(before, name, labels)
	}
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"mlp_graphql_operations_total", map[string]string{"operation": "me", "type": "query", "code": "OK"}, 2},
		{"mlp_graphql_operations_total", map[string]string{"operation": "multiple", "type": "query", "code": "OK"}, 1},
		{"mlp_graphql_operations_total", map[string]string{"operation": "login", "type": "mutation", "code": "UNAUTHENTICATED"}, 2},
		{"mlp_graphql_operations_total", map[string]string{"operation": "other", "code": "BAD_USER_INPUT"}, 2},
		{"mlp_graphql_operations_total", map[string]string{"operation": "case", "code": "NOT_FOUND"}, 1},
		{"mlp_graphql_operations_total", map[string]string{"operation": "notificationAdded", "type": "subscription"}, 1},
		{"mlp_graphql_operation_duration_seconds", map[string]string{"operation": "me", "type": "query"}, 2},
		{"mlp_login_failures_total", map[string]string{"reason": "invalid_credentials"}, 2},
		{"mlp_graphql_operations_total", map[string]string{"operation": "requestLegalHelp", "type": "mutation", "code": "OK"}, 1},
		{"mlp_graphql_operations_total", map[string]string{"operation": "myCases", "type": "query", "code": "OK"}, 1},
		{"mlp_http_requests_total", map[string]string{"route": "/graphql", "code": "200"}, 10},
		{"mlp_http_requests_total", map[string]string{"route": "/graphql", "code": "101"}, 1},
	} {
		if got := delta(c.name, c.labels); got != c.want {
			t.Errorf("%s%v moved by %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if value(open, "mlp_go_sql_max_open_connections", nil) <= 0 || value(after, "mlp_outbox_scrape_errors", nil) != 0 {
		t.Errorf("pool max %v, outbox scrape errors %v", value(open, "mlp_go_sql_max_open_connections", nil), value(after, "mlp_outbox_scrape_errors", nil))
	}
	// Other tests of the package share the database's outbox: at least
	// this case's reminders (its deadline is two months ahead: 2 of them, 7 days and 1 day before).
	if got := delta("mlp_outbox_jobs", map[string]string{"state": "scheduled", "kind": cases.ReminderKind}); got < 2 {
		t.Errorf("scheduled reminders moved by %v, want at least 2", got)
	}

	secrets := []string{patient.Email, patient.ID.String(), token, freeText, "maria", "patient_"}
	roots := rootFields()
	for name, f := range after {
		if !strings.HasPrefix(name, "mlp_") {
			t.Errorf("metric %s is not prefixed mlp_", name)
		}
		for _, m := range f.Metric {
			for _, l := range m.Label {
				v := l.GetValue()
				if strings.Contains(v, "@") || uuidRE.MatchString(v) || strings.HasPrefix(v, "ey") {
					t.Errorf("%s{%s=%q}: an email, id or token", name, l.GetName(), v)
				}
				for _, sec := range secrets {
					if strings.Contains(strings.ToLower(v), strings.ToLower(sec)) {
						t.Errorf("%s{%s=%q} carries %q", name, l.GetName(), v, sec)
					}
				}
				if l.GetName() == "operation" && !roots[v] {
					t.Errorf("%s: operation %q is not a root field of the schema", name, v)
				}
			}
		}
	}
}

// eventually scrapes until ok holds (at most 5 s) and returns that scrape.
func eventually(t *testing.T, url string, ok func(map[string]*dto.MetricFamily) bool) map[string]*dto.MetricFamily {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		f := scrape(t, url)
		if ok(f) {
			return f
		}
		if time.Now().After(deadline) {
			t.Fatalf("gauges did not reach the expected values: websockets %v, subscriptions %v",
				value(f, "mlp_websockets_open", nil), value(f, "mlp_graphql_subscriptions_active", nil))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// rootFields are the values the operation label may take.
func rootFields() map[string]bool {
	out := map[string]bool{"multiple": true, "other": true, "__typename": true, "__schema": true, "__type": true}
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	for _, d := range []*ast.Definition{schema.Query, schema.Mutation, schema.Subscription} {
		for _, f := range d.Fields {
			out[f.Name] = true
		}
	}
	return out
}

// TestMetricsNotOnPublicPort: in production /metrics is not served on the
// API's port (cmd/server serves it on METRICS_ADDR); in development it is
// when asked (no METRICS_ADDR set).
func TestMetricsNotOnPublicPort(t *testing.T) {
	t.Parallel()
	prod := apptest.New(t, func(o *app.Options) { o.Development, o.MetricsOnMainPort = false, true })
	if resp, err := http.Get(prod.URL + "/metrics"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("production GET /metrics on the API port: %v %v", resp.StatusCode, err)
	}
	dev := apptest.New(t, func(o *app.Options) { o.MetricsOnMainPort = true })
	if f := scrape(t, dev.URL+"/metrics"); f["mlp_graphql_operations_total"] == nil && f["mlp_go_goroutines"] == nil {
		t.Fatal("development /metrics without mlp_ metrics")
	}
	if resp, err := http.Get(apptest.New(t).URL + "/metrics"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("development with METRICS_ADDR: GET /metrics on the API port: %v %v", resp.StatusCode, err)
	}
}
