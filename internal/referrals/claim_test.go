package referrals_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/models"
)

// TestClaimReferralConcurrently has 20 patients claim one code at the same
// moment: exactly one wins, one case exists, the others get NOT_FOUND.
func TestClaimReferralConcurrently(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	w := newPartnership(t, s)
	ref := refer(t, s, w.clinicianTok, referInput(w.state))
	const n = 20
	tokens := make([]string, n)
	ids := make([]uuid.UUID, n)
	for i := range tokens {
		var u *models.User
		u, tokens[i] = s.User(t, models.RolePatient, nil)
		ids[i] = u.ID
	}
	var wins, notFound atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			r := s.Do(t, tokens[i], claimMutation, map[string]any{"in": claimInput(ref.Code, true)})
			switch r.Code() {
			case "":
				wins.Add(1)
			case "NOT_FOUND":
				notFound.Add(1)
			default:
				t.Errorf("unexpected answer: %s", r.Raw)
			}
		})
	}
	close(start)
	wg.Wait()
	if wins.Load() != 1 || notFound.Load() != n-1 {
		t.Fatalf("%d wins, %d NOT_FOUND; want 1 and %d", wins.Load(), notFound.Load(), n-1)
	}
	if c := countWhere(t, s, &models.Case{}, "patient_id IN ?", ids); c != 1 {
		t.Fatalf("%d cases opened, want 1", c)
	}
	if c := countWhere(t, s, &models.Case{}, "referral_id = ?", uuid.MustParse(ref.ID)); c != 1 {
		t.Fatalf("%d cases linked, want 1", c)
	}
	if c := countWhere(t, s, &models.Notification{}, "referral_id = ?", uuid.MustParse(ref.ID)); c != 1 {
		t.Fatalf("%d notifications, want 1", c)
	}
}

// TestClaimReferral covers a patient claiming twice, cancelled and unknown
// codes, and bad input.
func TestClaimReferral(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	w := newPartnership(t, s)

	t.Run("NotFoundWhenClaimedTwice", func(t *testing.T) {
		t.Parallel()
		p, tok := s.User(t, models.RolePatient, nil)
		ref := refer(t, s, w.clinicianTok, referInput(w.state))
		claim(t, s, tok, ref.Code, false)
		r := s.Do(t, tok, claimMutation, map[string]any{"in": claimInput(ref.Code, false)}).MustCode(t, "NOT_FOUND")
		if c := countWhere(t, s, &models.Case{}, "patient_id = ?", p.ID); c != 1 {
			t.Fatalf("%d cases after claiming twice, want 1", c)
		}
		// The same answer as for a code that never existed.
		r2 := s.Do(t, tok, claimMutation, map[string]any{"in": claimInput("ABCD-EFGH-JKMN", false)}).MustCode(t, "NOT_FOUND")
		if r.Errors[0].Message != r2.Errors[0].Message {
			t.Fatalf("spent and unknown codes answer differently: %q vs %q", r.Errors[0].Message, r2.Errors[0].Message)
		}
	})

	t.Run("NotFoundWhenCancelled", func(t *testing.T) {
		t.Parallel()
		p, tok := s.User(t, models.RolePatient, nil)
		ref := refer(t, s, w.clinicianTok, referInput(w.state))
		s.Do(t, w.clinicianTok, cancelMutation, map[string]any{"id": ref.ID}).MustOK(t)
		r := s.Do(t, tok, claimMutation, map[string]any{"in": claimInput(ref.Code, false)}).MustCode(t, "NOT_FOUND")
		r2 := s.Do(t, tok, claimMutation, map[string]any{"in": claimInput("not a code at all", false)}).MustCode(t, "NOT_FOUND")
		if r.Errors[0].Message != r2.Errors[0].Message {
			t.Fatalf("cancelled and malformed codes answer differently")
		}
		if c := countWhere(t, s, &models.Case{}, "patient_id = ?", p.ID); c != 0 {
			t.Fatalf("%d cases from a cancelled referral", c)
		}
		// Cancelling twice is a conflict.
		s.Do(t, w.clinicianTok, cancelMutation, map[string]any{"id": ref.ID}).MustCode(t, "CONFLICT")
	})

	t.Run("BadUserInputWithoutConsent", func(t *testing.T) {
		t.Parallel()
		p, tok := s.User(t, models.RolePatient, nil)
		ref := refer(t, s, w.clinicianTok, referInput(w.state))
		in := claimInput(ref.Code, true)
		in["consentToShare"] = false
		r := s.Do(t, tok, claimMutation, map[string]any{"in": in}).MustCode(t, "BAD_USER_INPUT")
		if r.Field() != "input.consentToShare" {
			t.Fatalf("field = %q", r.Field())
		}
		in = claimInput(ref.Code, true)
		in["description"] = "   "
		if r := s.Do(t, tok, claimMutation, map[string]any{"in": in}).MustCode(t, "BAD_USER_INPUT"); r.Field() != "input.description" {
			t.Fatalf("field = %q", r.Field())
		}
		if st := storedReferral(t, s, ref.ID); st.Status != models.ReferralSent {
			t.Fatalf("bad input changed the referral to %s", st.Status)
		}
		if c := countWhere(t, s, &models.Case{}, "patient_id = ?", p.ID); c != 0 {
			t.Fatalf("bad input opened %d cases", c)
		}
		// The code still works.
		claim(t, s, tok, ref.Code, true)
	})

	t.Run("OpensCaseWithoutPartner", func(t *testing.T) {
		t.Parallel()
		_, tok := s.User(t, models.RolePatient, nil)
		lonely := freeState(t, s)
		ref := refer(t, s, w.clinicianTok, referInput(lonely))
		c := claim(t, s, tok, ref.Code, true)
		if c.Organization != nil || c.Status != "SUBMITTED" || c.Jurisdiction != lonely {
			t.Fatalf("case = %+v", c)
		}
	})
}

