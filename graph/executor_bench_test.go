package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"mlp/graph/model"
	"mlp/internal/auth"
	"mlp/internal/loadtest"
	"mlp/models"
)

// memoryRoot answers loadtest.Query's resolvers from memory, so that a benchmark
// measures the GraphQL layer alone: gqlgen's execution and the server's
// extensions, HTTP handling and JSON, without any database work.
type memoryRoot struct {
	*Resolver
	cases    *model.CaseConnection
	org      *models.Organization
	timeline map[uuid.UUID]*model.CaseEventConnection
}

func (m *memoryRoot) Query() QueryResolver { return memoryQuery{&queryResolver{m.Resolver}, m} }
func (m *memoryRoot) Case() CaseResolver   { return memoryCase{&caseResolver{m.Resolver}, m} }

type memoryQuery struct {
	*queryResolver
	m *memoryRoot
}

func (q memoryQuery) MyCases(context.Context, []models.CaseStatus, *int, *string) (*model.CaseConnection, error) {
	return q.m.cases, nil
}

type memoryCase struct {
	*caseResolver
	m *memoryRoot
}

func (c memoryCase) Urgent(context.Context, *models.Case) (bool, error) { return false, nil }

func (c memoryCase) Organization(context.Context, *models.Case) (*models.Organization, error) {
	return c.m.org, nil
}

func (c memoryCase) Timeline(_ context.Context, obj *models.Case, _ *int, _ *string) (*model.CaseEventConnection, error) {
	return c.m.timeline[obj.ID], nil
}

// newMemoryRoot builds the answer of loadtest.Query for cmd/loadgen's data set: 50
// cases with eventsPerCase events each.
func newMemoryRoot(eventsPerCase int) *memoryRoot {
	org := &models.Organization{ID: uuid.New(), Name: "Loadgen Legal Aid"}
	m := &memoryRoot{Resolver: &Resolver{}, org: org, cases: &model.CaseConnection{PageInfo: &model.PageInfo{}},
		timeline: map[uuid.UUID]*model.CaseEventConnection{}}
	status := models.CaseReceived
	now := time.Now()
	for i := range 50 {
		c := &models.Case{ID: uuid.New(), Reference: "MLP-2019-000123", Status: status,
			Category: models.CategoryHousing, OrganizationID: &org.ID, CreatedAt: now.Add(-time.Duration(i) * time.Hour)}
		m.cases.Edges = append(m.cases.Edges, &model.CaseEdge{Node: c, Cursor: "c" + c.ID.String()})
		tl := &model.CaseEventConnection{PageInfo: &model.PageInfo{}, TotalCount: eventsPerCase}
		for j := range eventsPerCase {
			msg := "Timeline entry"
			e := &models.CaseEvent{ID: uuid.New(), CaseID: c.ID, Kind: models.EventStatusChanged, ToStatus: &status,
				Message: &msg, VisibleToPatient: true, CreatedAt: c.CreatedAt.Add(time.Duration(j) * time.Minute)}
			tl.Edges = append(tl.Edges, &model.CaseEventEdge{Node: e, Cursor: "e" + e.ID.String()})
		}
		m.timeline[c.ID] = tl
	}
	return m
}

// BenchmarkLoadQueryWithoutDatabase serves cmd/loadgen's query through the
// server's own gqlgen handler (NewServer: same extensions, query cache and
// complexity limit) with every resolver answering from memory. It is the
// floor under the load test: run it with -cpu 1 to read the CPU time one
// request costs the GraphQL layer before any database work.
func BenchmarkLoadQueryWithoutDatabase(b *testing.B) {
	for _, events := range []int{loadtest.EventsPerCase, 10} {
		b.Run(fmt.Sprintf("%devents", events), func(b *testing.B) {
			srv := NewServer(newMemoryRoot(events), ServerOptions{})
			body, err := json.Marshal(map[string]string{"operationName": "Load", "query": loadtest.Query})
			if err != nil {
				b.Fatal(err)
			}
			patient := &auth.Principal{ID: uuid.New(), Role: models.RolePatient}
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequestWithContext(auth.WithPrincipal(context.Background(), patient),
					http.MethodPost, "/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				w := httptest.NewRecorder()
				srv.ServeHTTP(w, req)
				if w.Code != http.StatusOK || !strings.HasPrefix(w.Body.String(), `{"data":{"myCases":{"edges":[{`) {
					b.Fatalf("HTTP %d: %.300s", w.Code, w.Body.String())
				}
			}
		})
	}
}
