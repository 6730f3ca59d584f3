package compiled_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/internal/page"
	"mlp/models"
)

// clock is the fixed time of the differential tests: urgency and every
// timestamp are the same for both servers and from run to run.
var clock = time.Date(2026, 6, 10, 15, 4, 5, 0, time.UTC)

// refSeq numbers the seeded cases' references across the package's worlds.
var refSeq atomic.Int64

// world is a seeded database served twice: on answers compilable reads from
// one statement, off through the resolvers.
type world struct {
	on, off *apptest.Server
	// tokens by name: patientA, patientB (own and other), advocate1 (of org1),
	// advocate2, admin, clinician, editor, and "" anonymous.
	patientA, patientB, advocate1, advocate2, admin, clinician, editor string
	tokens                                                             []string
	casesA, casesB                                                     []*models.Case
	// cursors of A's cases and of their events, valid for the pages.
	caseCursors, eventCursors []string
	// queueCursors are cursors of the case queue (deadline, time, id).
	queueCursors []string
	// clinician2 is another clinician (another's referrals); referralCursors
	// and notificationCursors are cursors of the seeded rows.
	clinician2                           string
	referralCursors, notificationCursors []string
	// guideSlugs are the seeded guides' slugs; guideCursors cursors of
	// their lists (newest and ranked).
	guideSlugs, guideCursors []string
}

