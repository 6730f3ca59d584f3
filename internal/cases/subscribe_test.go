package cases_test

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"mlp/internal/apptest"
	"mlp/internal/audit"
	"mlp/internal/cases"
	"mlp/internal/live"
	"mlp/models"
)

const (
	caseEventsDoc = `subscription($id: ID!) { caseEvents(caseId: $id) { id caseId kind message visibleToPatient actorRole } }`
)

type eventJSON struct {
	ID, CaseID, Kind string
	Message          *string
	VisibleToPatient bool
}

// subscriberWorld is newWorld's cast without jurisdictions: its legal-aid
// organizations serve no state, so routing never picks them and the tests
// may run any number of times (-count) without using up states.
func subscriberWorld(t *testing.T, s *apptest.Server) *world {
	t.Helper()
	w := &world{s: s, tokens: map[string]string{}}
	w.org = s.Org(t, models.OrgLegalAid, []string{})
	w.otherOrg = s.Org(t, models.OrgLegalAid, []string{})
	health := s.Org(t, models.OrgHealthSystem, []string{})
	w.patient, w.tokens[owner] = s.User(t, models.RolePatient, nil)
	_, w.tokens[otherPatient] = s.User(t, models.RolePatient, nil)
	_, w.tokens[clinician] = s.User(t, models.RoleClinician, health)
	_, w.tokens[advocate] = s.User(t, models.RoleAdvocate, w.org)
	_, w.tokens[otherAdvocate] = s.User(t, models.RoleAdvocate, w.otherOrg)
	_, w.tokens[editor] = s.User(t, models.RoleEditor, health)
	_, w.tokens[admin] = s.User(t, models.RoleAdmin, nil)
	w.tokens[badToken] = "not-a-jwt"
	return w
}

// nextEvent waits for the next event of sub and decodes it.
func nextEvent(t *testing.T, sub *apptest.Sub) eventJSON {
	t.Helper()
	r := sub.Next(t)
	if r == nil {
		t.Fatal("the stream ended; want an event")
	}
	var got struct{ CaseEvents eventJSON }
	r.Decode(t, &got)
	return got.CaseEvents
}

// subscribeCase opens a connection with tok, subscribes to c's events and
// waits until the server has registered the subscription.
func subscribeCase(t *testing.T, s *apptest.Server, tok string, c *models.Case, already int) *apptest.Sub {
	t.Helper()
	sub := s.Dial(t, tok).Subscribe(t, caseEventsDoc, map[string]any{"id": c.ID.String()})
	s.WaitSubscribers(t, live.CaseTopic(c.ID), already+1)
	return sub
}

// postMessage adds a message to c through the API and returns its event id.
func postMessage(t *testing.T, s *apptest.Server, tok string, c *models.Case, body string, visible bool) string {
	t.Helper()
	return apptest.Str(t, addMessage(t, s, tok, c, body, &visible).MustOK(t), "addCaseMessage.id")
}

// TestCaseEventsSubscription streams a case's new events over
// graphql-transport-ws to whoever may read the case: its patient only the
// events visible to patients, an advocate of its organization and an ADMIN all.
func TestCaseEventsSubscription(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	w := subscriberWorld(t, s)
	c := insertCase(t, s, w.patient, w.org, models.CaseSubmitted)

	patientSub := subscribeCase(t, s, w.tokens[owner], c, 0)
	advocateSub := subscribeCase(t, s, w.tokens[advocate], c, 1)
	adminSub := subscribeCase(t, s, w.tokens[admin], c, 2)

	internal := postMessage(t, s, w.tokens[advocate], c, "Internal: check the lease date.", false)
	visible := postMessage(t, s, w.tokens[advocate], c, "We received your documents.", true)
	s.Do(t, w.tokens[advocate], `mutation($id: ID!) { updateCaseStatus(input: {caseId: $id, status: RECEIVED}) { id } }`,
		map[string]any{"id": c.ID.String()}).MustOK(t)

	t.Run("PatientGetsVisibleEventsOnly", func(t *testing.T) {
		// Events arrive in commit order: had the internal message been
		// delivered, it would come before the visible one.
		got := nextEvent(t, patientSub)
		if got.ID != visible || got.CaseID != c.ID.String() || got.Kind != "MESSAGE" || !got.VisibleToPatient ||
			got.Message == nil || *got.Message != "We received your documents." {
			t.Fatalf("first event = %+v, want the visible message %s", got, visible)
		}
		if got := nextEvent(t, patientSub); got.Kind != "STATUS_CHANGED" {
			t.Fatalf("second event = %+v, want STATUS_CHANGED", got)
		}
	})
	for name, sub := range map[string]*apptest.Sub{"AdvocateOfTheOrganization": advocateSub, "Admin": adminSub} {
		t.Run(name+"GetsEveryEvent", func(t *testing.T) {
			if got := nextEvent(t, sub); got.ID != internal || got.VisibleToPatient {
				t.Fatalf("first event = %+v, want the internal message %s", got, internal)
			}
			if got := nextEvent(t, sub); got.ID != visible {
				t.Fatalf("second event = %+v, want %s", got, visible)
			}
			if got := nextEvent(t, sub); got.Kind != "STATUS_CHANGED" {
				t.Fatalf("third event = %+v", got)
			}
		})
	}
}

