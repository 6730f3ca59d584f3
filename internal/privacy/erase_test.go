package privacy_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/internal/apptest"
	"mlp/internal/audit"
	"mlp/models"
)

// textColumns lists every text, varchar, json(b) and text[] column of every
// table, from information_schema: a table added later is scanned too.
func textColumns(t *testing.T, db *gorm.DB) [][2]string {
	t.Helper()
	var cols []struct{ TableSchema, TableName, ColumnName string }
	err := db.Raw(`SELECT c.table_schema, c.table_name, c.column_name
		FROM information_schema.columns c
		JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE t.table_type = 'BASE TABLE' AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
		  AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')
		       OR (c.data_type = 'ARRAY' AND c.udt_name IN ('_text', '_varchar')))
		ORDER BY 1, 2, 3`).Scan(&cols).Error
	if err != nil || len(cols) < 20 {
		t.Fatalf("columns: %v (%d)", err, len(cols))
	}
	out := make([][2]string, len(cols))
	for i, c := range cols {
		out[i] = [2]string{fmt.Sprintf("%q.%q", c.TableSchema, c.TableName), fmt.Sprintf("%q", c.ColumnName)}
	}
	return out
}

// scan returns "table.column" of every text column holding needle (any case).
func scan(t *testing.T, db *gorm.DB, cols [][2]string, needle string) []string {
	t.Helper()
	var hits []string
	for _, c := range cols {
		var n int64
		q := fmt.Sprintf(`SELECT count(*) FROM %s WHERE strpos(lower(%s::text), lower(?)) > 0`, c[0], c[1])
		if err := db.Raw(q, needle).Scan(&n).Error; err != nil {
			t.Fatalf("%s.%s: %v", c[0], c[1], err)
		}
		if n > 0 {
			hits = append(hits, c[0]+"."+c[1])
		}
	}
	return hits
}

const deleteAccount = `mutation($pw: String!) { deleteMyAccount(password: $pw) { erasedAt casesKeptOnLegalHold } }`

