package cases_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/models"
)

// Size of the benchmark data: 200 patients with 50 cases each, 5 events per case.
const (
	benchPatients       = 200
	benchCasesPerPerson = 50
	benchEventsPerCase  = 5
)

// benchRuns numbers the seedings of one test binary: each gets references of
// its own (MLP-9001-..., MLP-9002-...).
var benchRuns atomic.Int64

// seedBench fills the database with the benchmark's cases in a few set-based
// statements and returns the patients.
func seedBench(b *testing.B, s *apptest.Server) []*models.User {
	b.Helper()
	org := s.Org(b, models.OrgLegalAid, []string{"CA"})
	adv, _ := s.User(b, models.RoleAdvocate, org)
	run := uuid.NewString()[:8]
	tx := s.DB.Begin()
	defer tx.Rollback()
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	must(tx.Exec(`INSERT INTO users (email, password_hash, display_name, role)
		SELECT 'bench-' || ? || '-' || g || '@example.test', ?, 'Bench patient ' || g, 'PATIENT'
		FROM generate_series(1, ?) g`, run, apptest.PasswordHash(), benchPatients).Error)
	must(tx.Exec(`INSERT INTO cases (id, reference, patient_id, idempotency_key, category, description, status,
			jurisdiction, deadline, organization_id, assigned_advocate_id, created_at, updated_at)
		SELECT gen_random_uuid(), 'MLP-' || ? || '-' || lpad((row_number() OVER ())::text, 6, '0'), u.id,
			'bench-' || g, 'HOUSING', 'Benchmark case ' || g, 'IN_PROGRESS', 'CA',
			CASE WHEN g % 3 = 0 THEN current_date + g END, ?, ?,
			now() - g * interval '1 hour', now()
		FROM users u CROSS JOIN generate_series(1, ?) g
		WHERE u.email LIKE 'bench-' || ? || '-%'`,
		fmt.Sprint(9000+benchRuns.Add(1)), org.ID, adv.ID, benchCasesPerPerson, run).Error)
	must(tx.Exec(`INSERT INTO case_events (id, case_id, kind, message, actor_role, visible_to_patient, created_at)
		SELECT gen_random_uuid(), c.id, 'MESSAGE', 'Benchmark message ' || g, 'ADVOCATE', g % 5 <> 4, c.created_at + g * interval '1 minute'
		FROM cases c JOIN users u ON u.id = c.patient_id CROSS JOIN generate_series(1, ?) g
		WHERE u.email LIKE 'bench-' || ? || '-%'`, benchEventsPerCase, run).Error)
	must(tx.Commit().Error)
	must(s.DB.Exec(`ANALYZE cases; ANALYZE case_events; ANALYZE users`).Error)
	var patients []*models.User
	must(s.DB.Where("email LIKE ?", "bench-"+run+"-%").Find(&patients).Error)
	return patients
}

// BenchmarkMyCases50 is the patient app's home screen over HTTP: 50 newest
// cases with patient, organization, advocate, outcome and the first 10
// timeline events, for 200 patients in turn, with 10,000 cases and 50,000
// events in the database; answered by the compiled read path (Compiled) and
// by the resolvers (Resolvers, COMPILED_READS=false), side by side.
func BenchmarkMyCases50(b *testing.B) {
	s := apptest.New(b)
	off := s.Twin(b, apptest.WithCompiledReads(false))
	patients := seedBench(b, s)
	tokens := make([]string, len(patients))
	for i, p := range patients {
		tokens[i] = s.Token(b, p)
	}
	vars := map[string]any{"first": 50}
	for _, srv := range []struct {
		name string
		s    *apptest.Server
	}{{"Compiled", s}, {"Resolvers", off}} {
		b.Run(srv.name, func(b *testing.B) {
			var stmts int64
			i := 0
			for b.Loop() {
				r, n := srv.s.DoCounted(b, tokens[i%len(tokens)], nestedCasesQuery, vars)
				if len(r.Errors) > 0 {
					b.Fatal(r.Raw)
				}
				stmts += n
				i++
			}
			b.ReportMetric(float64(stmts)/float64(i), "stmts/op")
		})
	}
}

// BenchmarkRequestLegalHelp opens cases over HTTP, each with a new key.
func BenchmarkRequestLegalHelp(b *testing.B) {
	s := apptest.New(b)
	s.Org(b, models.OrgLegalAid, []string{"CA"})
	_, tok := s.User(b, models.RolePatient, nil)
	var stmts int64
	i := 0
	for b.Loop() {
		r, n := s.DoCounted(b, tok, `mutation($in: RequestLegalHelpInput!) { requestLegalHelp(input: $in) { id reference } }`,
			map[string]any{"in": requestInput("CA", models.CategoryHousing)})
		if len(r.Errors) > 0 {
			b.Fatal(r.Raw)
		}
		stmts += n
		i++
	}
	b.ReportMetric(float64(stmts)/float64(i), "stmts/op")
}