// TestClaimReferralRateLimited allows each patient 10 claims an hour, wrong
// codes and right ones alike; the 11th is RATE_LIMITED even with a good code,
// and other patients are not affected.
func TestClaimReferralRateLimited(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	w := newPartnership(t, s)
	p, tok := s.User(t, models.RolePatient, nil)
	ref := refer(t, s, w.clinicianTok, referInput(w.state))
	for i := range 10 {
		s.Do(t, tok, claimMutation, map[string]any{"in": claimInput("ZZZZ-ZZZZ-ZZZ"+string(rune('2'+i%8)), false)}).MustCode(t, "NOT_FOUND")
	}
	r := s.Do(t, tok, claimMutation, map[string]any{"in": claimInput(ref.Code, false)}).MustCode(t, "RATE_LIMITED")
	retry, _ := r.Errors[0].Extensions["retryAfterSeconds"].(float64)
	if retry < 1 || retry > 3600 {
		t.Fatalf("retryAfterSeconds = %v", r.Errors[0].Extensions["retryAfterSeconds"])
	}
	if c := countWhere(t, s, &models.Case{}, "patient_id = ?", p.ID); c != 0 {
		t.Fatalf("a rate-limited claim opened %d cases", c)
	}
	_, otherTok := s.User(t, models.RolePatient, nil)
	claim(t, s, otherTok, ref.Code, false)
}

