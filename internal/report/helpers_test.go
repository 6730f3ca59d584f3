package report_test

import (
	"crypto/rand"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/internal/database/dbtest"
	"mlp/models"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }

// The tests of this package share one database. Each keeps to a year of its
// own (the report is filtered by date), so that reports of the whole
// partnership see only that test's rows.

const reportDoc = `query($from: Date!, $to: Date!, $org: ID) {
	partnershipReport(from: $from, to: $to, organizationId: $org) {
		from to referralsSent referralsClaimed casesOpened casesResolved
		medianDaysToFirstResponse medianDaysToResolution totalBenefitCents
		byCategory { category cases resolved suppressed }
		outcomes { code cases suppressed }
	}
}`

type categoryJSON struct {
	Category   string
	Cases      *int
	Resolved   *int
	Suppressed bool
}

type outcomeJSON struct {
	Code       string
	Cases      *int
	Suppressed bool
}

type reportJSON struct {
	From, To                  string
	ReferralsSent             int
	ReferralsClaimed          int
	CasesOpened               int
	CasesResolved             int
	MedianDaysToFirstResponse *float64
	MedianDaysToResolution    *float64
	TotalBenefitCents         int
	ByCategory                []categoryJSON
	Outcomes                  []outcomeJSON
}

// getReport asks for the report as tok and fails the test on errors.
func getReport(t testing.TB, s *apptest.Server, tok, from, to string, org *models.Organization) reportJSON {
	t.Helper()
	vars := map[string]any{"from": from, "to": to}
	if org != nil {
		vars["org"] = org.ID.String()
	}
	var out struct{ PartnershipReport reportJSON }
	s.Do(t, tok, reportDoc, vars).MustOK(t).Decode(t, &out)
	return out.PartnershipReport
}

// reportAudits counts the audit rows of report reads.
func reportAudits(t testing.TB, s *apptest.Server) int64 {
	t.Helper()
	var n int64
	if err := s.DB.Table("audit_entries").Where("entity_type = ?", "PartnershipReport").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// at parses a UTC time written 2006-01-02T15:04:05.
func at(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse("2006-01-02T15:04:05.999", s)
	if err != nil {
		t.Fatal(err)
	}
	return v.UTC()
}

func ptr[T any](v T) *T { return &v }

var refSeq atomic.Int64

// world inserts rows straight into the database, with the times the test
// chooses, the way the services would have left them.
type world struct {
	t       testing.TB
	s       *apptest.Server
	patient *models.User
}

func newWorld(t testing.TB, s *apptest.Server) *world {
	t.Helper()
	p, _ := s.User(t, models.RolePatient, nil)
	return &world{t: t, s: s, patient: p}
}

func (w *world) exec(sql string, args ...any) {
	w.t.Helper()
	if err := w.s.DB.Exec(sql, args...).Error; err != nil {
		w.t.Fatal(err)
	}
}

// caseOpts describe a case to insert.
type caseOpts struct {
	category models.LegalCategory
	status   models.CaseStatus
	org      *models.Organization
	referral *uuid.UUID
	created  time.Time
}

// addCase inserts a case and its CREATED event (by the patient).
func (w *world) addCase(o caseOpts) uuid.UUID {
	w.t.Helper()
	id := uuid.Must(uuid.NewV7())
	var org *uuid.UUID
	if o.org != nil {
		org = &o.org.ID
	}
	if o.status == "" {
		o.status = models.CaseSubmitted
	}
	w.exec(`INSERT INTO cases (id, reference, patient_id, idempotency_key, category, description, status, jurisdiction,
			organization_id, referral_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, 'Report test case', ?, 'CA', ?, ?, ?, ?)`,
		id, fmt.Sprintf("MLP-8000-%06d", refSeq.Add(1)), w.patient.ID, id.String(), o.category, o.status, org, o.referral, o.created, o.created)
	w.event(id, models.EventCreated, "", models.CaseSubmitted, models.RolePatient, o.created)
	return id
}

// event inserts a timeline event; from may be "" (no from status), to too.
func (w *world) event(caseID uuid.UUID, kind models.CaseEventKind, from, to models.CaseStatus, role models.Role, when time.Time) {
	w.t.Helper()
	var f, s *models.CaseStatus
	if from != "" {
		f = &from
	}
	if to != "" {
		s = &to
	}
	w.exec(`INSERT INTO case_events (id, case_id, kind, from_status, to_status, actor_role, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, uuid.Must(uuid.NewV7()), caseID, kind, f, s, role, when)
}

// moved inserts a STATUS_CHANGED event.
func (w *world) moved(caseID uuid.UUID, from, to models.CaseStatus, role models.Role, when time.Time) {
	w.t.Helper()
	w.event(caseID, models.EventStatusChanged, from, to, role, when)
}

// outcome inserts a case's outcome recorded at when.
func (w *world) outcome(caseID uuid.UUID, code models.OutcomeCode, cents *int64, when time.Time) {
	w.t.Helper()
	w.exec(`INSERT INTO case_outcomes (case_id, code, benefit_amount_cents, recorded_at) VALUES (?, ?, ?, ?)`,
		caseID, code, cents, when)
}

// referral inserts a referral by clinician (of its organization), created at
// created, and claimed by the world's patient at claimed when it is not nil.
func (w *world) referral(clinician *models.User, created time.Time, claimed *time.Time) uuid.UUID {
	w.t.Helper()
	id := uuid.Must(uuid.NewV7())
	hash := make([]byte, 32)
	_, _ = rand.Read(hash)
	status, claimedBy := models.ReferralSent, (*uuid.UUID)(nil)
	if claimed != nil {
		status, claimedBy = models.ReferralClaimed, &w.patient.ID
	}
	w.exec(`INSERT INTO referrals (id, code_hash, code_hint, status, clinician_id, organization_id, patient_label, categories,
			jurisdiction, claimed_by, claimed_at, expires_at, created_at, updated_at)
		VALUES (?, ?, 'ABCD', ?, ?, ?, 'J.', '{HOUSING}', 'CA', ?, ?, ?, ?, ?)`,
		id, hash, status, clinician.ID, clinician.OrganizationID, claimedBy, claimed, created.Add(30*24*time.Hour), created, created)
	return id
}
