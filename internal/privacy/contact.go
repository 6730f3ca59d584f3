package privacy

import (
	"context"

	"mlp/models"
)

// CaseSafeContact returns the safe contact of case c's patient to an
// ADVOCATE of the organization c is routed to; nil for everyone else, ADMINs
// included, and when the patient set none.
func (s *Service) CaseSafeContact(ctx context.Context, c *models.Case) (*models.SafeContact, error) {
	p, err := Policy.Authorize(ctx, "CaseSafeContact")
	if err != nil {
		return nil, err
	}
	if !p.Is(models.RoleAdvocate) || !p.InOrganization(c.OrganizationID) {
		return nil, nil
	}
	var u models.User
	if err := s.db.WithContext(ctx).Take(&u, "id = ?", c.PatientID).Error; err != nil {
		return nil, err
	}
	return models.SafeContactOf(&u), nil
}

// UserSafeContact returns user u's safe contact to u and to an ADVOCATE of
// an organization that has one of u's cases; nil for everyone else, ADMINs
// included.
func (s *Service) UserSafeContact(ctx context.Context, u *models.User) (*models.SafeContact, error) {
	p, err := Policy.Authorize(ctx, "UserSafeContact")
	if err != nil {
		return nil, err
	}
	sc := models.SafeContactOf(u)
	switch {
	case sc == nil:
		return nil, nil
	case p.ID == u.ID:
		return sc, nil
	case p.Is(models.RoleAdvocate) && p.OrganizationID != nil:
		var n int64
		if err := s.db.WithContext(ctx).Model(&models.Case{}).
			Where("patient_id = ? AND organization_id = ?", u.ID, *p.OrganizationID).Limit(1).Count(&n).Error; err != nil {
			return nil, err
		}
		if n > 0 {
			return sc, nil
		}
	}
	return nil, nil
}
