package cases_test

import (
	"testing"

	"mlp/internal/apptest"
	"mlp/models"
)

// contractMoves is the transition table of the contract's CaseStatus comment,
// written out again here so that the test checks the code against the
// contract, not against itself.
var contractMoves = map[models.CaseStatus][]models.CaseStatus{
	models.CaseSubmitted:        {models.CaseReceived, models.CaseDeclined, models.CaseWithdrawn},
	models.CaseReceived:         {models.CaseAccepted, models.CaseDeclined, models.CaseWaitingOnPatient, models.CaseWithdrawn},
	models.CaseAccepted:         {models.CaseInProgress, models.CaseWithdrawn},
	models.CaseInProgress:       {models.CaseWaitingOnPatient, models.CaseResolved, models.CaseUnresolved, models.CaseWithdrawn},
	models.CaseWaitingOnPatient: {models.CaseReceived, models.CaseInProgress, models.CaseUnresolved, models.CaseWithdrawn},
}

func allowed(from, to models.CaseStatus) bool {
	for _, s := range contractMoves[from] {
		if s == to {
			return true
		}
	}
	return false
}

const updateStatus = `mutation($in: UpdateCaseStatusInput!) {
  updateCaseStatus(input: $in) { id status version fhirTaskStatus
    timeline(first: 100) { edges { node { kind fromStatus toStatus message actorRole visibleToPatient } } } }
}`

type statusJSON struct {
	ID, Status, FhirTaskStatus string
	Version                    int
	Timeline                   struct {
		Edges []struct {
			Node struct {
				Kind, FromStatus, ToStatus, Message, ActorRole string
				VisibleToPatient                               bool
			}
		}
	}
}

