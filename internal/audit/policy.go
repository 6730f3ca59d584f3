package audit

import (
	"mlp/internal/auth"
	"mlp/models"
)

// Policy is who may call each method of the audit log reader.
var Policy = auth.Policy{
	"List": auth.Roles(models.RoleAdmin),
}