// newWorld seeds a database with what the compilable set reads, in every
// shape the answers can take: cases in every status, with and without a
// deadline (passed, today, in 14 and 15 days), organization, advocate and
// outcome; events visible and hidden, with text that needs JSON escapes;
// timestamps with and without fractions, and ties.
func newWorld(t testing.TB) *world {
	t.Helper()
	on := apptest.New(t, apptest.WithClock(func() time.Time { return clock }))
	off := on.Twin(t, apptest.WithCompiledReads(false))
	w := &world{on: on, off: off}
	phone, site := "+1 (213) 555-0100", "https://legal.example/\"quoted\"?a=1&b=<2>"
	org1 := on.Org(t, models.OrgLegalAid, []string{"CA", "NV"})
	org1.Phone, org1.Website = &phone, &site
	if err := on.DB.Save(org1).Error; err != nil {
		t.Fatal(err)
	}
	org2 := on.Org(t, models.OrgLegalAid, []string{}, models.CategoryHousing)
	health := on.Org(t, models.OrgHealthSystem, []string{"CA"})

	a, tokA := on.User(t, models.RolePatient, nil)
	b, tokB := on.User(t, models.RolePatient, nil)
	adv1, tokAdv1 := on.User(t, models.RoleAdvocate, org1)
	_, tokAdv2 := on.User(t, models.RoleAdvocate, org2)
	_, tokAdmin := on.User(t, models.RoleAdmin, nil)
	clin, tokClin := on.User(t, models.RoleClinician, health)
	clin2, tokClin2 := on.User(t, models.RoleClinician, health)
	_, tokEd := on.User(t, models.RoleEditor, org1)
	if err := on.DB.Model(adv1).Update("display_name", "Ana \"Abogada\" O'Neil \\ <b>").Error; err != nil {
		t.Fatal(err)
	}
	w.patientA, w.patientB, w.advocate1, w.advocate2, w.admin, w.clinician, w.editor = tokA, tokB, tokAdv1, tokAdv2, tokAdmin, tokClin, tokEd
	w.clinician2 = tokClin2
	w.tokens = []string{tokA, tokB, tokAdv1, tokAdv2, tokAdmin, tokClin, tokClin2, tokEd, ""}

	today := models.NewDate(clock)
	day := func(n int) *models.Date { return ptr(models.NewDate(clock.AddDate(0, 0, n))) }
	deadlines := []*models.Date{nil, day(-1), &today, day(14), day(15), day(-365)}
	texts := []string{"Plain text.", "Quotes \" and \\ backslash", "Tab\tnew\nline\rreturn", "Bell \b form \f unit \x1f del \x7f",
		"Ünïcödé ✓ 日本語 🏠", "Line sep \u2028 para \u2029", "<script>&amp;</script>", ""}
	base := clock.Add(-30 * 24 * time.Hour)
	fractions := []time.Duration{0, 100 * time.Millisecond, 123456 * time.Microsecond, 999999 * time.Microsecond, 10 * time.Microsecond}
	mk := func(p *models.User, i int) *models.Case {
		status := models.AllCaseStatuses[i%len(models.AllCaseStatuses)]
		created := base.Add(time.Duration(i)*time.Hour + fractions[i%len(fractions)])
		if i%6 == 5 {
			created = base.Add(time.Duration(i-1)*time.Hour + fractions[(i-1)%len(fractions)]) // a tie with the one before
		}
		c := &models.Case{
			ID: uuid.Must(uuid.NewV7()), Reference: fmt.Sprintf("MLP-2026-%06d", refSeq.Add(1)),
			PatientID: p.ID, IdempotencyKey: uuid.NewString(),
			Category:    models.AllLegalCategories[i%len(models.AllLegalCategories)],
			Description: texts[i%len(texts)] + " case " + fmt.Sprint(i), Status: status, Jurisdiction: "CA",
			Deadline: deadlines[i%len(deadlines)], Version: 1 + i%4, CreatedAt: created, UpdatedAt: created.Add(time.Duration(i) * time.Minute),
		}
		switch i % 3 {
		case 0:
			c.OrganizationID = &org1.ID
		case 1:
			c.OrganizationID = &org2.ID
		}
		if i%3 == 0 && i%2 == 0 {
			c.AssignedAdvocateID = &adv1.ID
		}
		if err := on.DB.Create(c).Error; err != nil {
			t.Fatal(err)
		}
		for k := range i % 6 {
			kind := []models.CaseEventKind{models.EventCreated, models.EventStatusChanged, models.EventMessage, models.EventAssigned, models.EventOutcomeRecorded}[k%5]
			e := &models.CaseEvent{ID: uuid.Must(uuid.NewV7()), CaseID: c.ID, Kind: kind, VisibleToPatient: (i+k)%3 != 0,
				CreatedAt: created.Add(time.Duration(k/2) * time.Minute).Add(fractions[k%len(fractions)])}
			if kind == models.EventStatusChanged {
				from, to := models.CaseSubmitted, models.CaseReceived
				e.FromStatus, e.ToStatus = &from, &to
			}
			if k%2 == 0 {
				msg := texts[(i+k)%len(texts)]
				e.Message = &msg
			}
			if k%3 != 2 {
				role := []models.Role{models.RolePatient, models.RoleAdvocate}[k%2]
				e.ActorRole = &role
			}
			if err := on.DB.Create(e).Error; err != nil {
				t.Fatal(err)
			}
		}
		if status == models.CaseResolved || status == models.CaseUnresolved {
			o := &models.CaseOutcome{CaseID: c.ID, Code: models.AllOutcomeCodes[i%len(models.AllOutcomeCodes)], RecordedAt: created.Add(time.Hour)}
			if i%2 == 0 {
				n := int64(125000 + i)
				note := texts[i%len(texts)]
				o.BenefitAmountCents, o.Notes = &n, &note
			}
			if err := on.DB.Create(o).Error; err != nil {
				t.Fatal(err)
			}
		}
		return c
	}
	for i := range 23 {
		w.casesA = append(w.casesA, mk(a, i))
	}
	for i := range 4 {
		w.casesB = append(w.casesB, mk(b, 100+i))
	}
	if err := on.DB.Model(b).Update("preferred_language", "es").Error; err != nil { // B reads Spanish by default
		t.Fatal(err)
	}
	w.seedGuides(t, adv1)
	w.seedReferrals(t, clin, clin2, a, texts, fractions)
	w.seedNotifications(t, texts, fractions, a, b, adv1, clin)
	for _, c := range w.casesA {
		w.caseCursors = append(w.caseCursors, page.TimeKey(c.CreatedAt, c.ID))
		d := ""
		if c.Deadline != nil {
			d = c.Deadline.String()
		}
		w.queueCursors = append(w.queueCursors, page.Encode(d, c.CreatedAt.UTC().Format(time.RFC3339Nano), c.ID.String()))
		var evs []models.CaseEvent
		if err := on.DB.Where("case_id = ?", c.ID).Find(&evs).Error; err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			w.eventCursors = append(w.eventCursors, page.TimeKey(e.CreatedAt, e.ID))
		}
	}
	return w
}

