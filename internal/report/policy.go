package report

import (
	"mlp/internal/auth"
	"mlp/models"
)

// Policy is who may call each method of the report service: reports are
// for ADMINs (evaluators), of the whole partnership or one organization.
var Policy = auth.Policy{
	"PartnershipReport": auth.Roles(models.RoleAdmin),
	"CSVHandler":        auth.Internal("the HTTP door of PartnershipReport, which authorizes"),
}
