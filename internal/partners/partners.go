// Package partners holds who takes which cases: the partnerships that pair a
// health system with a legal-aid partner (createPartnership,
// updatePartnership, endPartnership, partnerships), the capacity of a
// legal-aid organization per category (setCapacity, Organization.capacity)
// and the public list of health systems a patient chooses from. Changes that
// may let a partner take cases that wait for one enqueue the cases service's
// route-waiting job in the same transaction.
package partners

import (
	"context"
	"errors"
	"slices"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"mlp/internal/accounts"
	"mlp/internal/audit"
	"mlp/internal/auth"
	"mlp/internal/cases"
	"mlp/internal/clock"
	"mlp/internal/geo"
	"mlp/internal/unit"
	"mlp/models"
)

// Audit entity types of the package.
const (
	EntityPartnership = "Partnership"
	EntityCapacity    = "OrganizationCapacity"
)

// Service is the partners service.
type Service struct {
	db    *gorm.DB
	clock clock.Clock
	cases *cases.Service
}

// NewService returns the partners service; clk is the application's clock,
// cs routes the cases that wait for a partner after a change.
func NewService(db *gorm.DB, clk clock.Clock, cs *cases.Service) *Service {
	return &Service{db: db, clock: clk, cases: cs}
}

// PartnershipFilter narrows Partnerships.
type PartnershipFilter struct {
	HealthSystemID *string
	LegalAidID     *string
	// IncludeEnded lists ended partnerships too.
	IncludeEnded bool
}

// Partnerships lists partnerships, newest first, active ones only unless
// f.IncludeEnded. ADMIN.
// Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT (healthSystemId, legalAidId).
func (s *Service) Partnerships(ctx context.Context, f PartnershipFilter) ([]*models.Partnership, error) {
	if _, err := Policy.Authorize(ctx, "Partnerships"); err != nil {
		return nil, err
	}
	q := s.db.WithContext(ctx).Order("created_at DESC, id DESC")
	hs, err := models.OrganizationIDFilter("healthSystemId", f.HealthSystemID)
	if err != nil {
		return nil, err
	}
	la, err := models.OrganizationIDFilter("legalAidId", f.LegalAidID)
	if err != nil {
		return nil, err
	}
	if hs != nil {
		q = q.Where("health_system_id = ?", *hs)
	}
	if la != nil {
		q = q.Where("legal_aid_id = ?", *la)
	}
	if !f.IncludeEnded {
		q = q.Where("ended_at IS NULL")
	}
	var out []*models.Partnership
	return out, q.Find(&out).Error
}

// CreatePartnership pairs a HEALTH_SYSTEM with a LEGAL_AID organization for
// the categories and service areas given. A partner serves at least what it
// promised: areas and categories the legal-aid organization did not list are
// added to its own. Cases that waited for a partner are routed after it
// commits. ADMIN.
// Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT (input.healthSystemId,
// input.legalAidId, input.categories, input.serviceAreas), CONFLICT (the pair
// already has an active partnership).
func (s *Service) CreatePartnership(ctx context.Context, in models.CreatePartnershipInput) (*models.Partnership, error) {
	p, err := Policy.Authorize(ctx, "CreatePartnership")
	if err != nil {
		return nil, err
	}
	cats, err := categories("input.categories", in.Categories)
	if err != nil {
		return nil, err
	}
	areas, err := accounts.ServiceAreas("input.serviceAreas", in.ServiceAreas)
	if err != nil {
		return nil, err
	}
	var ps *models.Partnership
	err = unit.Do(ctx, s.db, s.clock, p, func(w *unit.Work) error {
		tx := w.Tx
		hs, err := organization(tx, "input.healthSystemId", in.HealthSystemID, models.OrgHealthSystem)
		if err != nil {
			return err
		}
		la, err := organization(tx, "input.legalAidId", in.LegalAidID, models.OrgLegalAid)
		if err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&models.Partnership{}).Where("health_system_id = ? AND legal_aid_id = ? AND ended_at IS NULL", hs.ID, la.ID).
			Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return models.Errorf(models.ECONFLICT, "These organizations already have a partnership: change it instead.")
		}
		ps = &models.Partnership{ID: uuid.Must(uuid.NewV7()), HealthSystemID: hs.ID, LegalAidID: la.ID, Categories: cats, ServiceAreas: areas, Version: 1}
		if err := tx.Create(ps).Error; err != nil {
			return err
		}
		if err := s.servesPromise(tx, p, la, ps); err != nil {
			return err
		}
		if err := audit.Record(tx, p, audit.ActionCreate, EntityPartnership, &ps.ID); err != nil {
			return err
		}
		return s.cases.EnqueueRouting(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	return ps, nil
}

// UpdatePartnership changes the categories or service areas of an active
// partnership (nil ones stay), as CreatePartnership makes them. ADMIN.
// Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT
// (input.categories, input.serviceAreas), CONFLICT (an ended partnership, a
// stale input.expectedVersion).
func (s *Service) UpdatePartnership(ctx context.Context, in models.UpdatePartnershipInput) (*models.Partnership, error) {
	p, err := Policy.Authorize(ctx, "UpdatePartnership")
	if err != nil {
		return nil, err
	}
	var cats []models.LegalCategory
	var areas []string
	if in.Categories != nil {
		if cats, err = categories("input.categories", in.Categories); err != nil {
			return nil, err
		}
	}
	if in.ServiceAreas != nil {
		if areas, err = accounts.ServiceAreas("input.serviceAreas", in.ServiceAreas); err != nil {
			return nil, err
		}
	}
	return s.change(ctx, p, in.ID, in.ExpectedVersion, func(tx *gorm.DB, ps *models.Partnership) error {
		if cats != nil {
			ps.Categories = cats
		}
		if areas != nil {
			ps.ServiceAreas = areas
		}
		la, err := organization(tx, "input.legalAidId", ps.LegalAidID.String(), models.OrgLegalAid)
		if err != nil {
			return err
		}
		if err := s.servesPromise(tx, p, la, ps); err != nil {
			return err
		}
		if err := tx.Model(ps).Select("categories", "service_areas").Updates(ps).Error; err != nil {
			return err
		}
		return s.cases.EnqueueRouting(tx.Statement.Context, tx)
	})
}

// EndPartnership ends an active partnership: its health system's patients no
// longer go to that partner first (the partner keeps its cases and its own
// service areas). The row stays for the record. ADMIN.
// Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT (already ended).
func (s *Service) EndPartnership(ctx context.Context, id string) (*models.Partnership, error) {
	p, err := Policy.Authorize(ctx, "EndPartnership")
	if err != nil {
		return nil, err
	}
	return s.change(ctx, p, id, nil, func(tx *gorm.DB, ps *models.Partnership) error {
		now := tx.NowFunc()
		ps.EndedAt = &now
		return tx.Model(ps).Update("ended_at", now).Error
	})
}

// change locks active partnership id in a transaction, checks the expected
// version, runs fn, bumps the version and audits the change.
func (s *Service) change(ctx context.Context, p *auth.Principal, id string, expected *int, fn func(tx *gorm.DB, ps *models.Partnership) error) (*models.Partnership, error) {
	pid, err := uuid.Parse(id)
	if err != nil {
		return nil, models.NotFound("Partnership")
	}
	var ps models.Partnership
	err = unit.Do(ctx, s.db, s.clock, p, func(w *unit.Work) error {
		tx := w.Tx
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&ps, "id = ?", pid).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return models.NotFound("Partnership")
		}
		if err != nil {
			return err
		}
		if !ps.Active() {
			return models.Errorf(models.ECONFLICT, "This partnership has ended.")
		}
		if expected != nil && *expected != ps.Version {
			return models.Errorf(models.ECONFLICT, "The partnership changed since you loaded it (version %d, now %d). Reload and try again.", *expected, ps.Version)
		}
		if err := fn(tx, &ps); err != nil {
			return err
		}
		ps.Version++
		ps.UpdatedAt = tx.NowFunc()
		if err := tx.Model(&ps).Updates(map[string]any{"version": ps.Version, "updated_at": ps.UpdatedAt}).Error; err != nil {
			return err
		}
		return audit.Record(tx, p, audit.ActionUpdate, EntityPartnership, &ps.ID)
	})
	if err != nil {
		return nil, err
	}
	return &ps, nil
}

