package report_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"mlp/internal/apptest"
	"mlp/models"
)

// Size of the benchmark data, all in 2040: 10,000 cases (a fifth each
// RESOLVED, UNRESOLVED, IN_PROGRESS, RECEIVED, SUBMITTED) with about 4.4
// events each, 4,000 outcomes, 4,000 referrals of which 3,000 opened cases.
const (
	benchCases     = 10000
	benchReferrals = 4000
	benchClaimed   = 3000
)

var benchRuns atomic.Int64

type benchWorld struct {
	legal, health *models.Organization
}

// seedBench fills 2040 with the benchmark's rows in a few set-based statements.
func seedBench(b *testing.B, s *apptest.Server) benchWorld {
	b.Helper()
	w := newWorld(b, s)
	bw := benchWorld{legal: s.Org(b, models.OrgLegalAid, []string{"CA"}), health: s.Org(b, models.OrgHealthSystem, []string{"CA"})}
	legal2 := s.Org(b, models.OrgLegalAid, []string{"CA"})
	health2 := s.Org(b, models.OrgHealthSystem, []string{"CA"})
	c1, _ := s.User(b, models.RoleClinician, bw.health)
	c2, _ := s.User(b, models.RoleClinician, health2)
	run := fmt.Sprint(9000 + benchRuns.Add(1))
	tx := s.DB.Begin()
	defer tx.Rollback()
	must := func(err error) {
		b.Helper()
		if err != nil {
			b.Fatal(err)
		}
	}
	// Referral g (1..4000) is sent a day before case g opens; the first 3,000
	// are claimed as the case opens.
	must(tx.Exec(`INSERT INTO referrals (id, code_hash, code_hint, status, clinician_id, organization_id, patient_label, categories,
			jurisdiction, claimed_by, claimed_at, expires_at, created_at, updated_at)
		SELECT md5(? || '-r-' || g)::uuid, gen_random_bytes(32), 'ABCD',
			CASE WHEN g <= ? THEN 'CLAIMED' ELSE 'SENT' END,
			CASE WHEN g % 2 = 0 THEN ?::uuid ELSE ?::uuid END, CASE WHEN g % 2 = 0 THEN ?::uuid ELSE ?::uuid END,
			'J.', '{HOUSING}', 'CA',
			CASE WHEN g <= ? THEN ?::uuid END, CASE WHEN g <= ? THEN t END,
			t + interval '30 days', t - interval '1 day', t
		FROM generate_series(1, ?) g, LATERAL (SELECT timestamptz '2040-01-01' + g * interval '50 minutes' AS t) x`,
		run, benchClaimed, c1.ID, c2.ID, bw.health.ID, health2.ID, benchClaimed, w.patient.ID, benchClaimed, benchReferrals).Error)
	must(tx.Exec(`INSERT INTO cases (id, reference, patient_id, idempotency_key, category, description, status, jurisdiction,
			organization_id, referral_id, created_at, updated_at)
		SELECT md5(? || '-c-' || g)::uuid, 'MLP-' || ? || '-' || lpad(g::text, 6, '0'), ?, 'bench-' || g,
			(ARRAY['HOUSING','PUBLIC_BENEFITS','EMPLOYMENT','EDUCATION','IMMIGRATION','FAMILY','DISABILITY',
				'MEDICAL_DEBT','UTILITIES','FOOD','OTHER'])[1 + g % 11],
			'Benchmark case', (ARRAY['RESOLVED','UNRESOLVED','IN_PROGRESS','RECEIVED','SUBMITTED'])[1 + g % 5], 'CA',
			CASE WHEN g % 2 = 0 THEN ?::uuid ELSE ?::uuid END,
			CASE WHEN g <= ? THEN md5(? || '-r-' || g)::uuid END,
			timestamptz '2040-01-01' + g * interval '50 minutes', timestamptz '2040-01-01' + g * interval '50 minutes'
		FROM generate_series(1, ?) g`,
		run, run, w.patient.ID, bw.legal.ID, legal2.ID, benchClaimed, run, benchCases).Error)
	// Events: CREATED; a patient's message; RECEIVED by an advocate within
	// hours; ACCEPTED and IN_PROGRESS; the final move weeks later.
	must(tx.Exec(`INSERT INTO case_events (id, case_id, kind, from_status, to_status, actor_role, created_at)
		SELECT gen_random_uuid(), c.id, e.kind, e.from_status, e.to_status, e.actor_role, c.created_at + e.after
		FROM cases c, LATERAL (SELECT right(c.reference, 6)::int AS g) n,
		LATERAL (VALUES
			('CREATED', NULL, 'SUBMITTED', 'PATIENT', interval '0', true),
			('MESSAGE', NULL, NULL, 'PATIENT', interval '10 minutes', true),
			('STATUS_CHANGED', 'SUBMITTED', 'RECEIVED', 'ADVOCATE', (n.g % 7 + 1) * interval '1 hour', n.g % 5 < 4),
			('STATUS_CHANGED', 'RECEIVED', 'ACCEPTED', 'ADVOCATE', interval '1 day', n.g % 5 < 3),
			('STATUS_CHANGED', 'ACCEPTED', 'IN_PROGRESS', 'ADVOCATE', interval '2 days', n.g % 5 < 3),
			('STATUS_CHANGED', 'IN_PROGRESS', 'RESOLVED', 'ADVOCATE', (n.g % 30 + 3) * interval '1 day', n.g % 5 = 0),
			('STATUS_CHANGED', 'IN_PROGRESS', 'UNRESOLVED', 'ADVOCATE', (n.g % 40 + 3) * interval '1 day', n.g % 5 = 1)
		) e(kind, from_status, to_status, actor_role, after, wanted)
		WHERE c.reference LIKE 'MLP-' || ? || '-%' AND e.wanted`, run).Error)
	must(tx.Exec(`INSERT INTO case_outcomes (case_id, code, benefit_amount_cents, recorded_at)
		SELECT e.case_id, (ARRAY['EVICTION_PREVENTED','HOUSING_CONDITIONS_IMPROVED','BENEFITS_OBTAINED','BENEFITS_INCREASED',
				'DEBT_RELIEVED','EMPLOYMENT_ISSUE_RESOLVED','EDUCATION_SERVICES_OBTAINED','ADVICE_AND_COUNSEL',
				'REFERRED_ELSEWHERE','OTHER'])[1 + right(c.reference, 6)::int % 10],
			right(c.reference, 6)::int * 100, e.created_at
		FROM case_events e JOIN cases c ON c.id = e.case_id
		WHERE c.reference LIKE 'MLP-' || ? || '-%' AND e.to_status IN ('RESOLVED', 'UNRESOLVED')`, run).Error)
	must(tx.Commit().Error)
	must(s.DB.Exec(`ANALYZE cases; ANALYZE case_events; ANALYZE case_outcomes; ANALYZE referrals`).Error)
	return bw
}

