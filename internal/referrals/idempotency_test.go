package referrals_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/models"
)

func TestReferPatientIdempotency(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	p := newPartnership(t, s)
	keyed := func(key string) map[string]any {
		in := referInput(p.state)
		in["idempotencyKey"] = key
		return in
	}
	referrals := func() int64 { return countWhere(t, s, &models.Referral{}, "clinician_id = ?", p.clinician.ID) }

	t.Run("RetryReturnsTheFirstReferralAndItsCode", func(t *testing.T) {
		key := uuid.NewString()
		before := referrals()
		first := refer(t, s, p.clinicianTok, keyed(key))
		again := refer(t, s, p.clinicianTok, keyed(key))
		if first.ID == "" || again.ID != first.ID || again.Code != first.Code || len(first.Code) != 14 {
			t.Fatalf("first %s %s, retry %s %s", first.ID, first.Code, again.ID, again.Code)
		}
		if referrals() != before+1 {
			t.Fatalf("%d referrals written, want 1", referrals()-before)
		}
		// the code of the retry's answer is the one that claims the referral
		_, patientTok := s.User(t, models.RolePatient, nil)
		if c := claim(t, s, patientTok, again.Code, false); c.Referral == nil || c.Referral.ID != first.ID {
			t.Fatalf("claim with the retried code: %+v", c)
		}
		// once claimed, a retry answers the referral without its code
		if late := refer(t, s, p.clinicianTok, keyed(key)); late.ID != first.ID || late.Code == first.Code {
			t.Fatalf("retry after the claim: %s %s", late.ID, late.Code)
		}
	})
	t.Run("ConcurrentRetriesCreateOne", func(t *testing.T) {
		key := uuid.NewString()
		before := referrals()
		ids := make([]string, 4)
		codes := make([]string, 4)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := refer(t, s, p.clinicianTok, keyed(key))
				ids[i], codes[i] = r.ID, r.Code
			}()
		}
		wg.Wait()
		for i := range ids {
			if ids[i] != ids[0] || codes[i] != codes[0] || ids[i] == "" {
				t.Fatalf("answers %v %v", ids, codes)
			}
		}
		if referrals() != before+1 {
			t.Fatalf("%d referrals written, want 1", referrals()-before)
		}
	})
	t.Run("KeysAreTheClinicians", func(t *testing.T) {
		key := uuid.NewString()
		mine := refer(t, s, p.clinicianTok, keyed(key))
		theirs := refer(t, s, p.otherClinicianTok, keyed(key))
		if mine.ID == "" || theirs.ID == "" || mine.ID == theirs.ID || mine.Code == theirs.Code {
			t.Fatalf("another clinician's key answered %s (mine %s)", theirs.ID, mine.ID)
		}
	})
	t.Run("WithoutKeyEachReferralIsNew", func(t *testing.T) {
		a, b := refer(t, s, p.clinicianTok, referInput(p.state)), refer(t, s, p.clinicianTok, referInput(p.state))
		if a.ID == b.ID || a.Code == b.Code {
			t.Fatal("two referrals without a key are one")
		}
	})
	t.Run("BadKeyIsBadUserInput", func(t *testing.T) {
		before := referrals()
		for _, k := range []string{"   ", strings.Repeat("k", 201)} {
			r := s.Do(t, p.clinicianTok, referMutation, map[string]any{"in": keyed(k)})
			r.MustCode(t, "BAD_USER_INPUT")
			if r.Field() != "input.idempotencyKey" {
				t.Fatalf("field %q", r.Field())
			}
		}
		if referrals() != before {
			t.Fatal("a refused referral was written")
		}
	})
}
