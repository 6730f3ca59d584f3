package report_test

import (
	"reflect"
	"testing"
	"time"

	"mlp/internal/apptest"
	"mlp/internal/report"
	"mlp/models"
)

func TestSuppress(t *testing.T) {
	n := func(v int) *int { return &v }
	tests := []struct {
		name   string
		counts []int
		want   []*int
	}{
		{"ZeroShown", []int{0}, []*int{n(0)}},
		{"OneHidden", []int{1}, []*int{nil}},
		{"TenHidden", []int{10}, []*int{nil}},
		{"ElevenShown", []int{11}, []*int{n(11)}},
		{"TwoSmallNeedNoComplement", []int{3, 4, 20}, []*int{nil, nil, n(20)}},
		{"ComplementIsSmallestShown", []int{30, 5, 12, 11}, []*int{n(30), nil, n(12), nil}},
		{"ComplementSkipsZeros", []int{5, 0, 20}, []*int{nil, n(0), nil}},
		{"ComplementTakesFirstOfEquals", []int{5, 20, 20}, []*int{nil, nil, n(20)}},
		{"ComplementIsZeroWhenOnlyZerosShown", []int{5, 0, 0}, []*int{nil, nil, n(0)}},
		{"NothingSmall", []int{11, 0, 40}, []*int{n(11), n(0), n(40)}},
		{"Empty", []int{}, []*int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := report.Suppress(tt.counts)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Suppress(%v) = %v, want %v", tt.counts, deref(got), deref(tt.want))
			}
		})
	}
}

func deref(ps []*int) []any {
	out := make([]any, len(ps))
	for i, p := range ps {
		if p != nil {
			out[i] = *p
		}
	}
	return out
}

// TestPartnershipReportSuppression reads a June 2033 report over HTTP whose
// columns hold 0, 1, 10, 11 and more, and one column with a single small
// count in each of resolved and outcomes.
func TestPartnershipReportSuppression(t *testing.T) {
	s := apptest.New(t)
	w := newWorld(t, s)
	org := s.Org(t, models.OrgLegalAid, []string{"CA"})
	_, admin := s.User(t, models.RoleAdmin, nil)

	day := at(t, "2033-06-10T12:00:00")
	var withOutcome []string // case ids, to give outcomes to
	add := func(cat models.LegalCategory, opened, resolved int) {
		for i := range opened {
			status := models.CaseInProgress
			if i < resolved {
				status = models.CaseResolved
			}
			id := w.addCase(caseOpts{category: cat, status: status, org: org, created: day.Add(time.Duration(i) * time.Minute)})
			withOutcome = append(withOutcome, id.String())
		}
	}
	add(models.CategoryHousing, 11, 5)        // cases 11 shown; resolved 5 hidden
	add(models.CategoryPublicBenefits, 10, 0) // cases 10 hidden; resolved 0 shown
	add(models.CategoryEmployment, 1, 0)      // cases 1 hidden; resolved 0 shown
	add(models.CategoryUtilities, 13, 0)      // nothing hidden
	add(models.CategoryFood, 25, 12)          // resolved 12: the complement of HOUSING's 5
	// Outcomes: EVICTION_PREVENTED 11, BENEFITS_OBTAINED 14, OTHER 3.
	codes := map[models.OutcomeCode]int{models.OutcomeEvictionPrevented: 11, models.OutcomeBenefitsObtained: 14, models.OutcomeOther: 3}
	i := 0
	for _, code := range []models.OutcomeCode{models.OutcomeEvictionPrevented, models.OutcomeBenefitsObtained, models.OutcomeOther} {
		for range codes[code] {
			w.exec(`INSERT INTO case_outcomes (case_id, code, recorded_at) VALUES (?, ?, ?)`, withOutcome[i], code, day)
			i++
		}
	}

	got := getReport(t, s, admin, "2033-06-01", "2033-06-30", nil)
	n := func(v int) *int { return &v }
	wantCats := []categoryJSON{
		{Category: "HOUSING", Cases: n(11), Suppressed: true},
		{Category: "PUBLIC_BENEFITS", Resolved: n(0), Suppressed: true},
		{Category: "EMPLOYMENT", Resolved: n(0), Suppressed: true},
		{Category: "UTILITIES", Cases: n(13), Resolved: n(0)},
		{Category: "FOOD", Cases: n(25), Suppressed: true},
	}
	wantOutcomes := []outcomeJSON{
		{Code: "EVICTION_PREVENTED", Suppressed: true},
		{Code: "BENEFITS_OBTAINED", Cases: n(14)},
		{Code: "OTHER", Suppressed: true},
	}
	if got.CasesOpened != 60 {
		t.Errorf("casesOpened = %d, want 60", got.CasesOpened)
	}
	if !reflect.DeepEqual(got.ByCategory, wantCats) {
		t.Errorf("byCategory\n got %+v\nwant %+v", got.ByCategory, wantCats)
	}
	if !reflect.DeepEqual(got.Outcomes, wantOutcomes) {
		t.Errorf("outcomes\n got %+v\nwant %+v", got.Outcomes, wantOutcomes)
	}
	// No hidden count can be had by subtraction: casesOpened less the shown
	// cases leaves two unknowns (PUBLIC_BENEFITS, EMPLOYMENT), and each
	// column with a hidden count has at least two.
	for col, hiddenCount := range map[string]int{"cases": countNil(got.ByCategory, func(c categoryJSON) *int { return c.Cases }),
		"resolved": countNil(got.ByCategory, func(c categoryJSON) *int { return c.Resolved })} {
		if hiddenCount == 1 {
			t.Errorf("byCategory %s has exactly one hidden count", col)
		}
	}
}

func countNil(cats []categoryJSON, f func(categoryJSON) *int) int {
	n := 0
	for _, c := range cats {
		if f(c) == nil {
			n++
		}
	}
	return n
}
