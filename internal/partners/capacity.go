package partners

import (
	"context"
	"errors"
	"slices"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"mlp/internal/audit"
	"mlp/internal/unit"
	"mlp/models"
)

// SetCapacity sets what legal-aid organization orgID can take now in one
// category: ACCEPTING, WAITLIST with the expected wait in days (1 to
// models.MaxWaitDays), or NOT_ACCEPTING (routing skips it). For an ADVOCATE of
// that organization or an ADMIN. When the category opens (anything but
// NOT_ACCEPTING), cases that waited for a partner are routed after it commits.
// Errors: UNAUTHENTICATED, FORBIDDEN (an advocate of another organization),
// NOT_FOUND (organization), BAD_USER_INPUT (organizationId: not LEGAL_AID;
// category: not one it takes; status; waitDays).
func (s *Service) SetCapacity(ctx context.Context, orgID string, cat models.LegalCategory, status models.CapacityStatus, waitDays *int) (*models.Organization, error) {
	p, err := Policy.Authorize(ctx, "SetCapacity")
	if err != nil {
		return nil, err
	}
	oid, err := uuid.Parse(orgID)
	if err != nil {
		return nil, models.NotFound("Organization")
	}
	if !mayManageCapacity(p, &models.Organization{ID: oid}) {
		return nil, models.ErrForbidden
	}
	if !status.IsValid() {
		return nil, models.InvalidField("status", "Choose ACCEPTING, WAITLIST or NOT_ACCEPTING.")
	}
	switch {
	case status == models.CapacityWaitlist && (waitDays == nil || *waitDays < 1 || *waitDays > models.MaxWaitDays):
		return nil, models.InvalidField("waitDays", "Give the expected wait of a waiting list, 1 to %d days.", models.MaxWaitDays)
	case status != models.CapacityWaitlist && waitDays != nil:
		return nil, models.InvalidField("waitDays", "Only a waiting list has an expected wait.")
	}
	var org models.Organization
	err = unit.Do(ctx, s.db, s.clock, p, func(w *unit.Work) error {
		tx := w.Tx
		err := tx.Take(&org, "id = ?", oid).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return models.NotFound("Organization")
		}
		if err != nil {
			return err
		}
		if org.Kind != models.OrgLegalAid {
			return models.InvalidField("organizationId", "Only legal-aid organizations take cases.")
		}
		if !slices.Contains(org.Categories, cat) {
			return models.InvalidField("category", "This organization does not take this category.")
		}
		c := &models.OrganizationCapacity{OrganizationID: oid, Category: cat, Status: status, WaitDays: waitDays,
			UpdatedAt: tx.NowFunc(), UpdatedBy: &p.ID}
		if err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "organization_id"}, {Name: "category"}},
			DoUpdates: clause.AssignmentColumns([]string{"status", "wait_days", "updated_at", "updated_by"}),
		}).Create(c).Error; err != nil {
			return err
		}
		if err := audit.Record(tx, p, audit.ActionUpdate, EntityCapacity, &oid); err != nil {
			return err
		}
		if status == models.CapacityNotAccepting {
			return nil
		}
		return s.cases.EnqueueRouting(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	return &org, nil
}

// CapacitiesByOrganizationID returns, for the Organization.capacity loader,
// the capacity of each category each given organization takes (ACCEPTING
// where none was set), in the order of its categories; one statement.
// Public: legalPartners shows it, so that a clinician sees it before
// referring.
func (s *Service) CapacitiesByOrganizationID(ctx context.Context, ids []uuid.UUID) ([]*models.OrganizationCapacity, error) {
	if _, err := Policy.Authorize(ctx, "CapacitiesByOrganizationID"); err != nil {
		return nil, err
	}
	var out []*models.OrganizationCapacity
	err := s.db.WithContext(ctx).Raw(`SELECT o.id AS organization_id, c.category,
			coalesce(cap.status, 'ACCEPTING') AS status, cap.wait_days, coalesce(cap.updated_at, o.created_at) AS updated_at, cap.updated_by
		FROM organizations o
		CROSS JOIN LATERAL unnest(o.categories) WITH ORDINALITY AS c (category, n)
		LEFT JOIN organization_capacities cap ON cap.organization_id = o.id AND cap.category = c.category
		WHERE o.id IN ? AND o.kind = ?
		ORDER BY o.id, c.n`, ids, models.OrgLegalAid).Scan(&out).Error
	return out, err
}
