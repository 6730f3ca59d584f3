package referrals_test

import (
	"testing"

	"mlp/internal/apptest"
	"mlp/models"
)

// BenchmarkReferPatient measures referPatient over HTTP against PostgreSQL.
func BenchmarkReferPatient(b *testing.B) {
	s := apptest.New(b)
	w := newPartnership(b, s)
	in := map[string]any{"in": referInput(w.state)}
	b.ReportAllocs()
	var stmts int64
	for b.Loop() {
		r, n := s.DoCounted(b, w.clinicianTok, `mutation($in: ReferPatientInput!) { referPatient(input: $in) { id code } }`, in)
		r.MustOK(b)
		stmts = n
	}
	b.ReportMetric(float64(stmts), "stmts/op")
}

// BenchmarkClaimReferral measures claimReferral (rate limit, code lookup,
// case opening with routing and reference, consents, notification, audit)
// over HTTP; each claim is a fresh patient's, on a fresh referral.
func BenchmarkClaimReferral(b *testing.B) {
	s := apptest.New(b)
	w := newPartnership(b, s)
	var stmts int64
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		ref := refer(b, s, w.clinicianTok, referInput(w.state))
		_, tok := s.User(b, models.RolePatient, nil)
		b.StartTimer()
		r, n := s.DoCounted(b, tok, `mutation($in: ClaimReferralInput!) { claimReferral(input: $in) { id reference } }`,
			map[string]any{"in": claimInput(ref.Code, true)})
		r.MustOK(b)
		stmts = n
	}
	b.ReportMetric(float64(stmts), "stmts/op")
}

// BenchmarkMyReferrals50 measures a clinician's list of 50 referrals, half of
// them claimed with the status shared, with every nested field.
func BenchmarkMyReferrals50(b *testing.B) {
	s := apptest.New(b)
	w := newPartnership(b, s)
	for i := range 50 {
		ref := refer(b, s, w.clinicianTok, referInput(w.state))
		if i%2 == 0 {
			_, tok := s.User(b, models.RolePatient, nil)
			claim(b, s, tok, ref.Code, true)
		}
	}
	const doc = `{ myReferrals(first: 50) { totalCount edges { node { id code status caseStatus notes
		clinician { id organization { id } } case { id } screening { domain positive } } } } }`
	var stmts int64
	b.ReportAllocs()
	for b.Loop() {
		r, n := s.DoCounted(b, w.clinicianTok, doc, nil)
		r.MustOK(b)
		stmts = n
	}
	b.ReportMetric(float64(stmts), "stmts/op")
}
