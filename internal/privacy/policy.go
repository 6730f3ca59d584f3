package privacy

import (
	"mlp/internal/auth"
	"mlp/models"
)

// Policy is who may call each method of the privacy service (role x
// operation). The object half: a case's access log is its patient's (and
// an ADMIN's); a safe contact is its owner's and the advocates' of an
// organization working one of their cases; export and erasure are always of
// the caller.
var Policy = auth.Policy{
	"AccessLogs":       auth.Roles(models.RolePatient, models.RoleAdmin),
	"ExportMyData":     auth.Roles(models.RolePatient),
	"DeleteMyAccount":  auth.Roles(models.RolePatient),
	"SetLegalHold":     auth.Roles(models.RoleAdmin),
	"ReleaseLegalHold": auth.Roles(models.RoleAdmin),
	"CaseSafeContact":  auth.SignedIn,
	"UserSafeContact":  auth.SignedIn,
	"LegalHold":        auth.Internal("a field of a case the caller has read; hides from all but ADMINs"),
	"UseCases":         auth.Internal("wiring: the case service's withdrawal, run inside the erasure's unit of work"),
	"ExportHandler":    auth.Internal("the HTTP door of ExportMyData, which authorizes"),
}