// TestCaseEventsRefused answers a subscription to a case the caller may not
// read with NOT_FOUND, and one without a valid token with UNAUTHENTICATED,
// as GraphQL errors at subscribe time.
func TestCaseEventsRefused(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	w := subscriberWorld(t, s)
	c := insertCase(t, s, w.patient, w.org, models.CaseSubmitted)
	for _, tc := range []struct{ caller, code string }{
		{anonymous, unauth}, {badToken, unauth}, {otherPatient, nf}, {clinician, nf}, {otherAdvocate, nf}, {editor, nf},
	} {
		t.Run(tc.caller, func(t *testing.T) {
			t.Parallel()
			sub := s.Dial(t, w.tokens[tc.caller]).Subscribe(t, caseEventsDoc, map[string]any{"id": c.ID.String()})
			r := sub.Next(t)
			if r == nil {
				t.Fatal("the stream ended without an error")
			}
			r.MustCode(t, tc.code)
			sub.MustEnd(t)
		})
	}
	t.Run("NotFoundForUnknownCase", func(t *testing.T) {
		t.Parallel()
		sub := s.Dial(t, w.tokens[admin]).Subscribe(t, caseEventsDoc, map[string]any{"id": "not-a-uuid"})
		sub.Next(t).MustCode(t, nf)
	})
}

// TestCaseEventsAudited records a subscription by staff, and each event
// delivered to them, as reads of the case; the patient's are not audited.
func TestCaseEventsAudited(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	w := subscriberWorld(t, s)
	c := insertCase(t, s, w.patient, w.org, models.CaseSubmitted)
	reads := func() int64 {
		return countWhere(t, s, &models.AuditEntry{}, "entity_type = ? AND entity_id = ? AND action = ?", cases.EntityCase, c.ID, audit.ActionRead)
	}
	patientSub := subscribeCase(t, s, w.tokens[owner], c, 0)
	nextBy := func(sub *apptest.Sub) { nextEvent(t, sub) }
	if n := reads(); n != 0 {
		t.Fatalf("the patient's subscription wrote %d read entries", n)
	}
	postMessage(t, s, w.tokens[owner], c, "Here is my notice.", true)
	nextBy(patientSub)
	if n := reads(); n != 0 {
		t.Fatalf("a delivery to the patient wrote %d read entries", n)
	}
	advocateSub := subscribeCase(t, s, w.tokens[advocate], c, 1)
	if n := reads(); n != 1 {
		t.Fatalf("after the advocate subscribed: %d read entries, want 1", n)
	}
	postMessage(t, s, w.tokens[owner], c, "And my lease.", true)
	nextBy(patientSub)
	nextBy(advocateSub)
	if n := reads(); n != 2 {
		t.Fatalf("after one delivery to the advocate: %d read entries, want 2", n)
	}
}

// TestCaseEventsEndWhenAccessIsLost ends an advocate's stream when the case
// moves to another organization, authorizing at delivery, not only at
// subscribe time.
func TestCaseEventsEndWhenAccessIsLost(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	w := subscriberWorld(t, s)
	c := insertCase(t, s, w.patient, w.org, models.CaseSubmitted)
	advocateSub := subscribeCase(t, s, w.tokens[advocate], c, 0)
	if err := s.DB.Model(c).Update("organization_id", w.otherOrg.ID).Error; err != nil {
		t.Fatal(err)
	}
	postMessage(t, s, w.tokens[owner], c, "Anyone there?", true)
	advocateSub.MustEnd(t)
}

// TestCaseEventsAcrossInstances delivers an event written through one server
// instance to a subscriber connected to another on the same database: the
// signal travels through PostgreSQL's NOTIFY, not through process memory.
func TestCaseEventsAcrossInstances(t *testing.T) {
	t.Parallel()
	a := apptest.New(t)
	b := apptest.New(t) // a second app with its own hub and listener, same database
	w := subscriberWorld(t, a)
	c := insertCase(t, a, w.patient, w.org, models.CaseSubmitted)
	sub := subscribeCase(t, b, w.tokens[owner], c, 0)
	if n := a.App.Listener.Hub().Count(live.CaseTopic(c.ID)); n != 0 {
		t.Fatalf("instance A has %d subscribers of the case", n)
	}
	id := postMessage(t, a, w.tokens[advocate], c, "Hello from instance A.", true)
	if got := nextEvent(t, sub); got.ID != id {
		t.Fatalf("got %+v, want event %s", got, id)
	}
}

