package compiled_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/internal/loadtest"
	"mlp/models"
)

// TestCompiledStatementCount shows that a compiled read is one statement
// besides the session check, for 5 cases and for 50, and that the same
// document through the resolvers takes more.
func TestCompiledStatementCount(t *testing.T) {
	s := apptest.New(t)
	org := s.Org(t, models.OrgLegalAid, []string{"CA"})
	adv, _ := s.User(t, models.RoleAdvocate, org)
	query := `query { myCases(first: 50) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node {
	  id reference status category urgent fhirTaskStatus deadline createdAt
	  organization { id name } assignedAdvocate { id displayName organization { name } } outcome { code notes }
	  timeline(first: 10) { totalCount edges { node { id kind toStatus message createdAt } } } } } } }`
	for _, n := range []int{5, 50} {
		t.Run(fmt.Sprint(n, "Cases"), func(t *testing.T) {
			p, tok := s.User(t, models.RolePatient, nil)
			for i := range n {
				c := &models.Case{ID: uuid.Must(uuid.NewV7()), Reference: fmt.Sprintf("MLP-2026-%06d", n*100+i), PatientID: p.ID,
					IdempotencyKey: uuid.NewString(), Category: models.CategoryHousing, Description: "d", Status: models.CaseResolved,
					Jurisdiction: "CA", OrganizationID: &org.ID, AssignedAdvocateID: &adv.ID, Version: 1}
				if err := s.DB.Create(c).Error; err != nil {
					t.Fatal(err)
				}
				for k := range 3 {
					msg := "m"
					if err := s.DB.Create(&models.CaseEvent{ID: uuid.Must(uuid.NewV7()), CaseID: c.ID, Kind: models.EventMessage,
						Message: &msg, VisibleToPatient: true, CreatedAt: time.Now().Add(time.Duration(k) * time.Second)}).Error; err != nil {
						t.Fatal(err)
					}
				}
				if err := s.DB.Create(&models.CaseOutcome{CaseID: c.ID, Code: models.OutcomeOther, RecordedAt: time.Now()}).Error; err != nil {
					t.Fatal(err)
				}
			}
			for _, q := range []string{query, loadtest.Query} {
				r, stmts := s.DoCounted(t, tok, q, nil)
				r.MustOK(t)
				if got := len(apptest.Str(t, r, "myCases.edges.0.node.id")); got == 0 {
					t.Fatalf("no cases in %s", r.Raw)
				}
				if stmts != 2 {
					t.Fatalf("%d cases: %d statements, want 2 (the session check and the compiled read)", n, stmts)
				}
			}
			passedThrough(t, s, tok, query)
		})
	}
}

// passedThrough checks that the compiled answer to q was written as the
// bytes PostgreSQL built (graph's rawPOST), not re-encoded by gqlgen's
// writer: only that path sets Content-Length on an answer larger than
// net/http's buffer.
func passedThrough(t *testing.T, s *apptest.Server, tok, q string) {
	t.Helper()
	req := s.Request(t, tok, q, nil)
	req.Header.Set("Accept-Encoding", "identity") // as cmd/loadgen: gzip would re-frame the answer
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), `{"data":{`) {
		t.Fatalf("HTTP %d: %.200s", resp.StatusCode, body)
	}
	if len(body) > 4096 && resp.ContentLength != int64(len(body)) {
		t.Fatalf("a %d-byte compiled answer without Content-Length (%d): gqlgen's writer encoded it again", len(body), resp.ContentLength)
	}
}

