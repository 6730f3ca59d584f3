package models

import (
	"io"
	"time"

	"github.com/google/uuid"
)

// AccessAction is what a staff member did to a case, as its access log shows.
type AccessAction string

// The access log's actions.
const (
	AccessRead   AccessAction = "READ"
	AccessChange AccessAction = "CHANGE"
)

// IsValid reports whether a is READ or CHANGE.
func (a AccessAction) IsValid() bool { return oneOf(a, []AccessAction{AccessRead, AccessChange}) }

// MarshalGQL writes the action as a GraphQL enum.
func (a AccessAction) MarshalGQL(w io.Writer) { marshalEnum(a, w) }

// UnmarshalGQL reads a GraphQL enum value.
func (a *AccessAction) UnmarshalGQL(v any) error { return unmarshalEnum(v, a) }

// AccessLogEntry is one staff read or change of a case, as its patient sees
// it: the organization and role of whoever did it, never who. It is read from
// the audit trail (ID is the audit entry's).
type AccessLogEntry struct {
	ID uuid.UUID
	// OrganizationName is the organization the staff member acted for; nil
	// for the partnership's administrators (and entries older than the
	// organization's recording).
	OrganizationName *string
	Role             Role
	Action           AccessAction
	At               time.Time
}

// AccountDeletion is the answer to deleteMyAccount.
type AccountDeletion struct {
	ErasedAt time.Time
	// CasesKeptOnLegalHold counts the cases whose description and messages
	// were kept because an ADMIN holds them.
	CasesKeptOnLegalHold int
}

// LegalHold is an ADMIN's hold on a case.
type LegalHold struct {
	Reason string
	Since  time.Time
}

// ErasedText replaces erased free text where a column must hold some.
const ErasedText = "[erased]"
