package report_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"mlp/internal/apptest"
	"mlp/models"
)

// figuresWorld is the fixed data set of 2031: two legal-aid partners (L1, L2),
// two health systems (H1, H2) with a clinician each. The report of March 2031
// is worked out by hand in TestPartnershipReportFigures.
type figuresWorld struct {
	l1, l2, h1, h2 *models.Organization
}

func seedFigures(t *testing.T, s *apptest.Server) figuresWorld {
	t.Helper()
	w := newWorld(t, s)
	fw := figuresWorld{
		l1: s.Org(t, models.OrgLegalAid, []string{"CA"}),
		l2: s.Org(t, models.OrgLegalAid, []string{"CA"}),
		h1: s.Org(t, models.OrgHealthSystem, []string{"CA"}),
		h2: s.Org(t, models.OrgHealthSystem, []string{"CA"}),
	}
	c1, _ := s.User(t, models.RoleClinician, fw.h1)
	c2, _ := s.User(t, models.RoleClinician, fw.h2)

	// Referrals. R1 and R5 were sent before March, R4 in its last second.
	r1 := w.referral(c1, at(t, "2031-02-20T09:00:00"), ptr(at(t, "2031-03-02T00:00:00")))
	r2 := w.referral(c1, at(t, "2031-03-05T09:00:00"), ptr(at(t, "2031-03-06T00:00:00")))
	w.referral(c2, at(t, "2031-03-10T09:00:00"), nil)                                     // R3, never claimed
	r4 := w.referral(c2, at(t, "2031-03-31T23:59:59"), ptr(at(t, "2031-04-01T00:00:00"))) // claimed in April
	w.referral(c1, at(t, "2031-02-28T23:59:59"), nil)                                     // R5, a second before March

	// K1: from R1, opened at the first instant of March, first answered a day
	// later, RESOLVED after 10 days with EVICTION_PREVENTED ($1,500).
	k1 := w.addCase(caseOpts{category: models.CategoryHousing, status: models.CaseResolved, org: fw.l1, referral: &r1, created: at(t, "2031-03-02T00:00:00")})
	w.moved(k1, models.CaseSubmitted, models.CaseReceived, models.RoleAdvocate, at(t, "2031-03-03T00:00:00"))
	w.moved(k1, models.CaseReceived, models.CaseAccepted, models.RoleAdvocate, at(t, "2031-03-04T00:00:00"))
	w.moved(k1, models.CaseAccepted, models.CaseInProgress, models.RoleAdvocate, at(t, "2031-03-05T00:00:00"))
	w.moved(k1, models.CaseInProgress, models.CaseResolved, models.RoleAdvocate, at(t, "2031-03-12T00:00:00"))
	w.outcome(k1, models.OutcomeEvictionPrevented, ptr(int64(150000)), at(t, "2031-03-12T00:00:00"))

	// K2: from R2, answered by an advocate's message after half a day,
	// UNRESOLVED after 20 days, ADVICE_AND_COUNSEL without an amount.
	k2 := w.addCase(caseOpts{category: models.CategoryPublicBenefits, status: models.CaseUnresolved, org: fw.l2, referral: &r2, created: at(t, "2031-03-06T00:00:00")})
	w.event(k2, models.EventMessage, "", "", models.RoleAdvocate, at(t, "2031-03-06T12:00:00"))
	w.moved(k2, models.CaseSubmitted, models.CaseReceived, models.RoleAdvocate, at(t, "2031-03-07T00:00:00"))
	w.moved(k2, models.CaseReceived, models.CaseWaitingOnPatient, models.RoleAdvocate, at(t, "2031-03-08T00:00:00"))
	w.moved(k2, models.CaseWaitingOnPatient, models.CaseUnresolved, models.RoleAdvocate, at(t, "2031-03-26T00:00:00"))
	w.outcome(k2, models.OutcomeAdviceAndCounsel, nil, at(t, "2031-03-26T00:00:00"))

	// K3: asked for directly in the last millisecond of March. The patient's
	// message and an ADMIN's move are not a response; the advocate's
	// assignment two days later, in April, is.
	k3Created := at(t, "2031-03-31T23:59:59.999")
	k3 := w.addCase(caseOpts{category: models.CategoryHousing, status: models.CaseReceived, org: fw.l1, created: k3Created})
	w.event(k3, models.EventMessage, "", "", models.RolePatient, k3Created.Add(time.Hour))
	w.moved(k3, models.CaseSubmitted, models.CaseReceived, models.RoleAdmin, k3Created.Add(2*time.Hour))
	w.event(k3, models.EventAssigned, "", "", models.RoleAdvocate, k3Created.Add(48*time.Hour))

	// K4: opened in January, RESOLVED on 15 March after 59 days, BENEFITS_OBTAINED ($500).
	k4 := w.addCase(caseOpts{category: models.CategoryEmployment, status: models.CaseResolved, org: fw.l1, created: at(t, "2031-01-15T00:00:00")})
	w.moved(k4, models.CaseSubmitted, models.CaseReceived, models.RoleAdvocate, at(t, "2031-01-16T00:00:00"))
	w.moved(k4, models.CaseReceived, models.CaseAccepted, models.RoleAdvocate, at(t, "2031-01-17T00:00:00"))
	w.moved(k4, models.CaseAccepted, models.CaseInProgress, models.RoleAdvocate, at(t, "2031-01-18T00:00:00"))
	w.moved(k4, models.CaseInProgress, models.CaseResolved, models.RoleAdvocate, at(t, "2031-03-15T00:00:00"))
	w.outcome(k4, models.OutcomeBenefitsObtained, ptr(int64(50000)), at(t, "2031-03-15T00:00:00"))

	// K5: from R4, opened and resolved in April.
	k5 := w.addCase(caseOpts{category: models.CategoryHousing, status: models.CaseResolved, org: fw.l1, referral: &r4, created: at(t, "2031-04-01T00:00:00")})
	w.moved(k5, models.CaseInProgress, models.CaseResolved, models.RoleAdvocate, at(t, "2031-04-05T00:00:00"))

	// K6: opened and resolved in February; its outcome (OTHER, $10) was
	// recorded at the first instant of March.
	k6 := w.addCase(caseOpts{category: models.CategoryFood, status: models.CaseResolved, org: fw.l2, created: at(t, "2031-02-27T00:00:00")})
	w.moved(k6, models.CaseInProgress, models.CaseResolved, models.RoleAdvocate, at(t, "2031-02-28T00:00:00"))
	w.outcome(k6, models.OutcomeOther, ptr(int64(1000)), at(t, "2031-03-01T00:00:00"))

	// K7: no partner takes it; the patient withdrew it the next day.
	k7 := w.addCase(caseOpts{category: models.CategoryHousing, status: models.CaseWithdrawn, created: at(t, "2031-03-20T00:00:00")})
	w.moved(k7, models.CaseSubmitted, models.CaseWithdrawn, models.RolePatient, at(t, "2031-03-21T00:00:00"))
	return fw
}

