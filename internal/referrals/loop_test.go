package referrals_test

import (
	"regexp"
	"strings"
	"testing"

	"mlp/internal/apptest"
	"mlp/models"
)

var codeShape = regexp.MustCompile(`^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$`)

// TestClosedLoop walks the whole loop over HTTP: a clinician refers two
// patients, one shares the case's status and one does not; the advocate works
// the cases; the clinician sees the shared status only, loses it when the
// patient revokes, and sees both referrals CLOSED when the cases close.
func TestClosedLoop(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	w := newPartnership(t, s)
	_, shareTok := s.User(t, models.RolePatient, nil)
	_, privateTok := s.User(t, models.RolePatient, nil)

	// The clinician refers; the answer carries the code, once.
	shared := refer(t, s, w.clinicianTok, referInput(w.state))
	if !codeShape.MatchString(shared.Code) || shared.Status != "SENT" || shared.CaseStatus != nil || shared.Case != nil {
		t.Fatalf("referral = %+v", shared)
	}
	if shared.Clinician.ID != w.clinician.ID.String() || shared.Notes == nil || len(shared.Screening) != 2 ||
		strings.Join(shared.Categories, ",") != "HOUSING,PUBLIC_BENEFITS" {
		t.Fatalf("referral = %+v", shared)
	}
	if d := shared.ExpiresAt.Sub(shared.CreatedAt); d != models.ReferralTTL {
		t.Fatalf("expires after %v, want 30 days", d)
	}
	private := refer(t, s, w.clinicianTok, referInput(w.state))

	// Later reads show a masked code only.
	mine := myReferrals(t, s, w.clinicianTok)
	if got := mine[shared.ID].Code; got != "****-****-"+shared.Code[10:] {
		t.Fatalf("later read shows code %q, want it masked", got)
	}

	// The patients claim: one shares the status, the other does not.
	sharedCase := claim(t, s, shareTok, shared.Code, true)
	privateCase := claim(t, s, privateTok, strings.ToLower(strings.ReplaceAll(private.Code, "-", " ")), false)
	for _, c := range []caseJSON{sharedCase, privateCase} {
		if c.Status != "SUBMITTED" || c.Category != "HOUSING" || c.Jurisdiction != w.state ||
			c.Organization == nil || c.Organization.ID != w.legalAid.ID.String() {
			t.Fatalf("claimed case = %+v", c)
		}
		// The patient reaches the referral and its case, not the clinician's notes.
		if c.Referral == nil || c.Referral.Case == nil || c.Referral.Case.ID != c.ID || c.Referral.Notes != nil ||
			c.Referral.Status != "CLAIMED" || c.Referral.Code != "****-****-****" {
			t.Fatalf("patient's view of the referral = %+v", c.Referral)
		}
	}
	if sharedCase.Referral.CaseStatus == nil || *sharedCase.Referral.CaseStatus != "SUBMITTED" || privateCase.Referral.CaseStatus != nil {
		t.Fatalf("caseStatus: shared %v, private %v", sharedCase.Referral.CaseStatus, privateCase.Referral.CaseStatus)
	}
	// Both consents to share with the partner exist; one to share with the referrer.
	consentOf(t, s, shareTok, sharedCase.ID, models.ConsentShareWithLegalPartner)
	consentOf(t, s, shareTok, sharedCase.ID, models.ConsentShareStatusWithReferrer)
	if n := countWhere(t, s, &models.Consent{}, "case_id = ? AND scope = ?", privateCase.ID, models.ConsentShareStatusWithReferrer); n != 0 {
		t.Fatalf("private case has %d status-sharing consents", n)
	}

	// The clinician sees CLAIMED, the shared status only, and never the case.
	clinicianSees := func(wantShared, wantPrivate *string, wantStatus string) {
		t.Helper()
		mine := myReferrals(t, s, w.clinicianTok)
		for id, want := range map[string]*string{shared.ID: wantShared, private.ID: wantPrivate} {
			r := mine[id]
			if r.Status != wantStatus || r.Case != nil || (want == nil) != (r.CaseStatus == nil) || (want != nil && *want != *r.CaseStatus) {
				t.Fatalf("clinician sees %+v (caseStatus %v), want status %s caseStatus %v", r, r.CaseStatus, wantStatus, want)
			}
		}
	}
	str := func(s string) *string { return &s }
	clinicianSees(str("SUBMITTED"), nil, "CLAIMED")

	// The clinician cannot read the case itself.
	s.Do(t, w.clinicianTok, caseReferralDoc, map[string]any{"id": sharedCase.ID}).MustCode(t, "NOT_FOUND")

	// The partner's advocate sees the clinician's notes and screening now.
	var adv struct {
		Case struct {
			Referral referralJSON
		}
	}
	s.Do(t, w.advocateTok, caseReferralDoc, map[string]any{"id": sharedCase.ID}).Decode(t, &adv)
	if r := adv.Case.Referral; r.ID != shared.ID || r.Notes == nil || *r.Notes != "Three children at home; mold in the apartment." ||
		len(r.Screening) != 2 || r.Case == nil || r.Case.ID != sharedCase.ID || r.PatientLabel != "Maria G." {
		t.Fatalf("advocate's view of the referral = %+v", r)
	}
	// An advocate of another organization does not.
	s.Do(t, w.otherAdvocateTok, caseReferralDoc, map[string]any{"id": sharedCase.ID}).MustCode(t, "NOT_FOUND")

	// The advocate works the cases; the clinician follows the shared one.
	move(t, s, w.advocateTok, sharedCase.ID, models.CaseReceived)
	move(t, s, w.advocateTok, privateCase.ID, models.CaseReceived)
	clinicianSees(str("RECEIVED"), nil, "CLAIMED")
	move(t, s, w.advocateTok, sharedCase.ID, models.CaseAccepted)
	clinicianSees(str("ACCEPTED"), nil, "CLAIMED")

	// The patient revokes: the very next read hides the status.
	k := consentOf(t, s, shareTok, sharedCase.ID, models.ConsentShareStatusWithReferrer)
	var revoked struct{ RevokeConsent consentJSON }
	s.Do(t, shareTok, revokeMutation, map[string]any{"id": k.ID}).Decode(t, &revoked)
	if revoked.RevokeConsent.RevokedAt == nil {
		t.Fatalf("revoked consent = %+v", revoked.RevokeConsent)
	}
	clinicianSees(nil, nil, "CLAIMED")
	if k := consentOf(t, s, shareTok, sharedCase.ID, models.ConsentShareStatusWithReferrer); k.RevokedAt == nil {
		t.Fatal("myConsents does not show the revocation")
	}

	// Consent to share with the partner cannot be revoked while the case is open.
	partner := consentOf(t, s, shareTok, sharedCase.ID, models.ConsentShareWithLegalPartner)
	r := s.Do(t, shareTok, revokeMutation, map[string]any{"id": partner.ID}).MustCode(t, "CONFLICT")
	if !strings.Contains(r.Errors[0].Message, "withdraw the case") {
		t.Fatalf("the conflict does not tell the patient to withdraw: %s", r.Raw)
	}

	// The cases close. Neither patient shares the status any more (one
	// revoked, one never chose to): the referrals stay CLAIMED for the
	// clinician, who is told nothing after the claim.
	move(t, s, w.advocateTok, sharedCase.ID, models.CaseInProgress)
	move(t, s, w.advocateTok, sharedCase.ID, models.CaseResolved)
	s.Do(t, privateTok, withdrawDoc, map[string]any{"id": privateCase.ID}).MustOK(t)
	clinicianSees(nil, nil, "CLAIMED")
	for _, id := range []string{shared.ID, private.ID} {
		if st := storedReferral(t, s, id); st.Status != models.ReferralClaimed || st.ClosedAt != nil {
			t.Fatalf("stored referral = %+v", st)
		}
	}
	var notes struct {
		MyNotifications struct {
			TotalCount int
			Edges      []struct {
				Node struct{ Kind, Title, Body string }
			}
		}
	}
	s.Do(t, w.clinicianTok, notificationsDoc, nil).Decode(t, &notes)
	kinds := map[string]int{}
	for _, e := range notes.MyNotifications.Edges {
		kinds[e.Node.Kind]++
		if strings.Contains(e.Node.Body, "eviction") || strings.Contains(e.Node.Body, "MLP-") {
			t.Fatalf("a notification carries case details: %+v", e.Node)
		}
	}
	if kinds[models.NotificationReferralClaimed] != 2 || len(kinds) != 1 {
		t.Fatalf("clinician's notifications = %+v", notes.MyNotifications)
	}

	// Now that the case is closed, the patient may revoke the partner consent.
	s.Do(t, shareTok, revokeMutation, map[string]any{"id": partner.ID}).MustOK(t)
	// Revoking again changes nothing.
	s.Do(t, shareTok, revokeMutation, map[string]any{"id": partner.ID}).MustOK(t)
}
