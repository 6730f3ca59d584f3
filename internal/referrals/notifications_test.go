package referrals_test

import (
	"strings"
	"testing"

	"mlp/internal/apptest"
	"mlp/models"
)

const (
	messageDoc  = `mutation($id: ID!, $body: String!, $visible: Boolean) { addCaseMessage(caseId: $id, body: $body, visibleToPatient: $visible) { id } }`
	outcomeDoc  = `mutation($in: CaseOutcomeInput!) { recordCaseOutcome(input: $in) { id } }`
	statusDoc   = `mutation($id: ID!, $st: CaseStatus!, $visible: Boolean) { updateCaseStatus(input: {caseId: $id, status: $st, visibleToPatient: $visible}) { id } }`
	timelineDoc = `query($id: ID!) { case(id: $id) { timeline(first: 50) { edges { node { kind message } } } } }`
)

type noteJSON struct {
	ID, Kind, Title, Body string
	CaseID                *string
}

// notificationsOf returns the user's notifications, oldest first.
func notificationsOf(t *testing.T, s *apptest.Server, tok string) []noteJSON {
	t.Helper()
	var got struct {
		MyNotifications struct {
			Edges []struct{ Node noteJSON }
		}
	}
	s.Do(t, tok, notificationsDoc, nil).Decode(t, &got)
	out := make([]noteJSON, 0, len(got.MyNotifications.Edges))
	for i := len(got.MyNotifications.Edges) - 1; i >= 0; i-- {
		out = append(out, got.MyNotifications.Edges[i].Node)
	}
	return out
}

func kindsOf(ns []noteJSON) string {
	k := make([]string, len(ns))
	for i, n := range ns {
		k[i] = n.Kind
	}
	return strings.Join(k, ",")
}

