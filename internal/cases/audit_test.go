package cases_test

import (
	"testing"

	"mlp/internal/apptest"
	"mlp/models"
)

func TestAudit(t *testing.T) {
	s := apptest.New(t)
	t.Parallel() // after New: dbtest.Open is not safe for concurrent first use
	w := newWorld(t, s)
	entries := func(t *testing.T, c *models.Case, action string) int64 {
		t.Helper()
		return countWhere(t, s, &models.AuditEntry{}, "entity_type = 'Case' AND entity_id = ? AND action = ?", c.ID, action)
	}
	const read = `query($id: ID!) { case(id: $id) { id } }`

	t.Run("ReadByStaffIsAudited", func(t *testing.T) {
		t.Parallel()
		// An organization of its own: its queue lists no other subtest's case.
		org := s.Org(t, models.OrgLegalAid, []string{"CA"})
		_, adv := s.User(t, models.RoleAdvocate, org)
		c := insertCase(t, s, w.patient, org, models.CaseSubmitted)
		s.Do(t, w.tokens[owner], read, map[string]any{"id": c.ID.String()}).MustOK(t)
		if n := entries(t, c, "READ"); n != 0 {
			t.Fatalf("the patient's own read was audited (%d)", n)
		}
		s.Do(t, adv, read, map[string]any{"id": c.ID.String()}).MustOK(t)
		s.Do(t, w.tokens[admin], read, map[string]any{"id": c.ID.String()}).MustOK(t)
		s.Do(t, adv, `{ caseQueue(first: 100) { edges { node { id } } } }`, nil).MustOK(t)
		if n := entries(t, c, "READ"); n != 3 {
			t.Fatalf("READ entries = %d, want 3", n)
		}
	})

	t.Run("ChangesAreAudited", func(t *testing.T) {
		t.Parallel()
		c := insertCase(t, s, w.patient, w.org, models.CaseSubmitted)
		s.Do(t, w.tokens[advocate], updateStatus, map[string]any{"in": map[string]any{"caseId": c.ID.String(), "status": "RECEIVED"}}).MustOK(t)
		addMessage(t, s, w.tokens[owner], c, "Thanks.", nil).MustOK(t)
		s.Do(t, w.tokens[owner], `mutation($id: ID!) { withdrawCase(caseId: $id) { id } }`, map[string]any{"id": c.ID.String()}).MustOK(t)
		if n := entries(t, c, "UPDATE"); n != 3 {
			t.Fatalf("UPDATE entries = %d, want 3", n)
		}
	})

	t.Run("AuditLogNewestFirstFiltered", func(t *testing.T) {
		t.Parallel()
		// An organization of its own: the other subtests' queue reads stay out.
		org := s.Org(t, models.OrgLegalAid, []string{"CA"})
		_, adv := s.User(t, models.RoleAdvocate, org)
		c := insertCase(t, s, w.patient, org, models.CaseSubmitted)
		s.Do(t, adv, read, map[string]any{"id": c.ID.String()}).MustOK(t)
		s.Do(t, adv, updateStatus, map[string]any{"in": map[string]any{"caseId": c.ID.String(), "status": "RECEIVED"}}).MustOK(t)
		var got struct {
			AuditLog struct {
				Edges []struct {
					Node struct {
						Action, EntityType, EntityID, At string
						Actor                            struct{ Role string }
					}
				}
				TotalCount int
			}
		}
		s.Do(t, w.tokens[admin], `query($id: ID!, $t: String) { auditLog(entityType: $t, entityId: $id, first: 10) {
		  edges { node { action entityType entityId at actor { role } } } totalCount } }`,
			map[string]any{"id": c.ID.String(), "t": "Case"}).Decode(t, &got)
		e := got.AuditLog.Edges
		if got.AuditLog.TotalCount != 2 || len(e) != 2 || e[0].Node.Action != "UPDATE" || e[1].Node.Action != "READ" ||
			e[0].Node.EntityID != c.ID.String() || e[0].Node.Actor.Role != "ADVOCATE" || e[0].Node.At < e[1].Node.At {
			t.Fatalf("audit log = %+v", got.AuditLog)
		}
		r := s.Do(t, w.tokens[admin], `{ auditLog(actorId: "x") { totalCount } }`, nil).MustCode(t, "BAD_USER_INPUT")
		if r.Field() != "actorId" {
			t.Fatalf("field = %q", r.Field())
		}
	})

	t.Run("EntriesAreAppendOnly", func(t *testing.T) {
		t.Parallel()
		c := insertCase(t, s, w.patient, w.org, models.CaseResolved) // closed: in no queue
		s.Do(t, w.tokens[admin], read, map[string]any{"id": c.ID.String()}).MustOK(t)
		if err := s.DB.Exec(`UPDATE audit_entries SET action = 'NOTHING' WHERE entity_id = ?`, c.ID).Error; err == nil {
			t.Fatal("an audit entry was updated")
		}
		if err := s.DB.Exec(`DELETE FROM audit_entries WHERE entity_id = ?`, c.ID).Error; err == nil {
			t.Fatal("an audit entry was deleted")
		}
		if n := entries(t, c, "READ"); n != 1 {
			t.Fatalf("READ entries = %d, want 1", n)
		}
	})
}
