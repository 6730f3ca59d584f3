package referrals_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/models"
)

// The callers of the matrix, relative to one referral: the clinician who made
// it ("owner"), a clinician of another health system, the patient who claims
// it and another patient, advocates of the case's partner and of another one,
// an editor and an admin.
const (
	anonymous      = "anonymous"
	badToken       = "badToken"
	owner          = "owner"
	otherClinician = "otherClinician"
	patient        = "patient"
	otherPatient   = "otherPatient"
	advocate       = "advocate"
	otherAdvocate  = "otherAdvocate"
	editor         = "editor"
	admin          = "admin"
)

var callers = []string{anonymous, badToken, owner, otherClinician, patient, otherPatient, advocate, otherAdvocate, editor, admin}

// Outcomes besides error codes: OK (sees or changes the object), HIDDEN (a
// list that answers without it).
const (
	ok     = "OK"
	hidden = "HIDDEN"
	unauth = "UNAUTHENTICATED"
	forbid = "FORBIDDEN"
	nf     = "NOT_FOUND"
)

func row(outcomes ...string) map[string]string {
	m := map[string]string{}
	for i, c := range callers {
		m[c] = outcomes[i]
	}
	return m
}

// matrixWorld is the cast of the matrix.
type matrixWorld struct {
	s      *apptest.Server
	p      *partnership
	tokens map[string]string
}

// fixture is one subtest's objects: a referral of the owner, claimed by the
// patient when the operation needs a case.
type fixture struct {
	referral      referralJSON
	caseID        string
	statusConsent string
	patientTok    string
	uniqueLabel   string
	statusBefore  models.ReferralStatus
}

func newMatrixWorld(t *testing.T, s *apptest.Server) *matrixWorld {
	t.Helper()
	w := &matrixWorld{s: s, p: newPartnership(t, s), tokens: map[string]string{}}
	w.tokens[owner] = w.p.clinicianTok
	w.tokens[otherClinician] = w.p.otherClinicianTok
	w.tokens[advocate] = w.p.advocateTok
	w.tokens[otherAdvocate] = w.p.otherAdvocateTok
	_, w.tokens[editor] = s.User(t, models.RoleEditor, w.p.health)
	_, w.tokens[admin] = s.User(t, models.RoleAdmin, nil)
	w.tokens[badToken] = "not-a-jwt"
	return w
}

// letters returns a random label of letters only (labels take no digits).
func letters() string {
	const abc = "abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, 12)
	for i := range b {
		b[i] = abc[rand.IntN(len(abc))]
	}
	return "Pt " + string(b)
}

type matrixOp struct {
	name   string
	claim  bool // the operation needs a claimed referral
	query  string
	vars   func(f *fixture) map[string]any
	listed func(r *apptest.Response, f *fixture) bool
	// check runs after the call; ok reports whether it succeeded.
	check func(t *testing.T, s *apptest.Server, f *fixture, who string, r *apptest.Response, ok bool)
	want  map[string]string
}

func mentionsReferral(r *apptest.Response, f *fixture) bool {
	return strings.Contains(string(r.Data), f.referral.ID)
}

func mentionsCase(r *apptest.Response, f *fixture) bool {
	return strings.Contains(string(r.Data), f.caseID)
}

// unchanged fails when a refused call changed the referral or the consent.
func unchanged(t *testing.T, s *apptest.Server, f *fixture, _ string, _ *apptest.Response, ok bool) {
	t.Helper()
	if ok {
		return
	}
	if st := storedReferral(t, s, f.referral.ID); st.Status != f.statusBefore {
		t.Fatalf("a refused call changed the referral to %s", st.Status)
	}
	if f.statusConsent != "" {
		var k models.Consent
		s.DB.Take(&k, "id = ?", uuid.MustParse(f.statusConsent))
		if k.RevokedAt != nil {
			t.Fatal("a refused call revoked the consent")
		}
	}
}

