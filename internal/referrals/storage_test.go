package referrals_test

import (
	"strings"
	"testing"

	"mlp/internal/apptest"
	"mlp/models"
)

// TestCodeIsNeverStored reads the database after a referral is made and
// claimed: the code appears in no row of referrals, notifications or the
// audit log, nor in the server's log; the row keeps a 32-byte hash and a
// four-character hint.
func TestCodeIsNeverStored(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	w := newPartnership(t, s)
	_, tok := s.User(t, models.RolePatient, nil)
	ref := refer(t, s, w.clinicianTok, referInput(w.state))
	norm := strings.ReplaceAll(ref.Code, "-", "")
	claim(t, s, tok, ref.Code, true)

	for _, table := range []string{"referrals", "notifications", "audit_entries", "cases", "consents", "case_events"} {
		var rows []string
		if err := s.DB.Raw("SELECT row_to_json(t)::text FROM " + table + " t").Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if strings.Contains(strings.ToUpper(r), norm) || strings.Contains(strings.ToUpper(r), ref.Code) {
				t.Fatalf("table %s holds the code in plain text: %s", table, r)
			}
		}
	}
	var stored struct {
		HashLen int
		Hint    string
	}
	s.DB.Raw("SELECT length(code_hash) AS hash_len, code_hint AS hint FROM referrals WHERE id = ?", ref.ID).Scan(&stored)
	if stored.HashLen != 32 || stored.Hint != norm[len(norm)-4:] {
		t.Fatalf("stored hash length %d, hint %q", stored.HashLen, stored.Hint)
	}
	if logs := s.LogText(); strings.Contains(logs, ref.Code) || strings.Contains(logs, norm) {
		t.Fatal("the server log holds the code")
	}
}

// TestMyReferralsStatementCount: the clinician's list with every nested field
// runs the same number of statements for 5 referrals as for 50.
func TestMyReferralsStatementCount(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	const doc = `{ myReferrals(first: 100) { totalCount edges { node { id code status caseStatus notes
		clinician { id organization { id } } case { id } recommendedGuides { id } screening { domain } } } } }`
	counts := map[int]int64{}
	for _, n := range []int{5, 50} {
		w := newPartnership(t, s)
		for i := range n {
			ref := refer(t, s, w.clinicianTok, referInput(w.state))
			if i%2 == 0 { // half of them claimed, with the status shared
				_, tok := s.User(t, models.RolePatient, nil)
				claim(t, s, tok, ref.Code, true)
			}
		}
		r, stmts := s.DoCounted(t, w.clinicianTok, doc, nil)
		var got struct {
			MyReferrals struct {
				TotalCount int
				Edges      []struct{ Node referralJSON }
			}
		}
		r.Decode(t, &got)
		shared := 0
		for _, e := range got.MyReferrals.Edges {
			if e.Node.CaseStatus != nil {
				shared++
			}
		}
		if got.MyReferrals.TotalCount != n || len(got.MyReferrals.Edges) != n || shared != (n+1)/2 {
			t.Fatalf("%d referrals: total %d, listed %d, shared %d", n, got.MyReferrals.TotalCount, len(got.MyReferrals.Edges), shared)
		}
		counts[n] = stmts
	}
	if counts[5] != counts[50] {
		t.Fatalf("statements: %d for 5 referrals, %d for 50", counts[5], counts[50])
	}
	t.Logf("myReferrals with nested fields: %d statements for 5 and for 50 referrals", counts[50])
}

// TestCaseReferralStatementCount: an advocate's queue of cases with their
// referral, its shared status, clinician and case runs as many statements for
// 5 cases as for 50.
func TestCaseReferralStatementCount(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	const doc = `{ caseQueue(first: 100) { edges { node { id referral { id notes caseStatus clinician { id } case { id } } } } } }`
	counts := map[int]int64{}
	for _, n := range []int{5, 50} {
		w := newPartnership(t, s)
		for range n {
			ref := refer(t, s, w.clinicianTok, referInput(w.state))
			_, tok := s.User(t, models.RolePatient, nil)
			claim(t, s, tok, ref.Code, true)
		}
		r, stmts := s.DoCounted(t, w.advocateTok, doc, nil)
		var got struct {
			CaseQueue struct {
				Edges []struct {
					Node struct {
						ID       string
						Referral *referralJSON
					}
				}
			}
		}
		r.Decode(t, &got)
		if len(got.CaseQueue.Edges) != n {
			t.Fatalf("queue of %d, want %d", len(got.CaseQueue.Edges), n)
		}
		for _, e := range got.CaseQueue.Edges {
			if e.Node.Referral == nil || e.Node.Referral.Notes == nil || e.Node.Referral.Case == nil ||
				e.Node.Referral.Case.ID != e.Node.ID || e.Node.Referral.CaseStatus == nil {
				t.Fatalf("case %s: referral %+v", e.Node.ID, e.Node.Referral)
			}
		}
		counts[n] = stmts
	}
	if counts[5] != counts[50] {
		t.Fatalf("statements: %d for 5 cases, %d for 50", counts[5], counts[50])
	}
	t.Logf("caseQueue with referrals: %d statements for 5 and for 50 cases", counts[50])
}
