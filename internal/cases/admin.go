package cases

import (
	"context"
	"time"

	"github.com/google/uuid"

	"mlp/internal/audit"
	"mlp/internal/page"
	"mlp/internal/unit"
	"mlp/models"
)

// Cases lists the cases of every organization for an ADMIN's support work,
// newest first, narrowed by f: statuses, the legal-aid organization they are
// routed to, a category. It reads through Visible like every case query (an
// ADMIN sees every case), and each listed case's read is audited in the
// read's transaction, as Case's is.
// Errors: UNAUTHENTICATED, FORBIDDEN (not an ADMIN), BAD_USER_INPUT
// (filter.status, filter.organizationId, filter.category, first, after).
func (s *Service) Cases(ctx context.Context, f *models.CaseFilter, args page.Args) (page.Page[*models.Case], error) {
	var none page.Page[*models.Case]
	p, err := Policy.Authorize(ctx, "Cases")
	if err != nil {
		return none, err
	}
	if f == nil {
		f = &models.CaseFilter{}
	}
	if !validStatuses(f.Status) {
		return none, models.InvalidField("filter.status", "Unknown case status.")
	}
	if f.Category != nil && !f.Category.IsValid() {
		return none, models.InvalidField("filter.category", "Unknown legal category.")
	}
	org, err := models.OrganizationIDFilter("filter.organizationId", f.OrganizationID)
	if err != nil {
		return none, err
	}
	var pg page.Page[*models.Case]
	err = unit.Do(ctx, s.db, s.clock, p, func(w *unit.Work) error {
		q := w.Tx.Model(&models.Case{}).Scopes(Visible(p, "cases").Scope)
		if len(f.Status) > 0 {
			q = q.Where("cases.status IN ?", f.Status)
		}
		if org != nil {
			q = q.Where("cases.organization_id = ?", *org)
		}
		if f.Category != nil {
			q = q.Where("cases.category = ?", *f.Category)
		}
		var err error
		pg, err = page.Newest(q, args, "cases.created_at", func(c *models.Case) (time.Time, uuid.UUID) { return c.CreatedAt, c.ID })
		if err != nil {
			return err
		}
		ids := make([]uuid.UUID, len(pg.Items))
		for i, c := range pg.Items {
			ids[i] = c.ID
		}
		return audit.RecordEach(w.Tx, p, audit.ActionRead, EntityCase, ids)
	})
	if err != nil {
		return none, err
	}
	return pg, nil
}
