package models

import (
	"time"

	"github.com/google/uuid"
)

// Partnership pairs a HEALTH_SYSTEM organization with a LEGAL_AID one: the
// health system's patients of its service areas and categories go to that
// partner first. An ended partnership (EndedAt set) no longer routes and stays
// for the record.
type Partnership struct {
	ID             uuid.UUID       `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	HealthSystemID uuid.UUID       `gorm:"type:uuid;not null"`
	LegalAidID     uuid.UUID       `gorm:"type:uuid;not null"`
	Categories     []LegalCategory `gorm:"type:text[];serializer:textarray;not null"`
	// ServiceAreas are state codes and county FIPS codes (see internal/geo).
	ServiceAreas []string `gorm:"type:text[];serializer:textarray;not null"`
	// Version increments on every change (optimistic concurrency).
	Version   int       `gorm:"not null"`
	CreatedAt time.Time `gorm:"not null"`
	UpdatedAt time.Time `gorm:"not null"`
	EndedAt   *time.Time
}

// Active reports whether the partnership still routes cases.
func (p *Partnership) Active() bool { return p.EndedAt == nil }

// CapacityStatus says whether a legal-aid organization takes new cases of a
// category: the capacity codes of the HL7 SDOH Clinical Care IG (capacity,
// waitlist, no-capacity).
type CapacityStatus string

// The capacity statuses.
const (
	CapacityAccepting    CapacityStatus = "ACCEPTING"
	CapacityWaitlist     CapacityStatus = "WAITLIST"
	CapacityNotAccepting CapacityStatus = "NOT_ACCEPTING"
)

// IsValid reports whether s is a known status.
func (s CapacityStatus) IsValid() bool {
	return oneOf(s, []CapacityStatus{CapacityAccepting, CapacityWaitlist, CapacityNotAccepting})
}

// MaxWaitDays is the longest expected wait a WAITLIST capacity may state.
const MaxWaitDays = 365

// OrganizationCapacity is what a legal-aid organization can take now in one
// category. A category without a row is ACCEPTING.
type OrganizationCapacity struct {
	OrganizationID uuid.UUID      `gorm:"type:uuid;primaryKey"`
	Category       LegalCategory  `gorm:"type:text;primaryKey"`
	Status         CapacityStatus `gorm:"type:text;not null"`
	// WaitDays is the expected wait of a WAITLIST, in days; nil otherwise.
	WaitDays  *int
	UpdatedAt time.Time  `gorm:"not null"`
	UpdatedBy *uuid.UUID `gorm:"type:uuid"`
}

// OrganizationOpenCases is one of the 64 counters whose sum is how many open
// cases a legal-aid organization has, kept by a trigger on cases (routing's
// tie-break); a case's id picks its counter, so that concurrent new cases of
// one partner do not queue on one row.
type OrganizationOpenCases struct {
	OrganizationID uuid.UUID `gorm:"type:uuid;primaryKey"`
	Shard          int16     `gorm:"primaryKey;autoIncrement:false"`
	OpenCases      int       `gorm:"not null"`
}

// TableName is organization_open_cases.
func (OrganizationOpenCases) TableName() string { return "organization_open_cases" }

func init() {
	register(&Partnership{}, &OrganizationCapacity{}, &OrganizationOpenCases{})
}

// CreatePartnershipInput pairs a health system with a legal-aid partner.
type CreatePartnershipInput struct {
	HealthSystemID string
	LegalAidID     string
	Categories     []LegalCategory
	ServiceAreas   []string
}

// UpdatePartnershipInput changes an active partnership; nil fields stay.
type UpdatePartnershipInput struct {
	ID              string
	Categories      []LegalCategory
	ServiceAreas    []string
	ExpectedVersion *int
}

// UpdateOrganizationInput changes an organization; nil fields stay, an empty
// phone or website clears it.
type UpdateOrganizationInput struct {
	ID           string
	Name         *string
	Phone        *string
	Website      *string
	ServiceAreas []string
	Categories   []LegalCategory
}
