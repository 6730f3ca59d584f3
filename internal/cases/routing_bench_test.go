package cases_test

import (
	"testing"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/models"
)

// seedRoutingLoad makes two legal-aid partners of state that take housing
// cases, with n open cases between them (most at the first), and returns a
// patient's token.
func seedRoutingLoad(b *testing.B, s *apptest.Server, state string, n int) string {
	b.Helper()
	busy := s.Org(b, models.OrgLegalAid, []string{state}, models.CategoryHousing)
	quiet := s.Org(b, models.OrgLegalAid, []string{state}, models.CategoryHousing)
	patient, tok := s.User(b, models.RolePatient, nil)
	run := uuid.NewString()[:4]
	err := s.DB.Exec(`INSERT INTO cases (id, reference, patient_id, idempotency_key, category, description, status,
			jurisdiction, organization_id, created_at, updated_at)
		SELECT gen_random_uuid(), 'MLP-8' || lpad((? % 1000)::text, 3, '0') || '-' || lpad(g::text, 6, '0'), ?, 'load-' || ? || '-' || g,
			'HOUSING', 'Load case', 'IN_PROGRESS', ?, CASE WHEN g % 10 = 0 THEN ?::uuid ELSE ?::uuid END, now(), now()
		FROM generate_series(1, ?) g`, len(run)*int(run[0]), patient.ID, run, state, quiet.ID, busy.ID, n).Error
	if err != nil {
		b.Fatal(err)
	}
	if err := s.DB.Exec(`ANALYZE cases`).Error; err != nil {
		b.Fatal(err)
	}
	return tok
}

// BenchmarkRequestLegalHelpRouted opens cases over HTTP where two partners
// serve the state and hold 10,000 open cases: routing's tie-break reads their
// open-case counts. Compare with the same benchmark on the tree before the
// partnerships change (README, "Service areas and routing").
//
//	go test ./internal/cases -run '^$' -bench RequestLegalHelpRouted -benchtime 200x
func BenchmarkRequestLegalHelpRouted(b *testing.B) {
	s := apptest.New(b)
	tok := seedRoutingLoad(b, s, "AZ", 10_000)
	var stmts int64
	i := 0
	for b.Loop() {
		r, n := s.DoCounted(b, tok, `mutation($in: RequestLegalHelpInput!) { requestLegalHelp(input: $in) { id reference } }`,
			map[string]any{"in": requestInput("AZ", models.CategoryHousing)})
		if len(r.Errors) > 0 {
			b.Fatal(r.Raw)
		}
		stmts += n
		i++
	}
	b.ReportMetric(float64(stmts)/float64(i), "stmts/op")
}