// BenchmarkPartnershipReport reads the report of 2040, and of March 2040, over
// HTTP as an ADMIN, for the whole partnership and for each kind of
// organization, with 10,000 cases, 44,000 events, 4,000 outcomes and 4,000
// referrals in that year.
func BenchmarkPartnershipReport(b *testing.B) {
	s := apptest.New(b)
	bw := seedBench(b, s)
	_, admin := s.User(b, models.RoleAdmin, nil)
	for _, bc := range []struct {
		name     string
		from, to string
		org      *models.Organization
	}{
		{"Year/WholePartnership", "2040-01-01", "2040-12-31", nil},
		{"Year/LegalAid", "2040-01-01", "2040-12-31", bw.legal},
		{"Year/HealthSystem", "2040-01-01", "2040-12-31", bw.health},
		{"Month/WholePartnership", "2040-03-01", "2040-03-31", nil},
		{"Month/LegalAid", "2040-03-01", "2040-03-31", bw.legal},
		{"Month/HealthSystem", "2040-03-01", "2040-03-31", bw.health},
	} {
		b.Run(bc.name, func(b *testing.B) {
			vars := map[string]any{"from": bc.from, "to": bc.to}
			if bc.org != nil {
				vars["org"] = bc.org.ID.String()
			}
			var stmts int64
			i := 0
			for b.Loop() {
				r, n := s.DoCounted(b, admin, reportDoc, vars)
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
