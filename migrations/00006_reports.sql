-- Indexes of the partnership report (internal/report): each figure reads the
-- rows of one time column inside the report's range, so that a month's report
-- reads that month's rows, not the whole table.

-- +goose Up
-- casesOpened, byCategory, medianDaysToFirstResponse: cases created in range.
CREATE INDEX cases_created_idx ON cases (created_at);
-- casesResolved, medianDaysToResolution: moves to a final RESOLVED or
-- UNRESOLVED in range (a few rows per case at most, so a small partial index).
CREATE INDEX case_events_final_moves_idx ON case_events (created_at)
    WHERE kind = 'STATUS_CHANGED' AND to_status IN ('RESOLVED', 'UNRESOLVED');
-- medianDaysToFirstResponse: a case's first event by an ADVOCATE, one index
-- probe per case opened in range.
CREATE INDEX case_events_advocate_idx ON case_events (case_id, created_at) WHERE actor_role = 'ADVOCATE';
-- totalBenefitCents, outcomes: outcomes recorded in range.
CREATE INDEX case_outcomes_recorded_idx ON case_outcomes (recorded_at);
-- referralsSent and referralsClaimed; the health system scope (its
-- referrals, by organization) and its referrals sent in range.
CREATE INDEX referrals_created_idx ON referrals (created_at);
CREATE INDEX referrals_claimed_idx ON referrals (claimed_at) WHERE claimed_at IS NOT NULL;
CREATE INDEX referrals_organization_created_idx ON referrals (organization_id, created_at);

-- +goose Down
DROP INDEX referrals_organization_created_idx;
DROP INDEX referrals_claimed_idx;
DROP INDEX referrals_created_idx;
DROP INDEX case_outcomes_recorded_idx;
DROP INDEX case_events_advocate_idx;
DROP INDEX case_events_final_moves_idx;
DROP INDEX cases_created_idx;