var matrix = []matrixOp{
	{name: "referPatient", query: `mutation($in: ReferPatientInput!) { referPatient(input: $in) { id code } }`,
		vars: func(f *fixture) map[string]any {
			in := referInput("CA")
			in["patientLabel"] = f.uniqueLabel
			return map[string]any{"in": in}
		},
		check: func(t *testing.T, s *apptest.Server, f *fixture, _ string, _ *apptest.Response, ok bool) {
			want := int64(0)
			if ok {
				want = 1
			}
			if n := countWhere(t, s, &models.Referral{}, "patient_label = ?", f.uniqueLabel); n != want {
				t.Fatalf("%d referrals stored, want %d", n, want)
			}
		},
		want: row(unauth, unauth, ok, ok, forbid, forbid, forbid, forbid, forbid, forbid)},
	{name: "myReferrals", query: myReferralsDoc, listed: mentionsReferral,
		want: row(unauth, unauth, ok, hidden, forbid, forbid, forbid, forbid, forbid, forbid)},
	{name: "myReferrals/claimed", claim: true, query: myReferralsDoc, listed: mentionsReferral,
		check: func(t *testing.T, _ *apptest.Server, f *fixture, _ string, r *apptest.Response, ok bool) {
			if ok && strings.Contains(r.Raw, f.caseID) {
				t.Fatalf("the clinician's list reveals the case: %s", r.Raw)
			}
		},
		want: row(unauth, unauth, ok, hidden, forbid, forbid, forbid, forbid, forbid, forbid)},
	{name: "cancelReferral", query: cancelMutation,
		vars: func(f *fixture) map[string]any { return map[string]any{"id": f.referral.ID} },
		check: func(t *testing.T, s *apptest.Server, f *fixture, who string, r *apptest.Response, ok bool) {
			unchanged(t, s, f, who, r, ok)
			if st := storedReferral(t, s, f.referral.ID); ok && st.Status != models.ReferralCancelled {
				t.Fatalf("status %s after cancel", st.Status)
			}
		},
		want: row(unauth, unauth, ok, nf, forbid, forbid, forbid, forbid, forbid, forbid)},
	{name: "cancelReferral/claimed", claim: true, query: cancelMutation,
		vars:  func(f *fixture) map[string]any { return map[string]any{"id": f.referral.ID} },
		check: unchanged,
		want:  row(unauth, unauth, "CONFLICT", nf, forbid, forbid, forbid, forbid, forbid, forbid)},
	{name: "claimReferral", query: `mutation($in: ClaimReferralInput!) { claimReferral(input: $in) { id } }`,
		vars: func(f *fixture) map[string]any { return map[string]any{"in": claimInput(f.referral.Code, true)} },
		check: func(t *testing.T, s *apptest.Server, f *fixture, who string, r *apptest.Response, ok bool) {
			unchanged(t, s, f, who, r, ok)
			want := int64(0)
			if ok {
				want = 1
			}
			if n := countWhere(t, s, &models.Case{}, "referral_id = ?", f.referral.ID); n != want {
				t.Fatalf("%d cases for the referral, want %d", n, want)
			}
		},
		want: row(unauth, unauth, forbid, forbid, ok, ok, forbid, forbid, forbid, forbid)},
	{name: "claimReferral/claimed", claim: true, query: `mutation($in: ClaimReferralInput!) { claimReferral(input: $in) { id } }`,
		vars:  func(f *fixture) map[string]any { return map[string]any{"in": claimInput(f.referral.Code, true)} },
		check: unchanged,
		want:  row(unauth, unauth, forbid, forbid, nf, nf, forbid, forbid, forbid, forbid)},
	{name: "revokeConsent", claim: true, query: revokeMutation,
		vars: func(f *fixture) map[string]any { return map[string]any{"id": f.statusConsent} },
		check: func(t *testing.T, s *apptest.Server, f *fixture, who string, r *apptest.Response, ok bool) {
			unchanged(t, s, f, who, r, ok)
			var k models.Consent
			s.DB.Take(&k, "id = ?", uuid.MustParse(f.statusConsent))
			if ok && k.RevokedAt == nil {
				t.Fatal("the consent was not revoked")
			}
		},
		want: row(unauth, unauth, forbid, forbid, ok, nf, forbid, forbid, forbid, forbid)},
	{name: "myConsents", claim: true, query: myConsentsDoc, listed: mentionsCase,
		want: row(unauth, unauth, forbid, forbid, ok, hidden, forbid, forbid, forbid, forbid)},
	{name: "case.referral", claim: true, query: caseReferralDoc,
		vars: func(f *fixture) map[string]any { return map[string]any{"id": f.caseID} },
		check: func(t *testing.T, _ *apptest.Server, f *fixture, who string, r *apptest.Response, ok bool) {
			if !ok {
				if strings.Contains(r.Raw, f.referral.ID) || strings.Contains(r.Raw, "mold") {
					t.Fatalf("a refused read revealed the referral: %s", r.Raw)
				}
				return
			}
			// Notes are for the legal team: the patient does not see them.
			if seesNotes := strings.Contains(r.Raw, "mold in the apartment"); seesNotes != (who != patient) {
				t.Fatalf("%s sees notes: %v (%s)", who, seesNotes, r.Raw)
			}
			if !strings.Contains(r.Raw, `"case":{"id":"`+f.caseID) {
				t.Fatalf("%s does not reach the case through the referral: %s", who, r.Raw)
			}
		},
		listed: mentionsReferral,
		want:   row(unauth, unauth, nf, nf, ok, nf, ok, nf, nf, ok)},
}

