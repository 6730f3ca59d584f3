package cases_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/internal/cases"
	"mlp/models"
)

// scanCountRouting is the routing statement before partnerships and counties
// (kept here only to compare): it counted every open case of each candidate.
const scanCountRouting = `SELECT o.* FROM organizations o
	WHERE o.kind = 'LEGAL_AID' AND o.service_areas @> ARRAY[?]::text[] AND o.categories @> ARRAY[?]::text[]
	ORDER BY (SELECT count(*) FROM cases c WHERE c.organization_id = o.id
		AND c.status NOT IN ('RESOLVED', 'UNRESOLVED', 'DECLINED', 'WITHDRAWN')), o.created_at, o.id
	LIMIT 1`

// BenchmarkRouteStatement runs the routing statement alone, the old one
// (count the candidates' open cases) and today's (routeOne: capacity,
// partnership and the trigger-kept counter), interleaved on the same data,
// two partners with 10,000 open cases between them.
//
//	go test ./internal/cases -run '^$' -bench RouteStatement -benchtime 500x -count 3
func BenchmarkRouteStatement(b *testing.B) {
	s := apptest.New(b)
	seedRoutingLoad(b, s, "AR", 10_000)
	patient := uuid.New()
	b.Run("scan-count", func(b *testing.B) {
		for b.Loop() {
			var orgs []models.Organization
			if err := s.DB.Raw(scanCountRouting, "AR", "HOUSING").Scan(&orgs).Error; err != nil || len(orgs) != 1 {
				b.Fatal(err, len(orgs))
			}
		}
	})
	b.Run("counter", func(b *testing.B) {
		for b.Loop() {
			var id []uuid.UUID
			if err := s.DB.Raw(`SELECT id FROM (`+cases.RouteOneSQL+`) r`, "AR", "{}", "HOUSING", nil, patient).Scan(&id).Error; err != nil || len(id) != 1 {
				b.Fatal(err, len(id))
			}
		}
	})
}

// TestRoutingReadsNoCaseRow checks the plan of the routing statement: it
// reads no row of cases (the tie-break is organization_open_cases, by its
// primary key), so its cost does not grow with the cases table.
func TestRoutingReadsNoCaseRow(t *testing.T) {
	s := apptest.New(t)
	var plan []string
	if err := s.DB.Raw(`EXPLAIN `+cases.RouteOneSQL, "CA", "{06037}", "HOUSING", nil, uuid.New()).Scan(&plan).Error; err != nil {
		t.Fatal(err)
	}
	text := strings.Join(plan, "\n")
	for _, line := range plan {
		if strings.Contains(line, " on cases ") || strings.HasSuffix(line, " on cases") || strings.Contains(line, "using cases_") {
			t.Fatalf("routing reads cases:\n%s", text)
		}
	}
	if !strings.Contains(text, "organization_open_cases") {
		t.Fatalf("routing does not read the counter:\n%s", text)
	}
}
