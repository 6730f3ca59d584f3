// Package report computes the de-identified partnership report: counts and
// medians over a range of calendar days, aggregated in PostgreSQL (no row is
// loaded into Go), with small-cell and complementary suppression of the
// per-category and per-outcome counts. Reading a report is audited.
//
// The figures, for the days from..to inclusive (UTC), within the scope of the
// organization filter:
//
//   - referralsSent: referrals created in the range (whatever they became).
//   - referralsClaimed: referrals claimed in the range (claimed_at).
//   - casesOpened: cases created in the range.
//   - casesResolved: cases with a STATUS_CHANGED event to RESOLVED in the
//     range, whenever they were opened.
//   - medianDaysToFirstResponse: over the cases opened in the range that an
//     ADVOCATE has acted on (any event by an ADVOCATE: status change,
//     assignment, message or outcome, at any time up to the report), the
//     median of the elapsed days from the case's creation to the first such
//     event. Cases nobody has answered yet are left out; null when no case
//     qualifies.
//   - medianDaysToResolution: over the cases with a STATUS_CHANGED event to
//     RESOLVED or UNRESOLVED in the range, the median of the elapsed days from
//     the case's creation to that event; null when none.
//   - totalBenefitCents: the sum of benefit_amount_cents of the outcomes
//     recorded in the range (a corrected outcome counts once, at its last
//     recording); outcomes without an amount add 0.
//   - byCategory: one row per category with cases opened in the range (contract
//     order): cases, how many were opened; resolved, how many of those are
//     RESOLVED when the report is read.
//   - outcomes: one row per outcome code recorded in the range (contract
//     order): cases, how many outcomes of that code.
//
// Days are elapsed time (86,400 seconds), rounded to two decimals.
//
// Scope: with no organization, everything. A LEGAL_AID organization: the cases
// routed to it, their events and outcomes, and the referrals that became those
// cases. A HEALTH_SYSTEM organization: the referrals its clinicians sent (the
// organization stored on the referral when it was made) and the cases opened
// by claiming them, with their events and outcomes.
//
// Suppression: a count in byCategory or outcomes between 1 and 10 is null
// (with suppressed true); 0 and 11 or more are shown. When a column (byCategory
// cases, byCategory resolved, outcomes cases) has exactly one count suppressed
// that way, its smallest shown count above 0 is suppressed too (complementary
// suppression: otherwise the hidden count is the column's total less the shown
// ones); ties go to the first row in contract order, and when only zeros are
// shown, a zero is hidden. A column of one row cannot be protected from the
// report's own totals, which the contract never hides.
package report

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/internal/audit"
	"mlp/internal/clock"
	"mlp/internal/unit"
	"mlp/models"
)

// MaxYears is the longest range a report covers, in years.
const MaxYears = 3

// SmallCell is the largest count that is suppressed; 0 is always shown.
const SmallCell = 10

// Audit vocabulary of a report read. The entry's entity id is the filtering
// organization, null for a report of the whole partnership; nothing else of
// the request (not the dates) and nothing of the figures is recorded.
const (
	ActionViewed            = "REPORT_VIEWED"
	EntityPartnershipReport = "PartnershipReport"
)

// Service computes partnership reports.
type Service struct {
	db    *gorm.DB
	clock clock.Clock
}

// NewService returns the report service; clk is the application's clock
// (it stamps the audit entry of a read).
func NewService(db *gorm.DB, clk clock.Clock) *Service { return &Service{db: db, clock: clk} }

