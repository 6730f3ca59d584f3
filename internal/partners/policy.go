package partners

import (
	"mlp/internal/auth"
	"mlp/models"
)

// Policy is who may call each method of the partners service (role x
// operation). The object half: SetCapacity admits an ADVOCATE only for their
// own organization (mayManageCapacity).
var Policy = auth.Policy{
	"Partnerships":               auth.Roles(models.RoleAdmin),
	"CreatePartnership":          auth.Roles(models.RoleAdmin),
	"UpdatePartnership":          auth.Roles(models.RoleAdmin),
	"EndPartnership":             auth.Roles(models.RoleAdmin),
	"SetCapacity":                auth.Roles(models.RoleAdvocate, models.RoleAdmin),
	"HealthSystems":              auth.Open,
	"CapacitiesByOrganizationID": auth.Open,
}

// mayManageCapacity reports whether p may set the capacity of organization
// org: an ADMIN, or an ADVOCATE of it.
func mayManageCapacity(p *auth.Principal, org *models.Organization) bool {
	return p.Is(models.RoleAdmin) || (p.Is(models.RoleAdvocate) && p.InOrganization(&org.ID))
}