func TestDeleteMyAccount(t *testing.T) {
	s := apptest.New(t)
	t.Parallel()
	w := newWorld(t, s)
	tag := "erase-" + uuid.NewString()
	name := "Maria Erasable " + uuid.NewString()[:8]
	if err := s.DB.Model(w.patient).Update("display_name", name).Error; err != nil {
		t.Fatal(err)
	}
	me := seedPerson(t, s, w, w.patient, w.patientTok, tag)
	// A resolved case with an outcome (the reports count it) and a held one.
	done := insertCase(t, s, w.patient, w.org, models.CaseResolved, "Resolved description "+tag)
	s.Do(t, w.advTok, `mutation($id: ID!) { recordCaseOutcome(input: {caseId: $id, code: BENEFITS_OBTAINED, benefitAmountCents: 5000, notes: "Outcome note `+tag+`"}) { id } }`,
		map[string]any{"id": done.ID.String()}).MustOK(t)
	heldTag := "held-" + uuid.NewString()
	held := insertCase(t, s, w.patient, w.org, models.CaseInProgress, "Held description "+heldTag)
	s.Do(t, w.patientTok, `mutation($id: ID!, $b: String!) { addCaseMessage(caseId: $id, body: $b) { id } }`,
		map[string]any{"id": held.ID.String(), "b": "Held message " + heldTag}).MustOK(t)
	const hold = `mutation($id: ID!, $r: String!) { setLegalHold(caseId: $id, reason: $r) { id legalHold { reason since } } }`
	r := s.Do(t, w.adminTok, hold, map[string]any{"id": held.ID.String(), "r": "Subpoena 2026-114"}).MustOK(t)
	if apptest.Str(t, r, "setLegalHold.legalHold.reason") != "Subpoena 2026-114" {
		t.Fatalf("hold: %s", r.Raw)
	}

	s.Do(t, w.patientTok, `mutation($n: String!) { updateMyProfile(input: {safeContact: {channels: [SMS], voicemailOk: false, note: $n}}) { id } }`,
		map[string]any{"n": "Safe note " + tag}).MustOK(t)
	today := time.Now().UTC()
	report := func() string {
		return s.Do(t, w.adminTok, `query($from: Date!, $to: Date!, $org: ID) { partnershipReport(from: $from, to: $to, organizationId: $org) {
		  referralsSent referralsClaimed casesOpened casesResolved totalBenefitCents
		  byCategory { category cases resolved suppressed } outcomes { code cases suppressed } } }`,
			map[string]any{"from": today.AddDate(0, -1, 0).Format("2006-01-02"), "to": today.AddDate(0, 0, 1).Format("2006-01-02"), "org": w.org.ID.String()}).MustOK(t).Raw
	}
	before := report()
	cols := textColumns(t, s.DB)
	erased := []string{w.patient.Email, name, "Description " + tag, "Resolved description " + tag, "Patient message " + tag,
		"Internal note " + tag, "Outcome note " + tag, "Screening note " + tag, "Label " + tag[:8], "pushtoken-" + tag, "Body " + tag, "Safe note " + tag}
	for _, v := range erased {
		if len(scan(t, s.DB, cols, v)) == 0 {
			t.Fatalf("the seed stored no %q: the scan would prove nothing", v)
		}
	}

	t.Run("WrongPasswordErasesNothing", func(t *testing.T) {
		s.Do(t, w.patientTok, deleteAccount, map[string]any{"pw": "not the password"}).MustCode(t, "UNAUTHENTICATED")
		s.Do(t, w.patientTok, `{ me { id } }`, nil).MustOK(t)
		if hits := scan(t, s.DB, cols, w.patient.Email); len(hits) == 0 {
			t.Fatal("the email is gone after a wrong password")
		}
	})

	t.Run("OnlyPatients", func(t *testing.T) {
		for _, u := range []*models.User{w.advocate, w.clinician, w.editor, w.admin} {
			if _, err := s.App.Resolver.Privacy.DeleteMyAccount(as(u), apptest.Password); code(err) != "FORBIDDEN" {
				t.Errorf("%s: %v", u.Role, err)
			}
		}
		for _, tok := range []string{w.patientTok, w.advTok} {
			s.Do(t, tok, hold, map[string]any{"id": held.ID.String(), "r": "x"}).MustCode(t, "FORBIDDEN")
		}
		if _, err := s.App.Resolver.Privacy.SetLegalHold(as(w.advocate), held.ID.String(), "x"); code(err) != "FORBIDDEN" {
			t.Errorf("advocate sets a hold: %v", err)
		}
		r := s.Do(t, w.adminTok, hold, map[string]any{"id": held.ID.String(), "r": "  "}).MustCode(t, "BAD_USER_INPUT")
		if r.Field() != "reason" {
			t.Errorf("field %q", r.Field())
		}
	})

	t.Run("ErasesThePerson", func(t *testing.T) {
		var got struct {
			DeleteMyAccount struct {
				ErasedAt             string
				CasesKeptOnLegalHold int
			}
		}
		s.Do(t, w.patientTok, deleteAccount, map[string]any{"pw": apptest.Password}).MustOK(t).Decode(t, &got)
		if got.DeleteMyAccount.CasesKeptOnLegalHold != 1 || got.DeleteMyAccount.ErasedAt == "" {
			t.Fatalf("answer %+v", got.DeleteMyAccount)
		}
		// The whole database, every text column of every table.
		for _, v := range erased {
			if hits := scan(t, s.DB, cols, v); len(hits) > 0 {
				t.Errorf("%q is still in %v", v, hits)
			}
		}
		// The held case keeps its description and messages.
		for _, v := range []string{"Held description " + heldTag, "Held message " + heldTag} {
			if len(scan(t, s.DB, cols, v)) == 0 {
				t.Errorf("the held case lost %q", v)
			}
		}
		if after := report(); after != before {
			t.Errorf("the report changed:\nbefore %s\nafter  %s", before, after)
		}
	})

	t.Run("TokensStopAtOnce", func(t *testing.T) {
		s.Do(t, w.patientTok, `{ me { id } }`, nil).MustCode(t, "UNAUTHENTICATED")
		s.Do(t, "", `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`,
			map[string]any{"e": w.patient.Email, "p": apptest.Password}).MustCode(t, "UNAUTHENTICATED")
	})

	t.Run("OpenCasesWithdrawnAndTheirOrganizationTold", func(t *testing.T) {
		var c models.Case
		s.DB.Take(&c, "id = ?", me.c.ID)
		if c.Status != models.CaseWithdrawn || c.Description != models.ErasedText {
			t.Fatalf("case %s %q", c.Status, c.Description)
		}
		var n int64
		s.DB.Model(&models.Notification{}).Where("user_id = ? AND kind = 'CASE_WITHDRAWN' AND case_id = ?", w.advocate.ID, me.c.ID).Count(&n)
		if n != 1 {
			t.Fatalf("CASE_WITHDRAWN notifications to the advocate: %d", n)
		}
	})

	t.Run("AuditTrailUntouchedAndWhole", func(t *testing.T) {
		if _, err := audit.ChainPending(apptest.Ctx(), s.DB); err != nil {
			t.Fatal(err)
		}
		v, err := audit.Verify(apptest.Ctx(), s.DB)
		if err != nil || !v.OK() {
			t.Fatalf("audit verify after erasure: %v %s", err, v)
		}
	})

	t.Run("ReleasingTheHoldErasesTheHeldCase", func(t *testing.T) {
		r := s.Do(t, w.adminTok, `mutation($id: ID!) { releaseLegalHold(caseId: $id) { description legalHold { reason } } }`,
			map[string]any{"id": held.ID.String()}).MustOK(t)
		if apptest.Str(t, r, "releaseLegalHold.description") != models.ErasedText {
			t.Fatalf("release: %s", r.Raw)
		}
		for _, v := range []string{"Held description " + heldTag, "Held message " + heldTag} {
			if hits := scan(t, s.DB, cols, v); len(hits) > 0 {
				t.Errorf("%q is still in %v", v, hits)
			}
		}
	})
}