func TestPartnershipReportFigures(t *testing.T) {
	s := apptest.New(t)
	fw := seedFigures(t, s)
	_, admin := s.User(t, models.RoleAdmin, nil)
	hidden := func(cat models.LegalCategory) categoryJSON {
		return categoryJSON{Category: string(cat), Suppressed: true}
	}

	tests := []struct {
		name     string
		from, to string
		org      *models.Organization
		want     reportJSON
	}{
		{
			// Sent in March: R2, R3, R4. Claimed: R1, R2. Opened: K1, K2, K3,
			// K7. Resolved: K1, K4. First response: K2 0.5, K1 1, K3 2 days.
			// Final: K1 10, K2 20, K4 59 days. Benefit: 1500 + 500 + 10 dollars.
			// HOUSING 3 cases (1 resolved), PUBLIC_BENEFITS 1 (0 resolved): the
			// small counts are hidden, and the resolved 0 hides with the 1.
			name: "WholePartnership", from: "2031-03-01", to: "2031-03-31",
			want: reportJSON{From: "2031-03-01", To: "2031-03-31", ReferralsSent: 3, ReferralsClaimed: 2, CasesOpened: 4, CasesResolved: 2,
				MedianDaysToFirstResponse: ptr(1.0), MedianDaysToResolution: ptr(20.0), TotalBenefitCents: 201000,
				ByCategory: []categoryJSON{hidden(models.CategoryHousing), hidden(models.CategoryPublicBenefits)},
				Outcomes: []outcomeJSON{
					{Code: "EVICTION_PREVENTED", Suppressed: true}, {Code: "BENEFITS_OBTAINED", Suppressed: true},
					{Code: "ADVICE_AND_COUNSEL", Suppressed: true}, {Code: "OTHER", Suppressed: true},
				}},
		},
		{
			// L1's cases: K1, K3, K4, K5; its referrals: R1 (claimed in March)
			// and R4 (sent in March).
			name: "LegalAidOrganization", from: "2031-03-01", to: "2031-03-31", org: fw.l1,
			want: reportJSON{From: "2031-03-01", To: "2031-03-31", ReferralsSent: 1, ReferralsClaimed: 1, CasesOpened: 2, CasesResolved: 2,
				MedianDaysToFirstResponse: ptr(1.5), MedianDaysToResolution: ptr(34.5), TotalBenefitCents: 200000,
				ByCategory: []categoryJSON{hidden(models.CategoryHousing)},
				Outcomes:   []outcomeJSON{{Code: "EVICTION_PREVENTED", Suppressed: true}, {Code: "BENEFITS_OBTAINED", Suppressed: true}}},
		},
		{
			// H1's referrals: R1, R2, R5 (sent in February); their cases K1, K2.
			name: "HealthSystemOrganization", from: "2031-03-01", to: "2031-03-31", org: fw.h1,
			want: reportJSON{From: "2031-03-01", To: "2031-03-31", ReferralsSent: 1, ReferralsClaimed: 2, CasesOpened: 2, CasesResolved: 1,
				MedianDaysToFirstResponse: ptr(0.75), MedianDaysToResolution: ptr(15.0), TotalBenefitCents: 150000,
				ByCategory: []categoryJSON{hidden(models.CategoryHousing), hidden(models.CategoryPublicBenefits)},
				Outcomes:   []outcomeJSON{{Code: "EVICTION_PREVENTED", Suppressed: true}, {Code: "ADVICE_AND_COUNSEL", Suppressed: true}}},
		},
		{
			// H2 sent R3 and R4 in March; R4's case opened in April.
			name: "HealthSystemWithNothingOpened", from: "2031-03-01", to: "2031-03-31", org: fw.h2,
			want: reportJSON{From: "2031-03-01", To: "2031-03-31", ReferralsSent: 2, ByCategory: []categoryJSON{}, Outcomes: []outcomeJSON{}},
		},
		{
			// The last day holds R4's sending (23:59:59) and K3's opening (.999).
			name: "LastDayInclusive", from: "2031-03-31", to: "2031-03-31",
			want: reportJSON{From: "2031-03-31", To: "2031-03-31", ReferralsSent: 1, CasesOpened: 1,
				MedianDaysToFirstResponse: ptr(2.0), Outcomes: []outcomeJSON{},
				// Resolved 0 is shown: the only cell of its column, and not small.
				ByCategory: []categoryJSON{{Category: "HOUSING", Resolved: ptr(0), Suppressed: true}}},
		},
		{
			// The first day holds K6's outcome, recorded at 00:00:00.
			name: "FirstDayInclusive", from: "2031-03-01", to: "2031-03-01",
			want: reportJSON{From: "2031-03-01", To: "2031-03-01", TotalBenefitCents: 1000, ByCategory: []categoryJSON{},
				Outcomes: []outcomeJSON{{Code: "OTHER", Suppressed: true}}},
		},
		{
			// The next day starts April: R4's claim and K5's opening; K5's
			// first advocate event is its move to RESOLVED four days later.
			name: "NextDayExcluded", from: "2031-04-01", to: "2031-04-01",
			want: reportJSON{From: "2031-04-01", To: "2031-04-01", ReferralsClaimed: 1, CasesOpened: 1, MedianDaysToFirstResponse: ptr(4.0),
				ByCategory: []categoryJSON{hidden(models.CategoryHousing)}, Outcomes: []outcomeJSON{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := getReport(t, s, admin, tt.from, tt.to, tt.org)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("report\n got %s\nwant %s", show(got), show(tt.want))
			}
		})
	}
}

func show(r reportJSON) string {
	b, _ := json.Marshal(r)
	return string(b)
}
