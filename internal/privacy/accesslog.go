package privacy

import (
	"context"
	"strconv"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/internal/database"
	"mlp/internal/page"
	"mlp/models"
)

// entityCase is the audit trail's entity type of cases (cases.EntityCase).
const entityCase = "Case"

// accessLogRoles are the roles whose entries a case's access log shows:
// staff. The patient's own actions are theirs to know.
var accessLogRoles = []models.Role{models.RoleClinician, models.RoleAdvocate, models.RoleEditor, models.RoleAdmin}

// AccessLogs returns, for each key (a case and a page), that page of the
// case's access log: every read and change of the case by staff, newest first,
// as the organization and role of whoever did it and when, never who. It reads
// the audit trail, so nothing the audit recorded is missing. The case's
// patient and ADMINs may read it; results and errors line up with keys.
// Keys with the same page size and cursor (a list of cases, each with its
// log) are read with one statement.
// Errors per key: UNAUTHENTICATED, FORBIDDEN (staff but ADMIN), NOT_FOUND
// (another patient's case, or no such case), BAD_USER_INPUT (first, after).
func (s *Service) AccessLogs(ctx context.Context, keys []page.Key) ([]page.Page[*models.AccessLogEntry], []error) {
	pages := make([]page.Page[*models.AccessLogEntry], len(keys))
	errs := make([]error, len(keys))
	fail := func(err error) ([]page.Page[*models.AccessLogEntry], []error) {
		for i := range errs {
			errs[i] = err
		}
		return pages, errs
	}
	p, err := Policy.Authorize(ctx, "AccessLogs")
	if err != nil {
		return fail(err)
	}
	db := s.db.WithContext(ctx)
	ids := make([]uuid.UUID, len(keys))
	for i, k := range keys {
		ids[i] = k.Of
	}
	q := db.Model(&models.Case{}).Where("id IN ?", ids)
	if !p.Is(models.RoleAdmin) {
		q = q.Where("patient_id = ?", p.ID)
	}
	var visible []uuid.UUID
	if err := q.Pluck("id", &visible).Error; err != nil {
		return fail(err)
	}
	seen := make(map[uuid.UUID]bool, len(visible))
	for _, id := range visible {
		seen[id] = true
	}

	type group struct {
		limit int
		after []string
		keys  []int
	}
	groups := map[string]*group{}
	for i, k := range keys {
		if !seen[k.Of] {
			errs[i] = models.NotFound("Case")
			continue
		}
		a := k.Args()
		limit, err := a.Limit()
		var cur []string
		if err == nil {
			cur, err = a.Cursor(2)
		}
		if err == nil && cur != nil {
			_, _, err = page.TimeCursor(cur[0], cur[1])
		}
		if err != nil {
			errs[i] = err
			continue
		}
		gk := strconv.Itoa(limit) + "|" + k.After
		if groups[gk] == nil {
			groups[gk] = &group{limit: limit, after: cur}
		}
		groups[gk].keys = append(groups[gk].keys, i)
	}
	for _, g := range groups {
		cases := make([]uuid.UUID, len(g.keys))
		for j, i := range g.keys {
			cases[j] = keys[i].Of
		}
		byCase, err := s.accessEntries(db, cases, g.limit, g.after)
		var totals map[uuid.UUID]int
		if err == nil && keys[g.keys[0]].WithTotal {
			totals, err = s.countAccess(db, cases)
		}
		for _, i := range g.keys {
			if err != nil {
				errs[i] = err
				continue
			}
			id := keys[i].Of
			pages[i] = page.Trim(byCase[id], g.limit, func(e *models.AccessLogEntry) string { return page.TimeKey(e.At, e.ID) })
			pages[i].Total = totals[id]
		}
	}
	return pages, errs
}

// accessEntries reads up to limit+1 entries of each case's log, after the
// cursor (limit -1: every entry), with one LATERAL statement over the audit
// trail's index by entity.
func (s *Service) accessEntries(db *gorm.DB, ids []uuid.UUID, limit int, after []string) (map[uuid.UUID][]*models.AccessLogEntry, error) {
	where := "e.entity_type = ? AND e.entity_id = k.id AND e.actor_role IN ?"
	vars := []any{database.UUIDArray(ids), entityCase, accessLogRoles}
	if after != nil {
		at, id, _ := page.TimeCursor(after[0], after[1])
		where += " AND (e.at, e.id) < (?, ?)"
		vars = append(vars, at, id)
	}
	lim := "ALL"
	if limit >= 0 {
		lim = strconv.Itoa(limit + 1)
	}
	rows, err := db.Raw(`SELECT k.id, a.id, a.name, a.actor_role, a.action, a.at
		FROM unnest(?::uuid[]) AS k(id)
		CROSS JOIN LATERAL (
			SELECT e.id, o.name, e.actor_role, e.action, e.at
			FROM audit_entries e LEFT JOIN organizations o ON o.id = e.actor_organization_id
			WHERE `+where+`
			ORDER BY e.at DESC, e.id DESC LIMIT `+lim+`) a`, vars...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[uuid.UUID][]*models.AccessLogEntry{}
	for rows.Next() {
		var caseID uuid.UUID
		var action string
		e := &models.AccessLogEntry{}
		if err := rows.Scan(&caseID, &e.ID, &e.OrganizationName, &e.Role, &action, &e.At); err != nil {
			return nil, err
		}
		e.Action = models.AccessChange
		if action == "READ" {
			e.Action = models.AccessRead
		}
		out[caseID] = append(out[caseID], e)
	}
	return out, rows.Err()
}

// countAccess counts the entries of each case's log.
func (s *Service) countAccess(db *gorm.DB, ids []uuid.UUID) (map[uuid.UUID]int, error) {
	var rows []struct {
		EntityID uuid.UUID
		N        int
	}
	err := db.Model(&models.AuditEntry{}).Select("entity_id, count(*) AS n").
		Where("entity_type = ? AND entity_id IN ? AND actor_role IN ?", entityCase, ids, accessLogRoles).
		Group("entity_id").Scan(&rows).Error
	out := make(map[uuid.UUID]int, len(rows))
	for _, r := range rows {
		out[r.EntityID] = r.N
	}
	return out, err
}