// PartnershipReport returns the de-identified report of the days from..to
// inclusive (UTC), for the whole partnership or, when organizationID is set,
// for one organization (see the package comment), and audits the read in the
// same transaction. ADMIN only.
// Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT (to: before from, or a
// range longer than MaxYears), NOT_FOUND (organizationId: unknown or not an ID).
func (s *Service) PartnershipReport(ctx context.Context, from, to models.Date, organizationID *string) (*models.PartnershipReport, error) {
	p, err := Policy.Authorize(ctx, "PartnershipReport")
	if err != nil {
		return nil, err
	}
	if err := validRange(from, to); err != nil {
		return nil, err
	}
	var orgID *uuid.UUID
	if organizationID != nil {
		id, err := uuid.Parse(*organizationID)
		if err != nil {
			return nil, models.NotFound("Organization")
		}
		orgID = &id
	}
	var rep *models.PartnershipReport
	err = unit.Do(ctx, s.db, s.clock, p, func(w *unit.Work) error {
		tx := w.Tx
		sc := scopeAll
		if orgID != nil {
			var org struct{ Kind models.OrganizationKind }
			res := tx.Raw("SELECT kind FROM organizations WHERE id = ?", *orgID).Scan(&org)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return models.NotFound("Organization")
			}
			if sc = scopes[org.Kind]; sc.cases == "" {
				return fmt.Errorf("report: organization kind %q has no scope", org.Kind)
			}
		}
		r, err := compute(tx, sc, from, to, orgID)
		if err != nil {
			return err
		}
		rep = r
		return audit.Record(tx, p, ActionViewed, EntityPartnershipReport, orgID)
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// validRange checks that from..to is a range of at most MaxYears.
// Errors: BAD_USER_INPUT (to).
func validRange(from, to models.Date) error {
	if to.Before(from.Time) {
		return models.InvalidField("to", "The end date is before the start date.")
	}
	if limit := from.AddDate(MaxYears, 0, 0); !to.Before(limit) {
		return models.InvalidField("to", "A report covers at most %d years: end it before %s.", MaxYears, models.NewDate(limit))
	}
	return nil
}

// scope is the SQL condition that keeps the cases (alias c) and the referrals
// (alias r) of the report's organization; @org is its id. The fragments are
// constants, never built from input.
type scope struct{ cases, referrals string }

var (
	scopeAll = scope{cases: "true", referrals: "true"}
	scopes   = map[models.OrganizationKind]scope{
		models.OrgLegalAid: {
			cases:     "c.organization_id = @org",
			referrals: "EXISTS (SELECT 1 FROM cases rc WHERE rc.referral_id = r.id AND rc.organization_id = @org)",
		},
		models.OrgHealthSystem: {
			cases:     "c.referral_id IN (SELECT hr.id FROM referrals hr WHERE hr.organization_id = @org)",
			referrals: "r.organization_id = @org",
		},
	}
)

// reportSQL computes every figure in one statement (one snapshot): the scalar
// figures as columns, the per-category and per-outcome counts as JSON arrays.
// %[1]s is the cases condition, %[2]s the referrals one. Each time range is
// read through an index of migration 00006; the first advocate event of each
// case opened in range is one probe of case_events_advocate_idx.
const reportSQL = `
WITH opened AS MATERIALIZED (
	SELECT c.id, c.category, c.status, c.created_at FROM cases c
	WHERE c.created_at >= @from AND c.created_at < @until AND %[1]s
), first_response AS (
	SELECT fr.at - o.created_at AS took
	FROM opened o
	CROSS JOIN LATERAL (SELECT min(e.created_at) AS at FROM case_events e
		WHERE e.case_id = o.id AND e.actor_role = 'ADVOCATE') fr
	WHERE fr.at IS NOT NULL
), finals AS MATERIALIZED (
	SELECT e.to_status, e.created_at - c.created_at AS took
	FROM case_events e JOIN cases c ON c.id = e.case_id
	WHERE e.kind = 'STATUS_CHANGED' AND e.to_status IN ('RESOLVED', 'UNRESOLVED')
		AND e.created_at >= @from AND e.created_at < @until AND %[1]s
), outcomes AS MATERIALIZED (
	SELECT co.code, co.benefit_amount_cents FROM case_outcomes co JOIN cases c ON c.id = co.case_id
	WHERE co.recorded_at >= @from AND co.recorded_at < @until AND %[1]s
)
SELECT
	(SELECT count(*) FROM referrals r WHERE r.created_at >= @from AND r.created_at < @until AND %[2]s) AS referrals_sent,
	(SELECT count(*) FROM referrals r WHERE r.claimed_at >= @from AND r.claimed_at < @until AND %[2]s) AS referrals_claimed,
	(SELECT count(*) FROM opened) AS cases_opened,
	(SELECT count(*) FROM finals WHERE to_status = 'RESOLVED') AS cases_resolved,
	(SELECT round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM took)::float8) / 86400)::numeric, 2)::float8
		FROM first_response) AS median_days_to_first_response,
	(SELECT round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM took)::float8) / 86400)::numeric, 2)::float8
		FROM finals) AS median_days_to_resolution,
	(SELECT coalesce(sum(benefit_amount_cents), 0)::bigint FROM outcomes) AS total_benefit_cents,
	(SELECT coalesce(json_agg(json_build_object('key', category, 'n', n, 'resolved', resolved)), '[]')
		FROM (SELECT category, count(*) AS n, count(*) FILTER (WHERE status = 'RESOLVED') AS resolved
			FROM opened GROUP BY category) g) AS by_category,
	(SELECT coalesce(json_agg(json_build_object('key', code, 'n', n)), '[]')
		FROM (SELECT code, count(*) AS n FROM outcomes GROUP BY code) g) AS outcomes`

// figures is the row reportSQL returns.
type figures struct {
	ReferralsSent             int64
	ReferralsClaimed          int64
	CasesOpened               int64
	CasesResolved             int64
	MedianDaysToFirstResponse *float64
	MedianDaysToResolution    *float64
	TotalBenefitCents         int64
	ByCategory                string
	Outcomes                  string
}

// group is one element of the by_category and outcomes arrays.
type group struct {
	Key      string `json:"key"`
	N        int    `json:"n"`
	Resolved int    `json:"resolved"`
}

// compute runs reportSQL inside tx and applies suppression.
func compute(tx *gorm.DB, sc scope, from, to models.Date, orgID *uuid.UUID) (*models.PartnershipReport, error) {
	args := map[string]any{"from": from.Time, "until": to.AddDate(0, 0, 1)}
	if orgID != nil {
		args["org"] = *orgID
	}
	// Plan this statement for its own dates and organization every time: a
	// cached generic plan guesses the ranges' sizes and, over 10,000 cases,
	// was ten times slower (nested loops over what are thousands of rows).
	// JIT compilation cost more than it saved (50 of 160 ms). Both settings
	// end with the transaction.
	if err := tx.Exec("SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL jit = off").Error; err != nil {
		return nil, err
	}
	var f figures
	if err := tx.Raw(fmt.Sprintf(reportSQL, sc.cases, sc.referrals), args).Scan(&f).Error; err != nil {
		return nil, err
	}
	var cats, outs []group
	if err := json.Unmarshal([]byte(f.ByCategory), &cats); err != nil {
		return nil, fmt.Errorf("report: by_category: %w", err)
	}
	if err := json.Unmarshal([]byte(f.Outcomes), &outs); err != nil {
		return nil, fmt.Errorf("report: outcomes: %w", err)
	}
	slices.SortFunc(cats, func(a, b group) int {
		return slices.Index(models.AllLegalCategories, models.LegalCategory(a.Key)) - slices.Index(models.AllLegalCategories, models.LegalCategory(b.Key))
	})
	slices.SortFunc(outs, func(a, b group) int {
		return slices.Index(models.AllOutcomeCodes, models.OutcomeCode(a.Key)) - slices.Index(models.AllOutcomeCodes, models.OutcomeCode(b.Key))
	})

	rep := &models.PartnershipReport{
		From: from, To: to,
		ReferralsSent:             int(f.ReferralsSent),
		ReferralsClaimed:          int(f.ReferralsClaimed),
		CasesOpened:               int(f.CasesOpened),
		CasesResolved:             int(f.CasesResolved),
		MedianDaysToFirstResponse: f.MedianDaysToFirstResponse,
		MedianDaysToResolution:    f.MedianDaysToResolution,
		TotalBenefitCents:         int(f.TotalBenefitCents),
		ByCategory:                make([]*models.CategoryStat, len(cats)),
		Outcomes:                  make([]*models.OutcomeStat, len(outs)),
	}
	cases := make([]int, len(cats))
	resolved := make([]int, len(cats))
	for i, g := range cats {
		cases[i], resolved[i] = g.N, g.Resolved
	}
	shownCases, shownResolved := Suppress(cases), Suppress(resolved)
	for i, g := range cats {
		rep.ByCategory[i] = &models.CategoryStat{Category: models.LegalCategory(g.Key), Cases: shownCases[i], Resolved: shownResolved[i],
			Suppressed: shownCases[i] == nil || shownResolved[i] == nil}
	}
	codes := make([]int, len(outs))
	for i, g := range outs {
		codes[i] = g.N
	}
	shownCodes := Suppress(codes)
	for i, g := range outs {
		rep.Outcomes[i] = &models.OutcomeStat{Code: models.OutcomeCode(g.Key), Cases: shownCodes[i], Suppressed: shownCodes[i] == nil}
	}
	return rep, nil
}

// Suppress returns the counts of one column as shown: nil for a count between
// 1 and SmallCell, and, when that hides exactly one count, nil also for the
// smallest shown count above 0 (the first of equals), or for a shown 0 when
// there is none above 0. Other counts are shown as they are; the pointers
// point into counts.
func Suppress(counts []int) []*int {
	shown := make([]*int, len(counts))
	hidden := 0
	for i, n := range counts {
		if n >= 1 && n <= SmallCell {
			hidden++
			continue
		}
		shown[i] = &counts[i]
	}
	if hidden != 1 {
		return shown
	}
	next := -1
	for i, n := range counts {
		if shown[i] == nil {
			continue
		}
		if next < 0 || (counts[next] == 0 && n > 0) || (n > 0 && n < counts[next]) {
			next = i
		}
	}
	if next >= 0 {
		shown[next] = nil
	}
	return shown
}
