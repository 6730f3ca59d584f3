// Package audit records who read or changed what. Entries are written in the
// transaction of the change they record and are append-only in the database.
package audit

import (
	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/internal/auth"
	"mlp/models"
)

// Actions recorded in the audit log.
const (
	ActionRead   = "READ"
	ActionCreate = "CREATE"
	ActionUpdate = "UPDATE"
)

// Record appends an entry to the audit log inside tx. actor may be nil for the
// system itself (start-up bootstrap, sweeps).
func Record(tx *gorm.DB, actor *auth.Principal, action, entityType string, entityID *uuid.UUID) error {
	e := models.AuditEntry{Action: action, EntityType: entityType, EntityID: entityID, At: tx.NowFunc()}
	setActor(&e, actor)
	return tx.Create(&e).Error
}

// setActor records actor (nil for the system) on e: who, in which role, for
// which organization.
func setActor(e *models.AuditEntry, actor *auth.Principal) {
	if actor == nil {
		return
	}
	role := actor.Role
	e.ActorID, e.ActorRole, e.ActorOrganizationID = &actor.ID, &role, actor.OrganizationID
}
