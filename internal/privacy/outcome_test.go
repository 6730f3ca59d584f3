package privacy_test

import (
	"testing"

	"mlp/internal/app"
	"mlp/internal/apptest"
	"mlp/models"
)

// An advocate's outcome notes are internal unless marked for the patient,
// through gqlgen's resolvers and through the compiled read path alike.
func TestOutcomeNotesVisibility(t *testing.T) {
	for _, compiled := range []bool{false, true} {
		name := "Resolvers"
		if compiled {
			name = "CompiledReads"
		}
		t.Run(name, func(t *testing.T) {
			s := apptest.New(t, func(o *app.Options) { o.CompiledReads = compiled })
			w := newWorld(t, s)
			const record = `mutation($in: CaseOutcomeInput!) { recordCaseOutcome(input: $in) { outcome { notes notesVisibleToPatient } } }`
			const read = `query($id: ID!) { case(id: $id) { outcome { code notes } } }`
			const mine = `{ myCases(first: 50) { edges { node { id outcome { code notes } } } } }`
			notesOf := func(tok, id string) string {
				return apptest.Str(t, s.Do(t, tok, read, map[string]any{"id": id}).MustOK(t), "case.outcome.notes")
			}

			c := insertCase(t, s, w.patient, w.org, models.CaseResolved, "Eviction notice.")
			id := c.ID.String()
			in := map[string]any{"caseId": id, "code": "EVICTION_PREVENTED", "notes": "Landlord's lawyer is difficult."}
			r := s.Do(t, w.advTok, record, map[string]any{"in": in}).MustOK(t)
			if apptest.Str(t, r, "recordCaseOutcome.outcome.notesVisibleToPatient") != "false" {
				t.Fatalf("default visibility: %s", r.Raw)
			}
			if got := notesOf(w.advTok, id); got != "Landlord's lawyer is difficult." {
				t.Fatalf("advocate reads notes %q", got)
			}
			if got := notesOf(w.patientTok, id); got != "" {
				t.Fatalf("the patient reads internal notes %q", got)
			}
			if raw := s.Do(t, w.patientTok, mine, nil).MustOK(t).Raw; contains(raw, "difficult") {
				t.Fatalf("myCases shows internal notes: %s", raw)
			}

			in["notes"], in["notesVisibleToPatient"] = "You can stay until June.", true
			s.Do(t, w.advTok, record, map[string]any{"in": in}).MustOK(t)
			if got := notesOf(w.patientTok, id); got != "You can stay until June." {
				t.Fatalf("the patient reads %q, want the notes marked for them", got)
			}
		})
	}
}
