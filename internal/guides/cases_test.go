package guides_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/models"
)

// Guides meet cases: Case.relatedGuides and Referral.recommendedGuides over
// HTTP. The categories DISABILITY and MEDICAL_DEBT belong to these tests.

// patientIn makes a patient whose preferred language is lang.
func patientIn(t *testing.T, s *apptest.Server, lang string) string {
	t.Helper()
	u, tok := s.User(t, models.RolePatient, nil)
	if err := s.DB.Model(u).Update("preferred_language", lang).Error; err != nil {
		t.Fatal(err)
	}
	return tok
}

// requestHelp opens a case as the patient of tok and returns its id.
func requestHelp(t *testing.T, s *apptest.Server, tok string, cat models.LegalCategory, state string) string {
	t.Helper()
	in := map[string]any{"idempotencyKey": uuid.NewString(), "category": cat, "description": "My benefits were cut off.",
		"jurisdiction": state, "consentToShare": true}
	return apptest.Str(t, s.Do(t, tok, `mutation($in: RequestLegalHelpInput!) { requestLegalHelp(input: $in) { id } }`,
		map[string]any{"in": in}).MustOK(t), "requestLegalHelp.id")
}

// guideRef is a guide as these tests read it.
type guideRef struct{ ID, Slug, Locale string }

// refs lists gs as slug/locale, leaving out guides whose slug is not one of
// mine: those of earlier runs of the test (-count) in the same database.
func refs(gs []guideRef, mine ...string) []string {
	out := []string{}
	for _, g := range gs {
		if len(mine) == 0 || slices.Contains(mine, g.Slug) {
			out = append(out, g.Slug+"/"+g.Locale)
		}
	}
	return out
}

func TestCaseRelatedGuides(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	tm := newTeam(t, s)
	dis := func(over map[string]any) map[string]any {
		over["category"] = "DISABILITY"
		return input(over)
	}
	own := slug("co-disability")
	tm.published(t, dis(map[string]any{"slug": own, "locale": "en", "jurisdictions": []string{"CO"}}))
	tm.published(t, dis(map[string]any{"slug": own, "locale": "es", "jurisdictions": []string{"CO"}}))
	usWide := slug("ada")
	tm.published(t, dis(map[string]any{"slug": usWide, "jurisdictions": []string{"US"}}))
	tm.published(t, dis(map[string]any{"slug": slug("md-only"), "jurisdictions": []string{"MD"}}))
	tm.published(t, dis(map[string]any{"slug": slug("training"), "audience": "CLINICIANS", "jurisdictions": []string{"CO"}}))
	tm.create(t, tm.author, dis(map[string]any{"slug": slug("draft"), "jurisdictions": []string{"CO"}}))

	const doc = `query($id: ID!, $n: Int) { case(id: $id) { relatedGuides(first: $n) { id slug locale } } }`
	related := func(t *testing.T, tok, id string, n any) []string {
		t.Helper()
		var out struct {
			Case struct{ RelatedGuides []guideRef }
		}
		s.Do(t, tok, doc, map[string]any{"id": id, "n": n}).Decode(t, &out)
		return refs(out.Case.RelatedGuides, own, usWide)
	}

	t.Run("StateThenUSInThePatientsLanguage", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			lang string
			want []string
		}{
			{"es", []string{own + "/es", usWide + "/en"}},
			{"en", []string{own + "/en", usWide + "/en"}},
			{"fr", []string{own + "/en", usWide + "/en"}},
		} {
			tok := patientIn(t, s, tc.lang)
			id := requestHelp(t, s, tok, models.CategoryDisability, "CO")
			if got := related(t, tok, id, nil); !slices.Equal(got, tc.want) {
				t.Errorf("%s patient: %v, want %v", tc.lang, got, tc.want)
			}
			if got := related(t, tok, id, 1); !slices.Equal(got, tc.want[:1]) {
				t.Errorf("%s patient, first 1: %v, want %v", tc.lang, got, tc.want[:1])
			}
		}
	})
	t.Run("OtherStateGetsUSWideOnly", func(t *testing.T) {
		t.Parallel()
		tok := patientIn(t, s, "en")
		id := requestHelp(t, s, tok, models.CategoryDisability, "WA")
		if got := related(t, tok, id, nil); !slices.Equal(got, []string{usWide + "/en"}) {
			t.Errorf("WA case: %v", got)
		}
	})
	t.Run("BadFirst", func(t *testing.T) {
		t.Parallel()
		tok := patientIn(t, s, "en")
		id := requestHelp(t, s, tok, models.CategoryDisability, "CO")
		r := s.Do(t, tok, doc, map[string]any{"id": id, "n": -1}).MustCode(t, "BAD_USER_INPUT")
		if r.Field() != "first" {
			t.Fatalf("field = %q", r.Field())
		}
	})
	t.Run("StatementsDoNotGrowWithCases", func(t *testing.T) {
		t.Parallel()
		tok := patientIn(t, s, "es")
		states := []string{"CO", "MD", "WA", "CA", "TX"}
		for i := range 50 {
			requestHelp(t, s, tok, models.CategoryDisability, states[i%len(states)])
		}
		const list = `query($n: Int) { myCases(first: $n) { edges { node { id relatedGuides(first: 5) { id slug translations { locale } } } } } }`
		sameStatements(t, s, tok, list, "myCases", "relatedGuides")
	})
}