// clock is a test clock that can be moved forward.
type clock struct{ offset atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// TestReferralExpiry reads a SENT referral as EXPIRED once 30 days have
// passed, everywhere, and refuses to claim or cancel it.
func TestReferralExpiry(t *testing.T) {
	t.Parallel()
	var clk clock
	s := apptest.New(t, apptest.WithClock(clk.Now))
	w := newPartnership(t, s)
	patient, _ := s.User(t, models.RolePatient, nil)
	stale := refer(t, s, w.clinicianTok, referInput(w.state))
	fresh := refer(t, s, w.clinicianTok, referInput(w.state))

	clk.Advance(29 * 24 * time.Hour)
	clinicianTok, patientTok := s.Token(t, w.clinician), s.Token(t, patient)
	if st := myReferrals(t, s, clinicianTok)[stale.ID].Status; st != "SENT" {
		t.Fatalf("after 29 days the referral is %s", st)
	}
	c := claim(t, s, patientTok, fresh.Code, false)

	clk.Advance(24*time.Hour + time.Second)
	clinicianTok, patientTok = s.Token(t, w.clinician), s.Token(t, patient)
	mine := myReferrals(t, s, clinicianTok)
	if mine[stale.ID].Status != "EXPIRED" || mine[fresh.ID].Status != "CLAIMED" {
		t.Fatalf("after 30 days: stale %s, claimed %s", mine[stale.ID].Status, mine[fresh.ID].Status)
	}
	s.Do(t, patientTok, claimMutation, map[string]any{"in": claimInput(stale.Code, false)}).MustCode(t, "NOT_FOUND")
	s.Do(t, clinicianTok, cancelMutation, map[string]any{"id": stale.ID}).MustCode(t, "CONFLICT")
	// The claimed referral reads CLAIMED through its case as well.
	var got struct {
		Case struct{ Referral referralJSON }
	}
	s.Do(t, patientTok, caseReferralDoc, map[string]any{"id": c.ID}).Decode(t, &got)
	if got.Case.Referral.Status != "CLAIMED" {
		t.Fatalf("claimed referral reads %s", got.Case.Referral.Status)
	}
}

// TestReferPatientValidation names the bad field and stores nothing.
func TestReferPatientValidation(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	w := newPartnership(t, s)
	long := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = 'a'
		}
		return string(b)
	}
	slugs := make([]string, 11)
	for i := range slugs {
		slugs[i] = "guide-" + string(rune('a'+i))
	}
	cases := []struct {
		name, field string
		change      func(in map[string]any)
	}{
		{"EmptyLabel", "input.patientLabel", func(in map[string]any) { in["patientLabel"] = "  " }},
		{"LongLabel", "input.patientLabel", func(in map[string]any) { in["patientLabel"] = long(61) }},
		{"LabelWithDate", "input.patientLabel", func(in map[string]any) { in["patientLabel"] = "Maria 1984-02-03" }},
		{"LabelWithEmail", "input.patientLabel", func(in map[string]any) { in["patientLabel"] = "maria@example.com" }},
		{"NoCategory", "input.categories", func(in map[string]any) { in["categories"] = []string{} }},
		{"DomainTwice", "input.screening", func(in map[string]any) {
			in["screening"] = []map[string]any{{"domain": "INCOME", "positive": true}, {"domain": "INCOME", "positive": false}}
		}},
		{"LongScreeningNote", "input.screening", func(in map[string]any) {
			in["screening"] = []map[string]any{{"domain": "INCOME", "positive": true, "note": long(501)}}
		}},
		{"LongNotes", "input.notes", func(in map[string]any) { in["notes"] = long(2001) }},
		{"BadJurisdiction", "input.jurisdiction", func(in map[string]any) { in["jurisdiction"] = "XX" }},
		{"OldDeadline", "input.deadline", func(in map[string]any) {
			in["deadline"] = time.Now().AddDate(-1, 0, 0).Format("2006-01-02")
		}},
		{"TooManyGuides", "input.recommendedGuideSlugs", func(in map[string]any) { in["recommendedGuideSlugs"] = slugs }},
		{"BadGuideSlug", "input.recommendedGuideSlugs", func(in map[string]any) { in["recommendedGuideSlugs"] = []string{"Eviction Basics"} }},
		{"ShortGuideSlug", "input.recommendedGuideSlugs", func(in map[string]any) { in["recommendedGuideSlugs"] = []string{"ab"} }},
		{"UnpublishedGuide", "input.recommendedGuideSlugs", func(in map[string]any) {
			in["recommendedGuideSlugs"] = []string{recommendedGuide, "no-such-guide"}
		}},
	}
	for _, tc := range cases {
		t.Run("BadUserInput/"+tc.name, func(t *testing.T) {
			t.Parallel()
			in := referInput(w.state)
			in["patientLabel"] = letters()
			tc.change(in)
			r := s.Do(t, w.clinicianTok, referMutation, map[string]any{"in": in}).MustCode(t, "BAD_USER_INPUT")
			if r.Field() != tc.field {
				t.Fatalf("field = %q, want %q (%s)", r.Field(), tc.field, r.Raw)
			}
			if label, ok := in["patientLabel"].(string); ok {
				if n := countWhere(t, s, &models.Referral{}, "patient_label = ?", label); n != 0 {
					t.Fatalf("bad input stored %d referrals", n)
				}
			}
		})
	}
	t.Run("OKWithMinimalInput", func(t *testing.T) {
		t.Parallel()
		in := map[string]any{"patientLabel": "J. K.", "categories": []string{"FOOD", "FOOD"}, "jurisdiction": "ca"}
		var got struct{ ReferPatient referralJSON }
		s.Do(t, w.clinicianTok, referMutation, map[string]any{"in": in}).Decode(t, &got)
		r := got.ReferPatient
		if len(r.Categories) != 1 || r.Notes != nil || len(r.Screening) != 0 || r.Status != "SENT" {
			t.Fatalf("referral = %+v", r)
		}
		if st := storedReferral(t, s, r.ID); st.Jurisdiction != "CA" || st.OrganizationID == nil || *st.OrganizationID != w.health.ID {
			t.Fatalf("stored referral = %+v", st)
		}
	})
}