// TestNotificationRules drives every rule over HTTP: who is told of what,
// with what words, and who is not.
func TestNotificationRules(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	w := newPartnership(t, s)
	_, secondAdvocateTok := s.User(t, models.RoleAdvocate, w.legalAid)

	t.Run("PatientAndAdvocates", func(t *testing.T) {
		_, patientTok := s.User(t, models.RolePatient, nil)
		ref := refer(t, s, w.clinicianTok, referInput(w.state))
		c := claim(t, s, patientTok, ref.Code, true)
		// A new case routed: each advocate of the organization is told; the
		// advocate of the other organization is not.
		for _, tok := range []string{w.advocateTok, secondAdvocateTok} {
			ns := notificationsOf(t, s, tok)
			if len(ns) == 0 || ns[len(ns)-1].Kind != "CASE_ROUTED" || ns[len(ns)-1].CaseID == nil || *ns[len(ns)-1].CaseID != c.ID {
				t.Fatalf("advocate's notifications: %+v", ns)
			}
		}
		if ns := notificationsOf(t, s, w.otherAdvocateTok); len(ns) != 0 {
			t.Fatalf("another organization's advocate told: %+v", ns)
		}
		move(t, s, w.advocateTok, c.ID, models.CaseReceived)
		move(t, s, w.advocateTok, c.ID, models.CaseAccepted)
		// A status change the patient may not see tells them nothing.
		s.Do(t, w.advocateTok, statusDoc, map[string]any{"id": c.ID, "st": "IN_PROGRESS", "visible": false}).MustOK(t)
		s.Do(t, w.advocateTok, statusDoc, map[string]any{"id": c.ID, "st": "WAITING_ON_PATIENT"}).MustOK(t)
		// An internal message tells the patient nothing; a visible one does.
		s.Do(t, w.advocateTok, messageDoc, map[string]any{"id": c.ID, "body": "Internal: check the lease.", "visible": false}).MustOK(t)
		s.Do(t, w.advocateTok, messageDoc, map[string]any{"id": c.ID, "body": "Please send the notice."}).MustOK(t)
		// The patient's message tells the advocates.
		before := len(notificationsOf(t, s, secondAdvocateTok))
		s.Do(t, patientTok, messageDoc, map[string]any{"id": c.ID, "body": "Here it is."}).MustOK(t)
		s.Do(t, w.advocateTok, statusDoc, map[string]any{"id": c.ID, "st": "IN_PROGRESS"}).MustOK(t)
		s.Do(t, w.advocateTok, statusDoc, map[string]any{"id": c.ID, "st": "RESOLVED"}).MustOK(t)
		s.Do(t, w.advocateTok, outcomeDoc, map[string]any{"in": map[string]any{"caseId": c.ID, "code": "EVICTION_PREVENTED"}}).MustOK(t)

		ns := notificationsOf(t, s, patientTok)
		want := "CASE_STATUS_CHANGED,CASE_STATUS_CHANGED,CASE_STATUS_CHANGED,CASE_MESSAGE,CASE_STATUS_CHANGED,CASE_STATUS_CHANGED,CASE_OUTCOME"
		if got := kindsOf(ns); got != want {
			t.Fatalf("patient's notifications\n got %s\nwant %s", got, want)
		}
		bodies := []string{ns[1].Body, ns[2].Body}
		if !strings.Contains(bodies[0], "Your advocate accepted your case") || !strings.Contains(bodies[1], "Your advocate needs something from you") {
			t.Fatalf("plain words missing: %q", bodies)
		}
		for _, n := range ns {
			if n.CaseID == nil || *n.CaseID != c.ID {
				t.Fatalf("notification without its case: %+v", n)
			}
			if strings.Contains(n.Body, "lease") || strings.Contains(n.Body, "notice") {
				t.Fatalf("a notification quotes a message: %+v", n)
			}
		}
		after := notificationsOf(t, s, secondAdvocateTok)
		if got := kindsOf(after[before:]); got != "PATIENT_MESSAGE" {
			t.Fatalf("advocate told %s after the patient's message", got)
		}
		// The advocate's own moves and messages tell no advocate.
		for _, n := range after {
			if n.Kind != "CASE_ROUTED" && n.Kind != "PATIENT_MESSAGE" {
				t.Fatalf("advocate told %s", n.Kind)
			}
		}
		// The clinician shares the status: told of the claim and the closure.
		if got := kindsOf(notificationsOf(t, s, w.clinicianTok)); !strings.HasSuffix(got, "REFERRAL_CLAIMED,REFERRAL_CLOSED") {
			t.Fatalf("clinician told %s", got)
		}
	})

	t.Run("WithdrawalTellsAdvocatesAndASharingClinician", func(t *testing.T) {
		_, patientTok := s.User(t, models.RolePatient, nil)
		ref := refer(t, s, w.clinicianTok, referInput(w.state))
		c := claim(t, s, patientTok, ref.Code, true)
		before := len(notificationsOf(t, s, w.advocateTok))
		clinBefore := len(notificationsOf(t, s, w.clinicianTok))
		s.Do(t, patientTok, withdrawDoc, map[string]any{"id": c.ID}).MustOK(t)
		if got := kindsOf(notificationsOf(t, s, w.advocateTok)[before:]); got != "CASE_WITHDRAWN" {
			t.Fatalf("advocate told %q", got)
		}
		cn := notificationsOf(t, s, w.clinicianTok)[clinBefore:]
		if kindsOf(cn) != "REFERRAL_WITHDRAWN" || strings.Contains(cn[0].Body, "closed") || strings.Contains(cn[0].Body, "legal team") {
			t.Fatalf("clinician told %+v", cn)
		}
		if st := storedReferral(t, s, ref.ID); st.Status != models.ReferralClosed {
			t.Fatalf("referral %s", st.Status)
		}
		// The patient's own withdrawal is no news to them.
		if ns := notificationsOf(t, s, patientTok); len(ns) != 0 {
			t.Fatalf("patient told %s", kindsOf(ns))
		}
	})

	for _, c := range []struct {
		name   string
		share  bool
		revoke bool
	}{{"SharingNotChosen", false, false}, {"SharingRevokedAfterClaim", true, true}} {
		t.Run(c.name+"TellsTheClinicianOnlyOfTheClaim", func(t *testing.T) {
			_, patientTok := s.User(t, models.RolePatient, nil)
			ref := refer(t, s, w.clinicianTok, referInput(w.state))
			before := len(notificationsOf(t, s, w.clinicianTok))
			cs := claim(t, s, patientTok, ref.Code, c.share)
			if c.revoke {
				k := consentOf(t, s, patientTok, cs.ID, models.ConsentShareStatusWithReferrer)
				s.Do(t, patientTok, revokeMutation, map[string]any{"id": k.ID}).MustOK(t)
			}
			s.Do(t, patientTok, withdrawDoc, map[string]any{"id": cs.ID}).MustOK(t)
			if got := kindsOf(notificationsOf(t, s, w.clinicianTok)[before:]); got != "REFERRAL_CLAIMED" {
				t.Fatalf("clinician told %q", got)
			}
			if st := storedReferral(t, s, ref.ID); st.Status != models.ReferralClaimed {
				t.Fatalf("referral reads %s, want CLAIMED", st.Status)
			}
			var mine = myReferrals(t, s, w.clinicianTok)
			if mine[ref.ID].Status != "CLAIMED" || mine[ref.ID].CaseStatus != nil {
				t.Fatalf("clinician sees %+v", mine[ref.ID])
			}
		})
	}

	t.Run("SpanishPatient", func(t *testing.T) {
		u, patientTok := s.User(t, models.RolePatient, nil)
		s.DB.Model(u).Update("preferred_language", "es")
		ref := refer(t, s, w.clinicianTok, referInput(w.state))
		c := claim(t, s, patientTok, ref.Code, false)
		move(t, s, w.advocateTok, c.ID, models.CaseReceived)
		move(t, s, w.advocateTok, c.ID, models.CaseAccepted)
		s.Do(t, w.advocateTok, `mutation($id: ID!, $a: ID!) { assignCase(caseId: $id, advocateId: $a) { id } }`,
			map[string]any{"id": c.ID, "a": w.advocate.ID.String()}).MustOK(t)
		ns := notificationsOf(t, s, patientTok)
		if len(ns) != 2 || ns[1].Title != "Su solicitud tiene una novedad" || !strings.HasPrefix(ns[1].Body, "Su defensor aceptó su caso") {
			t.Fatalf("notifications %+v", ns)
		}
		var tl struct {
			Case struct {
				Timeline struct {
					Edges []struct {
						Node struct {
							Kind    string
							Message *string
						}
					}
				}
			}
		}
		s.Do(t, patientTok, timelineDoc, map[string]any{"id": c.ID}).Decode(t, &tl)
		found := 0
		for _, e := range tl.Case.Timeline.Edges {
			if e.Node.Message == nil {
				continue
			}
			m := *e.Node.Message
			switch e.Node.Kind {
			case "CREATED":
				if !strings.HasPrefix(m, "Enviamos su solicitud") {
					t.Fatalf("CREATED note %q", m)
				}
				found++
			case "ASSIGNED":
				if !strings.HasSuffix(m, "es ahora el defensor de su caso.") {
					t.Fatalf("ASSIGNED note %q", m)
				}
				found++
			}
		}
		if found != 2 {
			t.Fatalf("timeline %+v", tl)
		}
	})

	t.Run("DiscreetPatient", func(t *testing.T) {
		u, patientTok := s.User(t, models.RolePatient, nil)
		s.DB.Model(u).Update("discreet_notifications", true)
		ref := refer(t, s, w.clinicianTok, referInput(w.state))
		c := claim(t, s, patientTok, ref.Code, false)
		move(t, s, w.advocateTok, c.ID, models.CaseReceived)
		s.Do(t, w.advocateTok, messageDoc, map[string]any{"id": c.ID, "body": "About your eviction court date."}).MustOK(t)
		ns := notificationsOf(t, s, patientTok)
		if len(ns) != 2 {
			t.Fatalf("notifications %+v", ns)
		}
		for _, n := range ns {
			if n.Title != "You have a new update" || n.Body != "You have a new update" {
				t.Fatalf("discreet notification %+v", n)
			}
		}
	})
}