// TestCompiledStaffReadsAudit shows that a compiled staff read writes the
// audit entries the resolvers write, in its transaction: caseQueue one READ
// per case of the page, case(id) one; and that it is the read, the audit
// insert and the session check.
func TestCompiledStaffReadsAudit(t *testing.T) {
	on := apptest.New(t)
	off := on.Twin(t, apptest.WithCompiledReads(false))
	org := on.Org(t, models.OrgLegalAid, []string{"CA"})
	adv, tok := on.User(t, models.RoleAdvocate, org)
	p, _ := on.User(t, models.RolePatient, nil)
	var ids []uuid.UUID
	for i := range 7 {
		c := &models.Case{ID: uuid.Must(uuid.NewV7()), Reference: fmt.Sprintf("MLP-2026-%06d", 900+i), PatientID: p.ID,
			IdempotencyKey: uuid.NewString(), Category: models.CategoryHousing, Description: "d", Status: models.CaseReceived,
			Jurisdiction: "CA", OrganizationID: &org.ID, Version: 1}
		if err := on.DB.Create(c).Error; err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	reads := func() int64 {
		var n int64
		if err := on.DB.Table("audit_entries").Where("actor_id = ? AND action = 'READ' AND entity_type = 'Case'", adv.ID).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	queue := `{ caseQueue(first: 5) { edges { node { id status timeline { totalCount } } } } }`
	for _, s := range []*apptest.Server{on, off} {
		before := reads()
		r, stmts := s.DoCounted(t, tok, queue, nil)
		r.MustOK(t)
		if got := reads() - before; got != 5 {
			t.Fatalf("caseQueue(first: 5) audited %d reads, want 5", got)
		}
		if s == on && stmts != 3 {
			t.Fatalf("compiled caseQueue: %d statements, want 3 (session, read, audit)", stmts)
		}
		before = reads()
		s.Do(t, tok, `query($id: ID!) { case(id: $id) { id } }`, map[string]any{"id": ids[0].String()}).MustOK(t)
		if got := reads() - before; got != 1 {
			t.Fatalf("case(id) audited %d reads, want 1", got)
		}
	}
	if c, _ := on.App.Planner.Stats(); c != 2 {
		t.Fatalf("%d operations compiled, want 2", c)
	}
}

// TestCompiledStatementCountReferralsNotifications: myReferrals (with the
// consent-gated caseStatus and the clinician) and myNotifications are one
// statement besides the session check, for 5 rows and for 50; the
// resolvers take more for the referrals.
func TestCompiledStatementCountReferralsNotifications(t *testing.T) {
	on := apptest.New(t)
	off := on.Twin(t, apptest.WithCompiledReads(false))
	health := on.Org(t, models.OrgHealthSystem, []string{"CA"})
	referrals := `{ myReferrals(first: 50) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node {
	  id code status categories patientLabel caseStatus notes createdAt expiresAt
	  clinician { id displayName organization { name } } screening { domain positive note } } } } }`
	notifications := `{ myNotifications(first: 50) { totalCount edges { cursor node { id kind title body caseId createdAt readAt } } } }`
	for _, n := range []int{5, 50} {
		t.Run(fmt.Sprint(n, "Rows"), func(t *testing.T) {
			clin, tok := on.User(t, models.RoleClinician, health)
			patient, _ := on.User(t, models.RolePatient, nil)
			now := time.Now()
			for i := range n {
				h1, h2 := uuid.New(), uuid.New()
				claimed := now.Add(-time.Hour)
				r := &models.Referral{ID: uuid.Must(uuid.NewV7()), CodeHash: append(h1[:], h2[:]...), CodeHint: "K7QM", Status: models.ReferralClaimed,
					ClinicianID: clin.ID, PatientLabel: "J.D.", Categories: []models.LegalCategory{models.CategoryHousing}, Jurisdiction: "CA",
					ClaimedByID: &patient.ID, ClaimedAt: &claimed, ExpiresAt: now.Add(24 * time.Hour), CreatedAt: now.Add(-2 * time.Hour), UpdatedAt: now,
					Screening: []*models.ScreeningAnswer{{Domain: models.AllScreeningDomains[0], Positive: true}}, RecommendedGuideSlugs: []string{}}
				if err := on.DB.Create(r).Error; err != nil {
					t.Fatal(err)
				}
				c := &models.Case{ID: uuid.Must(uuid.NewV7()), Reference: fmt.Sprintf("MLP-2027-%06d", n*100+i), PatientID: patient.ID, ReferralID: &r.ID,
					IdempotencyKey: uuid.NewString(), Category: models.CategoryHousing, Description: "d", Status: models.CaseReceived, Jurisdiction: "CA", Version: 1}
				if err := on.DB.Create(c).Error; err != nil {
					t.Fatal(err)
				}
				if err := on.DB.Create(&models.Consent{PatientID: patient.ID, Scope: models.ConsentShareStatusWithReferrer, TextVersion: "v1", CaseID: &c.ID, GrantedAt: now}).Error; err != nil {
					t.Fatal(err)
				}
				if err := on.DB.Create(&models.Notification{UserID: clin.ID, Kind: "REFERRAL_CLAIMED", Title: "t", Body: "b", CaseID: &c.ID, CreatedAt: now}).Error; err != nil {
					t.Fatal(err)
				}
			}
			for _, q := range []string{referrals, notifications} {
				r, stmts := on.DoCounted(t, tok, q, nil)
				r.MustOK(t)
				if stmts != 2 {
					t.Fatalf("%d rows: %d statements, want 2 (the session check and the compiled read) for %s", n, stmts, q)
				}
				want, offStmts := off.DoCounted(t, tok, q, nil)
				if string(want.Raw) != string(r.Raw) {
					t.Fatalf("the paths differ:\ncompiled:  %s\nresolvers: %s", r.Raw, want.Raw)
				}
				t.Logf("%d rows: compiled 2 statements, resolvers %d", n, offStmts)
				passedThrough(t, on, tok, q)
			}
			if got := apptest.Str(t, mustDo(t, on, tok, referrals), "myReferrals.edges.0.node.caseStatus"); got != string(models.CaseReceived) {
				t.Fatalf("caseStatus %q, want RECEIVED (the consent stands)", got)
			}
		})
	}
}

func mustDo(t *testing.T, s *apptest.Server, tok, q string) *apptest.Response {
	t.Helper()
	r := s.Do(t, tok, q, nil)
	r.MustOK(t)
	return r
}

// TestCompiledStatementCountGuides: guides(first: 20) with a search and
// without, and guide(slug, locale) with its fallback, are one statement
// besides the session check for 5 and for 50 published guides, and answer
// what the resolvers answer.
func TestCompiledStatementCountGuides(t *testing.T) {
	on := apptest.New(t)
	off := on.Twin(t, apptest.WithCompiledReads(false))
	author, _ := on.User(t, models.RoleEditor, on.Org(t, models.OrgLegalAid, []string{"CA"}))
	_, tok := on.User(t, models.RolePatient, nil)
	sel := `totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id slug locale title summary readingGrade status translations { locale title } } }`
	queries := []string{
		`{ guides(first: 20, filter: {search: "eviction notice"}) { ` + sel + ` } }`,
		`{ guides(first: 20) { ` + sel + ` } }`,
		`{ guide(slug: "stmt-3", locale: "es-MX") { id slug locale title translations { locale } } }`,
	}
	now := time.Now().UTC()
	made := 0
	for _, n := range []int{5, 50} {
		t.Run(fmt.Sprint(n, "Guides"), func(t *testing.T) {
			for ; made < n; made++ {
				for _, locale := range []string{"en", "es"} {
					at, v := now.Add(-time.Duration(made)*time.Minute), 1
					g := &models.Guide{ID: uuid.Must(uuid.NewV7()), Slug: fmt.Sprint("stmt-", made), Locale: locale, Title: fmt.Sprint("Eviction notice ", made),
						Summary: "What an eviction notice means", Body: strings.Repeat("Your landlord must give notice. ", made%7+1), Category: models.CategoryHousing,
						Audience: models.AudiencePatients, Jurisdictions: []string{"US"}, ReadingGrade: 6.5, Status: models.GuidePublished, Version: 1,
						PublishedVersion: &v, PublishedAt: &at, AuthorID: author.ID}
					if err := on.DB.Create(g).Error; err != nil {
						t.Fatal(err)
					}
					if err := on.DB.Create(&models.PublishedGuide{GuideID: g.ID, Slug: g.Slug, Locale: locale, Title: g.Title, Summary: g.Summary, Body: g.Body,
						Category: g.Category, Audience: g.Audience, Jurisdictions: g.Jurisdictions, ReadingGrade: g.ReadingGrade, Version: 1, AuthorID: author.ID, PublishedAt: at}).Error; err != nil {
						t.Fatal(err)
					}
				}
			}
			for _, q := range queries {
				r, stmts := on.DoCounted(t, tok, q, nil)
				r.MustOK(t)
				if stmts != 2 {
					t.Fatalf("%d guides: %d statements, want 2 (the session check and the compiled read) for %s", n, stmts, q)
				}
				if want := off.Do(t, tok, q, nil); want.Raw != r.Raw {
					t.Fatalf("the paths differ:\ncompiled:  %s\nresolvers: %s", r.Raw, want.Raw)
				}
				passedThrough(t, on, tok, q)
				// anonymous readers: the public guides compile too, with
				// no session check
				if anon, n := on.DoCounted(t, "", q, nil); n != 1 || anon.Raw != off.Do(t, "", q, nil).Raw {
					t.Fatalf("anonymous: %d statements, want 1 (the compiled read); %s", n, anon.Raw)
				}
			}
		})
	}
}