// servesPromise adds to legal-aid organization la the areas and categories of
// partnership ps that it does not take yet, and audits that change of la.
func (s *Service) servesPromise(tx *gorm.DB, p *auth.Principal, la *models.Organization, ps *models.Partnership) error {
	areas, cats := slices.Clone(la.ServiceAreas), slices.Clone(la.Categories)
	for _, a := range ps.ServiceAreas {
		if !geo.Covers(areas, []string{a}) {
			areas = append(areas, a)
		}
	}
	for _, c := range ps.Categories {
		if !slices.Contains(cats, c) {
			cats = append(cats, c)
		}
	}
	if len(areas) == len(la.ServiceAreas) && len(cats) == len(la.Categories) {
		return nil
	}
	la.ServiceAreas, la.Categories = areas, cats
	if err := tx.Model(la).Select("service_areas", "categories").Updates(la).Error; err != nil {
		return err
	}
	return audit.Record(tx, p, audit.ActionUpdate, "Organization", &la.ID)
}

// organization reads organization id of kind, locked for the transaction.
// Errors: BAD_USER_INPUT (field) for a malformed id, an unknown organization
// or another kind.
func organization(tx *gorm.DB, field, id string, kind models.OrganizationKind) (*models.Organization, error) {
	bad := func() error {
		if kind == models.OrgLegalAid {
			return models.InvalidField(field, "Choose a legal-aid organization.")
		}
		return models.InvalidField(field, "Choose a health system.")
	}
	u, err := uuid.Parse(id)
	if err != nil {
		return nil, bad()
	}
	var o models.Organization
	err = tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&o, "id = ?", u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && o.Kind != kind) {
		return nil, bad()
	}
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// categories validates a non-empty list of categories and drops repeats.
func categories(field string, in []models.LegalCategory) ([]models.LegalCategory, error) {
	out := make([]models.LegalCategory, 0, len(in))
	for _, c := range in {
		if !c.IsValid() {
			return nil, models.InvalidField(field, "Choose from the legal categories.")
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, models.InvalidField(field, "Choose at least one legal category.")
	}
	return out, nil
}

// HealthSystems lists the HEALTH_SYSTEM organizations by name, for a patient
// to choose theirs. Public.
func (s *Service) HealthSystems(ctx context.Context) ([]*models.Organization, error) {
	if _, err := Policy.Authorize(ctx, "HealthSystems"); err != nil {
		return nil, err
	}
	var out []*models.Organization
	return out, s.db.WithContext(ctx).Where("kind = ?", models.OrgHealthSystem).Order("name").Find(&out).Error
}