// TestAuthorizationMatrix runs every referral operation as every caller, on
// the owner's referral (another clinician's, from the other clinician's
// seat): a hidden object is NOT_FOUND, a wrong role FORBIDDEN, no valid token
// UNAUTHENTICATED, and a refused change leaves everything as it was.
func TestAuthorizationMatrix(t *testing.T) { authorizationMatrix(t) }

// TestAuthorizationMatrixWithoutDirectives runs the same table against a
// server whose @hasRole and @authenticated are pass-throughs: every row
// still holds, because the services refuse alone.
func TestAuthorizationMatrixWithoutDirectives(t *testing.T) {
	authorizationMatrix(t, apptest.WithoutDirectives())
}

func authorizationMatrix(t *testing.T, opts ...apptest.Option) {
	t.Parallel()
	s := apptest.New(t, opts...)
	w := newMatrixWorld(t, s)
	for _, op := range matrix {
		for _, who := range callers {
			want := op.want[who]
			t.Run(op.name+"/"+who+"/"+want, func(t *testing.T) {
				t.Parallel()
				tokens := map[string]string{}
				for k, v := range w.tokens {
					tokens[k] = v
				}
				// Fresh patients per subtest: claims are rate limited per patient.
				_, tokens[patient] = s.User(t, models.RolePatient, nil)
				_, tokens[otherPatient] = s.User(t, models.RolePatient, nil)
				f := &fixture{uniqueLabel: letters(), patientTok: tokens[patient]}
				f.referral = refer(t, s, w.p.clinicianTok, referInput(w.p.state))
				f.statusBefore = models.ReferralSent
				if op.claim {
					f.caseID = claim(t, s, f.patientTok, f.referral.Code, true).ID
					f.statusConsent = consentOf(t, s, f.patientTok, f.caseID, models.ConsentShareStatusWithReferrer).ID
					f.statusBefore = models.ReferralClaimed
				}
				var vars map[string]any
				if op.vars != nil {
					vars = op.vars(f)
				}
				r := s.Do(t, tokens[who], op.query, vars)
				switch want {
				case ok, hidden:
					r.MustOK(t)
					if op.listed != nil && op.listed(r, f) != (want == ok) {
						t.Fatalf("want %s, got %s", want, r.Raw)
					}
				default:
					r.MustCode(t, want)
				}
				if op.check != nil {
					op.check(t, s, f, who, r, want == ok || want == hidden)
				}
			})
		}
	}
}
