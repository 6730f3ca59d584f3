package app_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/internal/audit"
	"mlp/internal/clock"
	"mlp/models"
)

// TestOneClockPerRequest runs a referral's whole loop over HTTP against a
// server whose application clock is a Manual one, moved to a new odd time
// (nanoseconds included) before each request: the clinician refers, the
// patient claims with consent, the advocate moves the case, posts a message,
// the patient reads their notifications and registers a device. Every
// timestamp those requests wrote (referral, case, events, consents, audit
// entries, notifications, devices) equals the application clock of its
// request, cut to microseconds: nothing takes the wall clock, nothing takes
// a second reading within one request.
func TestOneClockPerRequest(t *testing.T) {
	start := time.Date(2031, 7, 8, 9, 10, 11, 123456789, time.UTC)
	m := clock.NewManual(start)
	s := apptest.New(t, apptest.WithClock(m.Clock()))
	const state = "WY"
	legal := s.Org(t, models.OrgLegalAid, []string{state})
	health := s.Org(t, models.OrgHealthSystem, []string{state})
	t.Cleanup(func() {
		s.DB.Exec(`UPDATE organizations SET service_areas = '{}' WHERE id IN ?`, []uuid.UUID{legal.ID, health.ID})
	})
	clinician, _ := s.User(t, models.RoleClinician, health)
	patient, _ := s.User(t, models.RolePatient, nil)
	advocate, _ := s.User(t, models.RoleAdvocate, legal)

	// at moves the clock to the next odd instant (a minute and some
	// nanoseconds on) and returns it as stored: in UTC, cut to microseconds.
	var stamps []time.Time
	at := func() time.Time {
		m.Add(time.Minute + 7654321*time.Nanosecond)
		now := clock.Round(m.Now())
		stamps = append(stamps, now)
		return now
	}
	do := func(u *models.User, doc string, vars map[string]any) *apptest.Response {
		return s.Do(t, s.Token(t, u), doc, vars).MustOK(t)
	}

	tRefer := at()
	r := do(clinician, `mutation($in: ReferPatientInput!) { referPatient(input: $in) { id code } }`, map[string]any{"in": map[string]any{
		"patientLabel": "A. B.", "categories": []string{"HOUSING"}, "jurisdiction": state,
		"screening": []map[string]any{{"domain": "HOUSING_AND_UTILITIES", "positive": true}}}})
	refID, code := apptest.Str(t, r, "referPatient.id"), apptest.Str(t, r, "referPatient.code")

	tClaim := at()
	c := do(patient, `mutation($in: ClaimReferralInput!) { claimReferral(input: $in) { id organization { id } } }`, map[string]any{"in": map[string]any{
		"code": code, "description": "The landlord shut off the heat.", "consentToShare": true, "shareStatusWithReferrer": true}})
	caseID := apptest.Str(t, c, "claimReferral.id")
	if org := apptest.Str(t, c, "claimReferral.organization.id"); org != legal.ID.String() {
		t.Fatalf("the case went to %s, want the state's partner %s", org, legal.ID)
	}

	tStatus := at()
	do(advocate, `mutation($id: ID!) { updateCaseStatus(input: {caseId: $id, status: RECEIVED}) { id } }`, map[string]any{"id": caseID})

	tMessage := at()
	do(advocate, `mutation($id: ID!) { addCaseMessage(caseId: $id, body: "We will call you tomorrow.", visibleToPatient: true) { id } }`,
		map[string]any{"id": caseID})

	tRead := at()
	var mine struct {
		MyNotifications struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	do(patient, `{ myNotifications { edges { node { id } } } }`, nil).Decode(t, &mine)
	var ids []string
	for _, e := range mine.MyNotifications.Edges {
		ids = append(ids, e.Node.ID)
	}
	if len(ids) < 2 {
		t.Fatalf("the patient has %d notifications, want those of the status change and the message", len(ids))
	}
	do(patient, `mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) }`, map[string]any{"ids": ids})

	tDevice := at()
	do(patient, `mutation { registerDevice(platform: IOS, token: "clock-test-token-0123456789") }`, nil)

	// Every timestamp of the loop's rows.
	people := []uuid.UUID{clinician.ID, patient.ID, advocate.ID}
	cid, rid := uuid.MustParse(caseID), uuid.MustParse(refID)
	type source struct{ table, where string }
	sources := []source{
		{"referrals", "id = @ref"},
		{"cases", "id = @case"},
		{"case_events", "case_id = @case"},
		{"consents", "patient_id = @patient"},
		{"audit_entries", "entity_id IN (@case, @ref) OR actor_id IN @people"},
		{"notifications", "user_id IN @people"},
		{"devices", "user_id = @patient"},
	}
	args := map[string]any{"case": cid, "ref": rid, "patient": patient.ID, "people": people}
	got := map[string][]time.Time{} // "table.column" -> values
	for _, src := range sources {
		var cols []string
		if err := s.DB.Raw(`SELECT column_name FROM information_schema.columns
			WHERE table_schema = 'public' AND table_name = ? AND data_type LIKE 'timestamp%' ORDER BY column_name`, src.table).Scan(&cols).Error; err != nil {
			t.Fatal(err)
		}
		for _, col := range cols {
			var vals []time.Time
			q := fmt.Sprintf(`SELECT %s FROM %s WHERE (%s) AND %s IS NOT NULL`, col, src.table, src.where, col)
			if err := s.DB.Raw(q, args).Scan(&vals).Error; err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				got[src.table+"."+col] = append(got[src.table+"."+col], v.UTC())
			}
		}
	}
	isStamp := func(v time.Time) bool {
		for _, s := range stamps {
			if v.Equal(s) {
				return true
			}
		}
		return false
	}
	keys := make([]string, 0, len(got))
	for k := range got {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	n := 0
	for _, k := range keys {
		for _, v := range got[k] {
			n++
			want := isStamp(v)
			if k == "referrals.expires_at" { // derived: the referral's time plus its TTL
				want = v.Equal(tRefer.Add(models.ReferralTTL))
			}
			if !want {
				t.Errorf("%s = %s is no request's clock (%s)", k, v.Format(time.RFC3339Nano), stampList(stamps))
			}
		}
	}

	// And each is the clock of the request that wrote it.
	one := func(what string, want time.Time, q string, qargs ...any) {
		t.Helper()
		var v []time.Time
		if err := s.DB.Raw(q, qargs...).Scan(&v).Error; err != nil {
			t.Fatal(err)
		}
		if len(v) == 0 {
			t.Errorf("%s: no row", what)
		}
		for _, x := range v {
			if !x.Equal(want) {
				t.Errorf("%s = %s, want %s", what, x.UTC().Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
			}
		}
	}
	one("referral created", tRefer, `SELECT created_at FROM referrals WHERE id = ?`, rid)
	one("referral claimed", tClaim, `SELECT claimed_at FROM referrals WHERE id = ?`, rid)
	one("case created", tClaim, `SELECT created_at FROM cases WHERE id = ?`, cid)
	one("case updated", tStatus, `SELECT updated_at FROM cases WHERE id = ?`, cid) // a message does not change the case
	one("case created event", tClaim, `SELECT created_at FROM case_events WHERE case_id = ? AND kind = ?`, cid, models.EventCreated)
	one("status event", tStatus, `SELECT created_at FROM case_events WHERE case_id = ? AND kind = ?`, cid, models.EventStatusChanged)
	one("message event", tMessage, `SELECT created_at FROM case_events WHERE case_id = ? AND kind = ?`, cid, models.EventMessage)
	one("consents granted", tClaim, `SELECT granted_at FROM consents WHERE case_id = ?`, cid)
	one("audit of the claim", tClaim, `SELECT at FROM audit_entries WHERE entity_id = ? AND actor_id = ?`, cid, patient.ID)
	one("the advocate's notification of the new case", tClaim, `SELECT created_at FROM notifications WHERE user_id = ?`, advocate.ID)
	one("the patient's notifications read", tRead, `SELECT read_at FROM notifications WHERE user_id = ?`, patient.ID)
	one("device registered", tDevice, `SELECT created_at FROM devices WHERE user_id = ?`, patient.ID)
	one("device seen", tDevice, `SELECT last_seen_at FROM devices WHERE user_id = ?`, patient.ID)
	var advAudit []time.Time
	s.DB.Raw(`SELECT DISTINCT at FROM audit_entries WHERE entity_id = ? AND actor_id = ? AND action = ? ORDER BY at`, cid, advocate.ID, audit.ActionUpdate).Scan(&advAudit)
	if len(advAudit) != 2 || !advAudit[0].Equal(tStatus) || !advAudit[1].Equal(tMessage) {
		t.Errorf("the advocate's audit entries were written at %v, want the status change's %s and the message's %s", advAudit, tStatus, tMessage)
	}
	var created []time.Time
	s.DB.Raw(`SELECT created_at FROM notifications WHERE user_id = ? ORDER BY created_at`, patient.ID).Scan(&created)
	if len(created) < 2 || !created[0].Equal(tStatus) || !created[len(created)-1].Equal(tMessage) {
		t.Errorf("the patient's notifications were written at %v, want the status change's %s and the message's %s", created, tStatus, tMessage)
	}
	t.Logf("%d timestamps in %d columns, each its request's clock", n, len(keys))
}

func stampList(ts []time.Time) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = t.Format(time.RFC3339Nano)
	}
	return strings.Join(parts, ", ")
}