func TestReferralRecommendedGuides(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	tm := newTeam(t, s)
	debt := func(over map[string]any) map[string]any {
		over["category"] = "MEDICAL_DEBT"
		return input(over)
	}
	charity := slug("charity-care")
	tm.published(t, debt(map[string]any{"slug": charity, "locale": "en", "jurisdictions": []string{"US"}}))
	tm.published(t, debt(map[string]any{"slug": charity, "locale": "es", "jurisdictions": []string{"US"}}))
	collections := slug("collections")
	coll := tm.published(t, debt(map[string]any{"slug": collections, "jurisdictions": []string{"US"}}))
	draft := tm.create(t, tm.author, debt(map[string]any{"slug": slug("draft")}))
	training := tm.published(t, debt(map[string]any{"slug": slug("training"), "audience": "CLINICIANS"}))

	health := s.Org(t, models.OrgHealthSystem, []string{"NM"})
	_, clinician := s.User(t, models.RoleClinician, health)
	const refer = `mutation($in: ReferPatientInput!) { referPatient(input: $in) { id code recommendedGuides { id slug locale } } }`
	in := func(slugs ...string) map[string]any {
		return map[string]any{"patientLabel": "R. T.", "categories": []string{"MEDICAL_DEBT"}, "jurisdiction": "NM",
			"recommendedGuideSlugs": slugs}
	}

	t.Run("OnlyPublishedPatientGuides", func(t *testing.T) {
		t.Parallel()
		for name, bad := range map[string]string{"Draft": draft.Slug, "Training": training.Slug, "Unknown": slug("nothing")} {
			r := s.Do(t, clinician, refer, map[string]any{"in": in(charity, bad)}).MustCode(t, "BAD_USER_INPUT")
			if r.Field() != "input.recommendedGuideSlugs" {
				t.Errorf("%s: field %q", name, r.Field())
			}
		}
	})
	t.Run("PatientReadsThemInTheirLanguage", func(t *testing.T) {
		t.Parallel()
		var ref struct {
			ReferPatient struct {
				ID, Code          string
				RecommendedGuides []guideRef
			}
		}
		s.Do(t, clinician, refer, map[string]any{"in": in(" "+charity, collections, charity)}).Decode(t, &ref)
		if got := refs(ref.ReferPatient.RecommendedGuides); !slices.Equal(got, []string{charity + "/en", collections + "/en"}) {
			t.Fatalf("clinician sees %v", got)
		}
		tok := patientIn(t, s, "es")
		var claimed struct{ ClaimReferral struct{ ID string } }
		s.Do(t, tok, `mutation($in: ClaimReferralInput!) { claimReferral(input: $in) { id } }`, map[string]any{"in": map[string]any{
			"code": ref.ReferPatient.Code, "description": "A hospital bill went to collections.",
			"consentToShare": true, "shareStatusWithReferrer": false}}).Decode(t, &claimed)
		const doc = `query($id: ID!) { case(id: $id) { referral { recommendedGuides { id slug locale } } } }`
		read := func() []string {
			var out struct {
				Case struct {
					Referral struct{ RecommendedGuides []guideRef }
				}
			}
			s.Do(t, tok, doc, map[string]any{"id": claimed.ClaimReferral.ID}).Decode(t, &out)
			return refs(out.Case.Referral.RecommendedGuides)
		}
		if got := read(); !slices.Equal(got, []string{charity + "/es", collections + "/en"}) {
			t.Fatalf("patient sees %v", got)
		}
		// A guide archived after the referral drops out of the list.
		tm.do(t, tm.admin, "archiveGuide", coll.ID).MustOK(t)
		if got := read(); !slices.Equal(got, []string{charity + "/es"}) {
			t.Fatalf("after archiving, patient sees %v", got)
		}
	})
	t.Run("GuideInAnotherLanguageOnly", func(t *testing.T) {
		t.Parallel()
		// Published in Spanish only: the clinician (whose referral has no
		// patient yet) and an English-reading patient still see it.
		spanish := slug("deudas")
		tm.published(t, debt(map[string]any{"slug": spanish, "locale": "es", "jurisdictions": []string{"US"}}))
		var ref struct {
			ReferPatient struct {
				ID, Code          string
				RecommendedGuides []guideRef
			}
		}
		s.Do(t, clinician, refer, map[string]any{"in": in(spanish, charity)}).Decode(t, &ref)
		want := []string{spanish + "/es", charity + "/en"}
		if got := refs(ref.ReferPatient.RecommendedGuides); !slices.Equal(got, want) {
			t.Fatalf("clinician sees %v, want %v", got, want)
		}
		var mine struct {
			MyReferrals struct {
				Edges []struct {
					Node struct {
						ID                string
						RecommendedGuides []guideRef
					}
				}
			}
		}
		s.Do(t, clinician, `{ myReferrals(first: 100) { edges { node { id recommendedGuides { id slug locale } } } } }`, nil).Decode(t, &mine)
		found := false
		for _, e := range mine.MyReferrals.Edges {
			if e.Node.ID == ref.ReferPatient.ID {
				found = true
				if got := refs(e.Node.RecommendedGuides); !slices.Equal(got, want) {
					t.Fatalf("clinician's list shows %v, want %v", got, want)
				}
			}
		}
		if !found {
			t.Fatal("the referral is not in myReferrals")
		}
		tok := patientIn(t, s, "en")
		var claimed struct{ ClaimReferral struct{ ID string } }
		s.Do(t, tok, `mutation($in: ClaimReferralInput!) { claimReferral(input: $in) { id } }`, map[string]any{"in": map[string]any{
			"code": ref.ReferPatient.Code, "description": "A hospital bill went to collections.",
			"consentToShare": true, "shareStatusWithReferrer": false}}).Decode(t, &claimed)
		var out struct {
			Case struct {
				Referral struct{ RecommendedGuides []guideRef }
			}
		}
		s.Do(t, tok, `query($id: ID!) { case(id: $id) { referral { recommendedGuides { id slug locale } } } }`,
			map[string]any{"id": claimed.ClaimReferral.ID}).Decode(t, &out)
		if got := refs(out.Case.Referral.RecommendedGuides); !slices.Equal(got, want) {
			t.Fatalf("English-reading patient sees %v, want %v", got, want)
		}
	})
	t.Run("StatementsDoNotGrowWithReferrals", func(t *testing.T) {
		t.Parallel()
		_, tok := s.User(t, models.RoleClinician, health)
		for range 50 {
			s.Do(t, tok, refer, map[string]any{"in": in(charity)}).MustOK(t)
		}
		const list = `query($n: Int) { myReferrals(first: $n) { edges { node { id recommendedGuides { id slug translations { locale } } } } } }`
		sameStatements(t, s, tok, list, "myReferrals", "recommendedGuides")
	})
}

// sameStatements runs list (a connection field conn whose nodes have a list
// field guides) for 5 and for 50 nodes, checks that every node has guides,
// and that both cost the same number of SQL statements.
func sameStatements(t *testing.T, s *apptest.Server, tok, list, conn, guides string) {
	t.Helper()
	count := func(n int) int64 {
		r, stmts := s.DoCounted(t, tok, list, map[string]any{"n": n})
		var out map[string]struct {
			Edges []struct{ Node map[string]json.RawMessage }
		}
		r.Decode(t, &out)
		edges := out[conn].Edges
		if len(edges) != n {
			t.Fatalf("listed %d, want %d", len(edges), n)
		}
		for _, e := range edges {
			var gs []guideRef
			if err := json.Unmarshal(e.Node[guides], &gs); err != nil || len(gs) == 0 {
				t.Fatalf("a node without %s: %s", guides, r.Raw)
			}
		}
		return stmts
	}
	five, fifty := count(5), count(50)
	if five != fifty {
		t.Fatalf("%s: 5 nodes cost %d statements, 50 nodes %d", conn, five, fifty)
	}
	t.Logf("%s with %s and their translations: %d statements for 5 and for 50", conn, guides, five)
}
