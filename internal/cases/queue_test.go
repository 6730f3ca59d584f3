package cases_test

import (
	"slices"
	"testing"
	"time"

	"mlp/internal/apptest"
	"mlp/models"
)

const queueQuery = `query($f: CaseQueueFilter, $first: Int, $after: String) {
  caseQueue(filter: $f, first: $first, after: $after) {
    edges { node { id urgent } } pageInfo { hasNextPage endCursor } totalCount } }`

type queueJSON struct {
	CaseQueue struct {
		Edges []struct {
			Node struct {
				ID     string
				Urgent bool
			}
		}
		PageInfo struct {
			HasNextPage bool
			EndCursor   string
		}
		TotalCount int
	}
}

func TestCaseQueue(t *testing.T) {
	now := time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)
	s := apptest.New(t, apptest.WithClock(func() time.Time { return now }))
	t.Parallel() // after New: dbtest.Open is not safe for concurrent first use
	org := s.Org(t, models.OrgLegalAid, []string{freeState(t)})
	me, tok := s.User(t, models.RoleAdvocate, org)
	patient, _ := s.User(t, models.RolePatient, nil)
	day := func(n int) models.Date { return models.NewDate(now.AddDate(0, 0, n)) }

	// Inserted oldest first; the queue order is in the names.
	noDeadline := insertCase(t, s, patient, org, models.CaseSubmitted)
	later := insertCase(t, s, patient, org, models.CaseReceived, withDeadline(day(30)))
	soon := insertCase(t, s, patient, org, models.CaseInProgress, withDeadline(day(14)), withCategory(models.CategoryFood), assignedTo(me))
	overdue := insertCase(t, s, patient, org, models.CaseWaitingOnPatient, withDeadline(day(-3)))
	noDeadline2 := insertCase(t, s, patient, org, models.CaseAccepted, assignedTo(me))
	insertCase(t, s, patient, org, models.CaseResolved, withDeadline(day(1))) // closed: not queued
	insertCase(t, s, patient, nil, models.CaseSubmitted)                      // unrouted: not queued
	order := []string{overdue.ID.String(), soon.ID.String(), later.ID.String(), noDeadline.ID.String(), noDeadline2.ID.String()}

	ids := func(q queueJSON) []string {
		var out []string
		for _, e := range q.CaseQueue.Edges {
			out = append(out, e.Node.ID)
		}
		return out
	}
	queue := func(t *testing.T, vars map[string]any) queueJSON {
		t.Helper()
		var got queueJSON
		s.Do(t, tok, queueQuery, vars).Decode(t, &got)
		return got
	}

	t.Run("UrgentFirstThenDeadlineThenOldest", func(t *testing.T) {
		t.Parallel()
		got := queue(t, nil)
		if !slices.Equal(ids(got), order) || got.CaseQueue.TotalCount != 5 {
			t.Fatalf("queue = %v, want %v", ids(got), order)
		}
		for i, e := range got.CaseQueue.Edges {
			if e.Node.Urgent != (i < 2) {
				t.Fatalf("urgent flags wrong: %+v", got.CaseQueue.Edges)
			}
		}
	})

	t.Run("Pages", func(t *testing.T) {
		t.Parallel()
		var seen []string
		vars := map[string]any{"first": 2}
		for range 5 {
			got := queue(t, vars)
			seen = append(seen, ids(got)...)
			if !got.CaseQueue.PageInfo.HasNextPage {
				break
			}
			vars = map[string]any{"first": 2, "after": got.CaseQueue.PageInfo.EndCursor}
		}
		if !slices.Equal(seen, order) {
			t.Fatalf("pages = %v, want %v", seen, order)
		}
	})

	t.Run("Filters", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			name   string
			filter map[string]any
			want   []string
		}{
			{"Status", map[string]any{"status": []string{"SUBMITTED", "ACCEPTED"}}, []string{noDeadline.ID.String(), noDeadline2.ID.String()}},
			{"ClosedStatus", map[string]any{"status": []string{"RESOLVED"}}, nil},
			{"Category", map[string]any{"category": "FOOD"}, []string{soon.ID.String()}},
			{"UrgentOnly", map[string]any{"urgentOnly": true}, []string{overdue.ID.String(), soon.ID.String()}},
			{"AssignedToMe", map[string]any{"assignedToMe": true}, []string{soon.ID.String(), noDeadline2.ID.String()}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if got := ids(queue(t, map[string]any{"f": tc.filter})); !slices.Equal(got, tc.want) {
					t.Fatalf("queue = %v, want %v", got, tc.want)
				}
			})
		}
	})

	t.Run("FirstOutOfRange", func(t *testing.T) {
		t.Parallel()
		r := s.Do(t, tok, queueQuery, map[string]any{"first": 101}).MustCode(t, "BAD_USER_INPUT")
		if r.Field() != "first" {
			t.Fatalf("field = %q", r.Field())
		}
	})
}

func TestMyCasesNewestFirst(t *testing.T) {
	s := apptest.New(t)
	t.Parallel() // after New: dbtest.Open is not safe for concurrent first use
	patient, tok := s.User(t, models.RolePatient, nil)
	a := insertCase(t, s, patient, nil, models.CaseSubmitted)
	b := insertCase(t, s, patient, nil, models.CaseWithdrawn)
	c := insertCase(t, s, patient, nil, models.CaseSubmitted)
	const q = `query($st: [CaseStatus!], $after: String) { myCases(status: $st, first: 2, after: $after) {
	  edges { node { id } } pageInfo { hasNextPage endCursor } totalCount } }`
	type resp struct {
		MyCases struct {
			Edges    []struct{ Node struct{ ID string } }
			PageInfo struct {
				HasNextPage bool
				EndCursor   string
			}
			TotalCount int
		}
	}
	var p1, p2, open resp
	s.Do(t, tok, q, nil).Decode(t, &p1)
	s.Do(t, tok, q, map[string]any{"after": p1.MyCases.PageInfo.EndCursor}).Decode(t, &p2)
	got := []string{}
	for _, e := range append(p1.MyCases.Edges, p2.MyCases.Edges...) {
		got = append(got, e.Node.ID)
	}
	if want := []string{c.ID.String(), b.ID.String(), a.ID.String()}; !slices.Equal(got, want) || !p1.MyCases.PageInfo.HasNextPage ||
		p2.MyCases.PageInfo.HasNextPage || p1.MyCases.TotalCount != 3 {
		t.Fatalf("myCases = %v (%+v), want %v", got, p1.MyCases.PageInfo, want)
	}
	s.Do(t, tok, q, map[string]any{"st": []string{"SUBMITTED"}}).Decode(t, &open)
	if open.MyCases.TotalCount != 2 || open.MyCases.Edges[0].Node.ID != c.ID.String() {
		t.Fatalf("filtered = %+v", open)
	}
}
