package accounts

import (
	"mlp/internal/auth"
	"mlp/models"
)

// Policy is who may call each method of the accounts service.
var Policy = auth.Policy{
	"CreateOrganization":    auth.Roles(models.RoleAdmin),
	"CreateStaffUser":       auth.Roles(models.RoleAdmin),
	"UpdateOrganization":    auth.Roles(models.RoleAdmin),
	"SetDisabled":           auth.Roles(models.RoleAdmin),
	"Organizations":         auth.Roles(models.RoleAdmin),
	"Users":                 auth.Roles(models.RoleAdmin),
	"LegalPartners":         auth.Open,
	"Me":                    auth.Public,
	"UpdateMyProfile":       auth.SignedIn,
	"ChangePassword":        auth.SignedIn,
	"RequestPasswordReset":  auth.Credentials,
	"ResetPassword":         auth.Credentials,
	"UsersByID":             auth.Internal("the user loader, behind fields of objects the caller has read"),
	"OrganizationsByID":     auth.Internal("the organization loader, behind fields of objects the caller has read"),
	"DisabledAt":            auth.Internal("a field of a user the caller has read; hides by caller"),
	"DiscreetNotifications": auth.Internal("a field of a user the caller has read; hides by caller"),
	"HealthSystemID":        auth.Internal("a field of a user the caller has read; hides by caller"),
	"OnServesMore":          auth.Internal("wiring at start-up: a hook run when an organization serves more"),
	"EnsureAdmin":           auth.Internal("start-up: the bootstrap admin, as the system"),
	"UseRecovery":           auth.Internal("wiring at start-up: password reset's outbox, limiter, key and link"),
	"ResetEmailWorker":      auth.Internal("wiring at start-up: the outbox worker of reset emails, run as the system"),
	"AdminExists":           auth.Internal("start-up: whether an ADMIN exists, as the system"),
}
