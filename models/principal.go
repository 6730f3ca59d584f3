package models

import (
	"time"

	"github.com/google/uuid"
)

// Principal is the verified caller of an operation: who is asking, in which
// role, for which organization. It is a domain type so that every door (HTTP,
// websockets, a worker, a FHIR interface) hands the services the same thing;
// package auth puts it in the request's context.
type Principal struct {
	ID             uuid.UUID
	Role           Role
	OrganizationID *uuid.UUID
	SessionID      uuid.UUID
	// ExpiresAt is when the access token ends; long-lived streams
	// (subscriptions) end then too.
	ExpiresAt time.Time
	// Language is the user's preferredLanguage, the language of the texts
	// written for them in the request.
	Language string
}

// Is reports whether the caller has one of roles.
func (p *Principal) Is(roles ...Role) bool {
	if p == nil {
		return false
	}
	for _, r := range roles {
		if p.Role == r {
			return true
		}
	}
	return false
}

// InOrganization reports whether the caller belongs to organization id.
func (p *Principal) InOrganization(id *uuid.UUID) bool {
	return p != nil && id != nil && p.OrganizationID != nil && *p.OrganizationID == *id
}