func ptr[T any](v T) *T { return &v }

// both sends one operation to both servers and returns the two responses,
// status and body, as sent. When the compiled server did not answer from a
// statement (both answers come from gqlgen's executor), the errors of both
// are put in path order first: gqlgen resolves root fields concurrently, so
// the order of their errors varies from run to run on either server. A
// compiled answer is compared as sent, byte for byte.
func (w *world) both(t testing.TB, token, query string, vars map[string]any) (string, string) {
	t.Helper()
	before, _ := w.on.App.Planner.Stats()
	sa, a := w.on.Raw(t, token, query, vars)
	after, _ := w.on.App.Planner.Stats()
	sb, b := w.off.Raw(t, token, query, vars)
	if after == before {
		a, b = sortErrors(t, a), sortErrors(t, b)
	}
	return fmt.Sprint(sa, " ", string(a)), fmt.Sprint(sb, " ", string(b))
}

// sortErrors orders a response's errors by path.
func sortErrors(t testing.TB, body []byte) []byte {
	var r struct {
		Errors []json.RawMessage `json:"errors,omitempty"`
		Data   json.RawMessage   `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil || len(r.Errors) < 2 {
		return body
	}
	path := func(e json.RawMessage) string {
		var v struct{ Path []any }
		_ = json.Unmarshal(e, &v)
		return fmt.Sprint(v.Path)
	}
	sort.SliceStable(r.Errors, func(i, j int) bool { return path(r.Errors[i]) < path(r.Errors[j]) })
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// seedReferrals gives clinician clin referrals in every status (SENT, SENT
// and expired, CLAIMED and CLOSED with a case of patient a whose
// SHARE_STATUS_WITH_REFERRER consent stands or was revoked, CANCELLED), with
// and without notes and screening answers, ties included; clin2 has a few.
func (w *world) seedReferrals(t testing.TB, clin, clin2, a *models.User, texts []string, fractions []time.Duration) {
	t.Helper()
	db := w.on.DB
	base := clock.Add(-20 * 24 * time.Hour)
	note := "Needs help \"soon\" <b>"
	mk := func(by *models.User, i int) {
		created := base.Add(time.Duration(i)*time.Hour + fractions[i%len(fractions)])
		if i%5 == 4 {
			created = base.Add(time.Duration(i-1)*time.Hour + fractions[(i-1)%len(fractions)])
		}
		hash := uuid.New()
		hash2 := uuid.New()
		r := &models.Referral{
			ID: uuid.Must(uuid.NewV7()), CodeHash: append(hash[:], hash2[:]...), CodeHint: []string{"K7QM", "X3TD", "PRW9"}[i%3],
			Status: models.ReferralSent, ClinicianID: by.ID, PatientLabel: []string{"J.D.", "Ana \"A\" \\ <x>", "Ünï 🏠"}[i%3],
			Categories: models.AllLegalCategories[i%3 : i%3+1+i%2], Jurisdiction: "CA",
			ExpiresAt: created.Add(30 * 24 * time.Hour), CreatedAt: created, UpdatedAt: created,
			Screening: []*models.ScreeningAnswer{}, RecommendedGuideSlugs: []string{},
		}
		if i%7 == 3 {
			r.ExpiresAt = clock.Add(-time.Hour) // SENT, expired: EXPIRED
		}
		if i%2 == 0 {
			msg := texts[i%len(texts)]
			if msg == "" {
				msg = note
			}
			r.Notes = &msg
		}
		for k := range i % 3 {
			ans := &models.ScreeningAnswer{Domain: models.AllScreeningDomains[(i+k)%len(models.AllScreeningDomains)], Positive: (i+k)%2 == 0}
			if k == 1 {
				n := texts[(i+k)%len(texts)] + "."
				ans.Note = &n
			}
			r.Screening = append(r.Screening, ans)
		}
		claimed := created.Add(time.Hour)
		switch i % 5 {
		case 1, 2:
			r.Status, r.ClaimedByID, r.ClaimedAt = models.ReferralClaimed, &a.ID, &claimed
		case 3:
			r.Status, r.ClaimedByID, r.ClaimedAt, r.ClosedAt = models.ReferralClosed, &a.ID, &claimed, &claimed
		case 4:
			r.Status, r.CancelledAt = models.ReferralCancelled, &claimed
			if i%7 == 3 {
				r.ExpiresAt = created.Add(30 * 24 * time.Hour)
			}
		}
		if err := db.Create(r).Error; err != nil {
			t.Fatal(err)
		}
		w.referralCursors = append(w.referralCursors, page.TimeKey(r.CreatedAt, r.ID))
		if r.ClaimedByID == nil || by != clin {
			return
		}
		c := w.casesA[i%len(w.casesA)]
		if err := db.Model(c).Update("referral_id", r.ID).Error; err != nil {
			t.Fatal(err)
		}
		k := &models.Consent{ID: uuid.Must(uuid.NewV7()), PatientID: a.ID, Scope: models.ConsentShareStatusWithReferrer, TextVersion: "v1", CaseID: &c.ID, GrantedAt: claimed}
		switch i % 4 {
		case 0:
			return // never shared
		case 1:
			k.RevokedAt = &claimed
		}
		if err := db.Create(k).Error; err != nil {
			t.Fatal(err)
		}
	}
	for i := range 16 {
		mk(clin, i)
	}
	for i := range 3 {
		mk(clin2, 50+i)
	}
}

// seedNotifications gives users read and unread notifications, with and
// without a case, with text that needs escapes, ties included.
func (w *world) seedNotifications(t testing.TB, texts []string, fractions []time.Duration, users ...*models.User) {
	t.Helper()
	base := clock.Add(-10 * 24 * time.Hour)
	for u, user := range users {
		for i := range 12 - 3*u {
			created := base.Add(time.Duration(i)*time.Hour + fractions[i%len(fractions)])
			if i%4 == 3 {
				created = base.Add(time.Duration(i-1)*time.Hour + fractions[(i-1)%len(fractions)])
			}
			n := &models.Notification{ID: uuid.Must(uuid.NewV7()), UserID: user.ID, Kind: []string{"CASE_STATUS_CHANGED", "CASE_MESSAGE", "REFERRAL_CLAIMED"}[i%3],
				Title: "Title " + texts[i%len(texts)], Body: "Body " + texts[(i+1)%len(texts)], CreatedAt: created}
			if i%2 == 0 && len(w.casesA) > 0 {
				n.CaseID = &w.casesA[i%len(w.casesA)].ID
			}
			if i%3 == 1 {
				read := created.Add(time.Minute + fractions[(i+2)%len(fractions)])
				n.ReadAt = &read
			}
			if err := w.on.DB.Create(n).Error; err != nil {
				t.Fatal(err)
			}
			w.notificationCursors = append(w.notificationCursors, page.TimeKey(n.CreatedAt, n.ID))
		}
	}
}

// seedGuides publishes guides for readers: English, Spanish, es-MX and
// Vietnamese copies of some slugs (translations, locale fallback), both
// audiences, several categories and jurisdictions, reading grades with and
// without a fraction, words to search for, and publication ties.
func (w *world) seedGuides(t testing.TB, author *models.User) {
	t.Helper()
	base := clock.Add(-40 * 24 * time.Hour)
	topics := []string{"eviction notice from the landlord", "denied food benefits appeal", "unpaid wages at work",
		"medical debt collection letter", "utility shutoff in winter", "school discipline hearing"}
	es := []string{"aviso de desalojo del propietario", "beneficios de comida negados", "salarios no pagados"}
	n := 0
	prefix := fmt.Sprintf("guide-w%d-", refSeq.Add(1)) // the package's worlds share a database
	add := func(slug, locale, title, body string, cat models.LegalCategory, aud models.GuideAudience, juris []string, grade float64) {
		n++
		at := base.Add(time.Duration(n) * time.Hour)
		if n%5 == 0 {
			at = base.Add(time.Duration(n-1) * time.Hour) // a tie
		}
		v := 1 + n%3
		g := &models.Guide{ID: uuid.Must(uuid.NewV7()), Slug: slug, Locale: locale, Title: title, Summary: "Summary: " + title + " & <more>",
			Body: body, Category: cat, Audience: aud, Jurisdictions: juris, ReadingGrade: grade, Status: models.GuidePublished,
			Version: v, PublishedVersion: &v, PublishedAt: &at, AuthorID: author.ID}
		if err := w.on.DB.Create(g).Error; err != nil {
			t.Fatal(err)
		}
		if err := w.on.DB.Create(&models.PublishedGuide{GuideID: g.ID, Slug: slug, Locale: locale, Title: g.Title, Summary: g.Summary, Body: body,
			Category: cat, Audience: aud, Jurisdictions: juris, ReadingGrade: grade, Version: v, AuthorID: author.ID, PublishedAt: at}).Error; err != nil {
			t.Fatal(err)
		}
		w.guideCursors = append(w.guideCursors, page.TimeKey(at, g.ID))
	}
	cats := []models.LegalCategory{models.CategoryHousing, models.CategoryPublicBenefits, models.CategoryEmployment, models.CategoryMedicalDebt, models.CategoryUtilities, models.CategoryEducation}
	juris := [][]string{{"US"}, {"CA"}, {"CA", "NV"}, {"NY"}, {"US"}, {"OR"}}
	for i, topic := range topics {
		slug := fmt.Sprint(prefix, i)
		w.guideSlugs = append(w.guideSlugs, slug)
		aud := models.AudiencePatients
		if i == 4 {
			aud = models.AudienceClinicians
		}
		body := "# " + topic + "\n\nWhat to do about " + topic + ". Quotes \" and \\ and <b>tags</b>. " + strings.Repeat(topic+". ", i+1)
		add(slug, "en", "Know your rights: "+topic, body, cats[i], aud, juris[i], []float64{6.2, 8, 11.5, 0, 4.25, 13.1}[i])
		if i < len(es) {
			add(slug, "es", "Sus derechos: "+es[i], "Qué hacer: "+es[i]+". Ñandú ✓.", cats[i], aud, juris[i], 7.5)
		}
		if i == 0 {
			add(slug, "es-MX", "Sus derechos (MX): "+es[0], "México: "+es[0]+".", cats[i], aud, juris[i], 7)
		}
		if i == 1 {
			add(slug, "vi", "Quyền của bạn: trợ cấp thực phẩm", "Trợ cấp thực phẩm bị từ chối.", cats[i], aud, juris[i], 0)
		}
	}
	w.guideSlugs = append(w.guideSlugs, "no-such-guide", "  "+prefix+"0  ")
	// cursors of ranked searches, for pages after the first
	for _, q := range []string{"eviction", "benefits", "wages"} {
		var rows []struct {
			Score   float64
			GuideID uuid.UUID
		}
		if err := w.on.DB.Raw(`SELECT ts_rank(search, websearch_to_tsquery('english', ?))::float8 AS score, guide_id FROM published_guides
			WHERE search @@ websearch_to_tsquery('english', ?)`, q, q).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			w.guideCursors = append(w.guideCursors, page.Encode("fts", strconv.FormatFloat(r.Score, 'g', -1, 64), r.GuideID.String()))
		}
	}
	w.guideCursors = append(w.guideCursors, page.Encode("trgm", "0.5", uuid.NewString()))
}
