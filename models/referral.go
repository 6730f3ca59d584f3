package models

import (
	"time"

	"github.com/google/uuid"
)

// ReferralTTL is how long a referral's code can be claimed.
const ReferralTTL = 30 * 24 * time.Hour

// ReferralStatus is where a referral is in its life.
type ReferralStatus string

// The referral statuses of the contract. EXPIRED is never stored: a SENT
// referral past its ExpiresAt reads as EXPIRED (see Referral.StatusAt).
const (
	ReferralSent      ReferralStatus = "SENT"
	ReferralClaimed   ReferralStatus = "CLAIMED"
	ReferralClosed    ReferralStatus = "CLOSED"
	ReferralCancelled ReferralStatus = "CANCELLED"
	ReferralExpired   ReferralStatus = "EXPIRED"
)

// IsValid reports whether s is a known status.
func (s ReferralStatus) IsValid() bool {
	return oneOf(s, []ReferralStatus{ReferralSent, ReferralClaimed, ReferralClosed, ReferralCancelled, ReferralExpired})
}

// ScreeningDomain is one of the five domains of the I-HELP social-needs screen.
type ScreeningDomain string

// The I-HELP domains of the contract.
const (
	DomainIncome                     ScreeningDomain = "INCOME"
	DomainHousingAndUtilities        ScreeningDomain = "HOUSING_AND_UTILITIES"
	DomainEducationAndEmployment     ScreeningDomain = "EDUCATION_AND_EMPLOYMENT"
	DomainLegalStatus                ScreeningDomain = "LEGAL_STATUS"
	DomainPersonalAndFamilyStability ScreeningDomain = "PERSONAL_AND_FAMILY_STABILITY"
)

// AllScreeningDomains lists every domain in contract order.
var AllScreeningDomains = []ScreeningDomain{
	DomainIncome, DomainHousingAndUtilities, DomainEducationAndEmployment, DomainLegalStatus, DomainPersonalAndFamilyStability,
}

// IsValid reports whether d is one of AllScreeningDomains.
func (d ScreeningDomain) IsValid() bool { return oneOf(d, AllScreeningDomains) }

// ScreeningAnswer is the answer to one I-HELP domain; it is both the GraphQL
// ScreeningAnswer and ScreeningAnswerInput, and an element of the referral's
// screening jsonb column.
type ScreeningAnswer struct {
	Domain   ScreeningDomain `json:"domain"`
	Positive bool            `json:"positive"`
	Note     *string         `json:"note,omitempty"`
}

// Referral is a clinician's referral of a patient to the legal partner. The
// one-time code is stored only as CodeHash; PlainCode carries it in the answer
// to referPatient and is never written.
type Referral struct {
	ID uuid.UUID `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	// CodeHash is the keyed hash of the normalised code (see referrals.HashCode).
	CodeHash []byte `gorm:"not null"`
	// CodeHint is the code's last four characters, for the masked code.
	CodeHint string `gorm:"not null"`
	// Status is the stored status: SENT, CLAIMED, CLOSED or CANCELLED. Read it
	// through StatusAt, which turns an expired SENT referral into EXPIRED.
	Status         ReferralStatus `gorm:"type:text;not null"`
	ClinicianID    uuid.UUID      `gorm:"type:uuid;not null"`
	OrganizationID *uuid.UUID     `gorm:"type:uuid"`
	// PatientLabel is a first name or initials, as the clinician entered them.
	PatientLabel string          `gorm:"not null"`
	Categories   []LegalCategory `gorm:"type:text[];serializer:textarray;not null"`
	// Screening holds the I-HELP answers, each domain at most once.
	Screening []*ScreeningAnswer `gorm:"type:jsonb;serializer:json;not null"`
	// Notes are for the legal team: the case's advocates see them once the
	// patient has claimed the referral.
	Notes                 *string
	Jurisdiction          string `gorm:"not null"`
	Deadline              *Date
	RecommendedGuideSlugs []string `gorm:"type:text[];serializer:textarray;not null"`
	// IdempotencyKey is the clinician's key of the submission, if any.
	IdempotencyKey *string
	ClaimedByID    *uuid.UUID `gorm:"column:claimed_by;type:uuid"`
	ClaimedAt      *time.Time
	ClosedAt       *time.Time
	CancelledAt    *time.Time
	ExpiresAt      time.Time `gorm:"not null"`
	CreatedAt      time.Time `gorm:"not null"`
	UpdatedAt      time.Time `gorm:"not null"`

	// PlainCode is the code in plain text, set only on the referral that
	// referPatient returns.
	PlainCode string `gorm:"-"`
}

// StatusAt returns the status of the referral at time now: a SENT referral
// whose code has expired is EXPIRED. Every read goes through it.
func (r *Referral) StatusAt(now time.Time) ReferralStatus {
	if r.Status == ReferralSent && !now.Before(r.ExpiresAt) {
		return ReferralExpired
	}
	return r.Status
}

// ReferralStatusSQL is StatusAt as a SQL text expression over the referral's
// status and expires_at columns and now (a timestamptz expression), for the
// compiled reads: the same rule, written once here.
func ReferralStatusSQL(status, expiresAt, now string) string {
	return "CASE WHEN " + status + " = '" + string(ReferralSent) + "' AND NOT (" + now + " < " + expiresAt +
		") THEN '" + string(ReferralExpired) + "' ELSE " + status + " END"
}

// ReferPatientInput is what a clinician gives to refer a patient.
type ReferPatientInput struct {
	// IdempotencyKey, when given, identifies the submission: referring again
	// with the same key returns the first referral (and its code).
	IdempotencyKey        *string
	PatientLabel          string
	Categories            []LegalCategory
	Screening             []*ScreeningAnswer
	Notes                 *string
	Jurisdiction          string
	Deadline              *Date
	RecommendedGuideSlugs []string
}

// ClaimReferralInput is what a patient gives to claim a referral.
type ClaimReferralInput struct {
	Code                    string
	Description             string
	ConsentToShare          bool
	ShareStatusWithReferrer bool
	// ZipCode is where the patient lives, optional (see OpenCase).
	ZipCode *string
}

func init() {
	register(&Referral{})
}

// Patient returns the patient who claimed the referral, or uuid.Nil before
// the claim; the recommended guides come in that patient's language.
func (r *Referral) Patient() uuid.UUID {
	if r.ClaimedByID == nil {
		return uuid.Nil
	}
	return *r.ClaimedByID
}