// TestSubscriptionsEndWithTheSession ends the streams of a session when it is
// revoked (logout) or its user disabled, and the websocket when the access
// token expires.
func TestSubscriptionsEndWithTheSession(t *testing.T) {
	t.Parallel()
	t.Run("Logout", func(t *testing.T) {
		t.Parallel()
		s := apptest.New(t)
		w := subscriberWorld(t, s)
		c := insertCase(t, s, w.patient, w.org, models.CaseSubmitted)
		var login struct {
			Login struct{ AccessToken, RefreshToken string }
		}
		s.Do(t, "", `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }`,
			map[string]any{"e": w.patient.Email, "p": apptest.Password}).Decode(t, &login)
		sub := subscribeCase(t, s, login.Login.AccessToken, c, 0)
		s.Do(t, login.Login.AccessToken, `mutation($r: String!) { logout(refreshToken: $r) }`,
			map[string]any{"r": login.Login.RefreshToken}).MustOK(t)
		sub.MustEnd(t)
	})
	t.Run("UserDisabled", func(t *testing.T) {
		t.Parallel()
		s := apptest.New(t)
		w := subscriberWorld(t, s)
		c := insertCase(t, s, w.patient, w.org, models.CaseSubmitted)
		sub := subscribeCase(t, s, w.tokens[owner], c, 0)
		s.Do(t, w.tokens[admin], `mutation($id: ID!) { disableUser(id: $id) { id } }`,
			map[string]any{"id": w.patient.ID.String()}).MustOK(t)
		sub.MustEnd(t)
	})
	t.Run("AccessTokenExpiry", func(t *testing.T) {
		t.Parallel()
		// Tokens are issued at the clock's start; the clock then jumps to
		// 2 seconds before they expire.
		var offset atomic.Int64
		s := apptest.New(t, apptest.WithClock(func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }))
		w := subscriberWorld(t, s)
		c := insertCase(t, s, w.patient, w.org, models.CaseSubmitted)
		offset.Store(int64(15*time.Minute - 2*time.Second))
		ws := s.Dial(t, w.tokens[owner])
		sub := ws.Subscribe(t, caseEventsDoc, map[string]any{"id": c.ID.String()})
		s.WaitSubscribers(t, live.CaseTopic(c.ID), 1)
		sub.MustEnd(t)
		ws.Closed(t)
	})
}

// TestSocketAuthentication: a websocket's caller is the token of its
// connection_init, checked again for every operation it starts.
func TestSocketAuthentication(t *testing.T) {
	t.Parallel()
	t.Run("UpgradeHeaderIsNotConnectionInit", func(t *testing.T) {
		t.Parallel()
		s := apptest.New(t)
		w := subscriberWorld(t, s)
		c := insertCase(t, s, w.patient, w.org, models.CaseSubmitted)
		ws := s.DialWithHeader(t, http.Header{"Authorization": {"Bearer " + w.tokens[owner]}}, "")
		sub := ws.Subscribe(t, caseEventsDoc, map[string]any{"id": c.ID.String()})
		if r := sub.Next(t); r == nil || r.Code() != "UNAUTHENTICATED" {
			t.Fatalf("a socket without connection_init authorization is anonymous, got %+v", r)
		}
	})
	t.Run("RevokedSessionStartsNothingMore", func(t *testing.T) {
		t.Parallel()
		s := apptest.New(t)
		w := subscriberWorld(t, s)
		c := insertCase(t, s, w.patient, w.org, models.CaseSubmitted)
		var login struct {
			Login struct{ AccessToken, RefreshToken string }
		}
		s.Do(t, "", `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }`,
			map[string]any{"e": w.patient.Email, "p": apptest.Password}).Decode(t, &login)
		ws := s.Dial(t, login.Login.AccessToken)
		first := ws.Subscribe(t, caseEventsDoc, map[string]any{"id": c.ID.String()})
		s.WaitSubscribers(t, live.CaseTopic(c.ID), 1)
		s.Do(t, login.Login.AccessToken, `mutation($r: String!) { logout(refreshToken: $r) }`,
			map[string]any{"r": login.Login.RefreshToken}).MustOK(t)
		first.MustEnd(t)
		again := ws.Subscribe(t, caseEventsDoc, map[string]any{"id": c.ID.String()})
		if r := again.Next(t); r == nil || r.Code() != "UNAUTHENTICATED" {
			t.Fatalf("a subscription on the socket of a revoked session: got %+v, want UNAUTHENTICATED", r)
		}
		query := ws.Subscribe(t, `query { myCases(first: 1) { totalCount } }`, nil)
		if r := query.Next(t); r == nil || r.Code() != "UNAUTHENTICATED" {
			t.Fatalf("a query on the socket of a revoked session: got %+v, want UNAUTHENTICATED", r)
		}
	})
}

// TestCaseEventsEndWhenTheAdvocateMoves ends an advocate's stream when the
// advocate moves to another organization, at the next event, not when the
// socket's token expires.
func TestCaseEventsEndWhenTheAdvocateMoves(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	w := subscriberWorld(t, s)
	c := insertCase(t, s, w.patient, w.org, models.CaseSubmitted)
	mover, tok := s.User(t, models.RoleAdvocate, w.org)
	sub := subscribeCase(t, s, tok, c, 0)
	if err := s.DB.Model(mover).Update("organization_id", w.otherOrg.ID).Error; err != nil {
		t.Fatal(err)
	}
	postMessage(t, s, w.tokens[owner], c, "Is anyone there?", true)
	sub.MustEnd(t)
}