// TestStatusTransitions tries every move from every status: an advocate of the
// case's organization makes exactly the contract's moves except WITHDRAWN, the
// patient withdraws exactly where the contract allows it, and everything else
// is CONFLICT and changes nothing.
func TestStatusTransitions(t *testing.T) {
	s := apptest.New(t)
	t.Parallel() // after New: dbtest.Open is not safe for concurrent first use
	w := newWorld(t, s)
	for _, from := range models.AllCaseStatuses {
		for _, to := range models.AllCaseStatuses {
			want := allowed(from, to) && to != models.CaseWithdrawn
			name := string(from) + "->" + string(to)
			if want {
				name += "/OK"
			} else {
				name += "/CONFLICT"
			}
			t.Run("Advocate/"+name, func(t *testing.T) {
				t.Parallel()
				c := insertCase(t, s, w.patient, w.org, from)
				in := map[string]any{"caseId": c.ID.String(), "status": string(to), "note": "We called you.", "expectedVersion": 1}
				r := s.Do(t, w.tokens[advocate], updateStatus, map[string]any{"in": in})
				if !want {
					r.MustCode(t, "CONFLICT")
					if after := reload(t, s, c.ID); after.Status != from || after.Version != 1 || countEvents(t, s, c.ID) != 1 {
						t.Fatalf("a refused move changed the case: %+v", after)
					}
					return
				}
				var got struct{ UpdateCaseStatus statusJSON }
				r.Decode(t, &got)
				u := got.UpdateCaseStatus
				if u.Status != string(to) || u.Version != 2 || u.FhirTaskStatus != to.FhirTaskStatus() || len(u.Timeline.Edges) != 2 {
					t.Fatalf("after the move: %+v", u)
				}
				ev := u.Timeline.Edges[1].Node
				if ev.Kind != "STATUS_CHANGED" || ev.FromStatus != string(from) || ev.ToStatus != string(to) ||
					ev.Message != "We called you." || ev.ActorRole != "ADVOCATE" || !ev.VisibleToPatient {
					t.Fatalf("event = %+v", ev)
				}
			})
		}
		wantWithdraw := allowed(from, models.CaseWithdrawn)
		name := "Patient/" + string(from) + "->WITHDRAWN/"
		if wantWithdraw {
			name += "OK"
		} else {
			name += "CONFLICT"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := insertCase(t, s, w.patient, w.org, from)
			r := s.Do(t, w.tokens[owner], `mutation($id: ID!) { withdrawCase(caseId: $id, reason: "I found a lawyer.") { status version } }`,
				map[string]any{"id": c.ID.String()})
			if !wantWithdraw {
				r.MustCode(t, "CONFLICT")
				if after := reload(t, s, c.ID); after.Status != from || after.Version != 1 || countEvents(t, s, c.ID) != 1 {
					t.Fatalf("a refused withdrawal changed the case: %+v", after)
				}
				return
			}
			var got struct {
				WithdrawCase struct {
					Status  string
					Version int
				}
			}
			r.Decode(t, &got)
			if got.WithdrawCase.Status != "WITHDRAWN" || got.WithdrawCase.Version != 2 {
				t.Fatalf("after withdrawing: %+v", got)
			}
			var ev models.CaseEvent
			if err := s.DB.Where("case_id = ? AND kind = ?", c.ID, models.EventStatusChanged).Take(&ev).Error; err != nil {
				t.Fatal(err)
			}
			if *ev.FromStatus != from || *ev.ToStatus != models.CaseWithdrawn || *ev.Message != "I found a lawyer." || *ev.ActorRole != models.RolePatient {
				t.Fatalf("event = %+v", ev)
			}
		})
	}

	t.Run("AdminMoves/OK", func(t *testing.T) {
		t.Parallel()
		c := insertCase(t, s, w.patient, w.org, models.CaseSubmitted)
		in := map[string]any{"caseId": c.ID.String(), "status": "DECLINED"}
		var got struct{ UpdateCaseStatus statusJSON }
		s.Do(t, w.tokens[admin], updateStatus, map[string]any{"in": in}).Decode(t, &got)
		if got.UpdateCaseStatus.Status != "DECLINED" {
			t.Fatalf("got %+v", got)
		}
	})

	t.Run("StaleVersion/CONFLICT", func(t *testing.T) {
		t.Parallel()
		c := insertCase(t, s, w.patient, w.org, models.CaseSubmitted)
		move := func(status string, version int) *apptest.Response {
			in := map[string]any{"caseId": c.ID.String(), "status": status, "expectedVersion": version}
			return s.Do(t, w.tokens[advocate], updateStatus, map[string]any{"in": in})
		}
		move("RECEIVED", 1).MustOK(t)
		move("ACCEPTED", 1).MustCode(t, "CONFLICT") // someone else moved it meanwhile
		if after := reload(t, s, c.ID); after.Status != models.CaseReceived || after.Version != 2 || countEvents(t, s, c.ID) != 2 {
			t.Fatalf("a stale move changed the case: %+v", after)
		}
		move("ACCEPTED", 2).MustOK(t)
	})

	t.Run("InternalNote/OK", func(t *testing.T) {
		t.Parallel()
		c := insertCase(t, s, w.patient, w.org, models.CaseSubmitted)
		in := map[string]any{"caseId": c.ID.String(), "status": "RECEIVED", "note": "Conflict check pending.", "visibleToPatient": false}
		s.Do(t, w.tokens[advocate], updateStatus, map[string]any{"in": in}).MustOK(t)
		var got struct{ Case statusJSON }
		s.Do(t, w.tokens[owner], `query($id: ID!) { case(id: $id) { status timeline { edges { node { kind message } } } } }`,
			map[string]any{"id": c.ID.String()}).Decode(t, &got)
		if got.Case.Status != "RECEIVED" || len(got.Case.Timeline.Edges) != 1 {
			t.Fatalf("the patient sees %+v", got.Case)
		}
	})

	t.Run("BadStatusNote/BAD_USER_INPUT", func(t *testing.T) {
		t.Parallel()
		c := insertCase(t, s, w.patient, w.org, models.CaseSubmitted)
		long := make([]byte, 5001)
		for i := range long {
			long[i] = 'a'
		}
		in := map[string]any{"caseId": c.ID.String(), "status": "RECEIVED", "note": string(long)}
		r := s.Do(t, w.tokens[advocate], updateStatus, map[string]any{"in": in}).MustCode(t, "BAD_USER_INPUT")
		if r.Field() != "input.note" || reload(t, s, c.ID).Version != 1 {
			t.Fatalf("field %q, or the case changed", r.Field())
		}
	})
}

// TestCanMoveTo checks the table's role rule directly: only patients
// withdraw, only advocates and admins make the other moves.
func TestCanMoveTo(t *testing.T) {
	t.Parallel()
	for _, from := range models.AllCaseStatuses {
		for _, to := range models.AllCaseStatuses {
			for _, role := range models.AllRoles {
				want := allowed(from, to) && ((to == models.CaseWithdrawn && role == models.RolePatient) ||
					(to != models.CaseWithdrawn && (role == models.RoleAdvocate || role == models.RoleAdmin)))
				if got := from.CanMoveTo(to, role); got != want {
					t.Errorf("%s -> %s by %s: %v, want %v", from, to, role, got, want)
				}
			}
		}
	}
}
