package models

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// CaseStatus is where a case is in its life; see CanMoveTo for the moves.
type CaseStatus string

// The case statuses of the contract.
const (
	CaseSubmitted        CaseStatus = "SUBMITTED"
	CaseReceived         CaseStatus = "RECEIVED"
	CaseAccepted         CaseStatus = "ACCEPTED"
	CaseInProgress       CaseStatus = "IN_PROGRESS"
	CaseWaitingOnPatient CaseStatus = "WAITING_ON_PATIENT"
	CaseResolved         CaseStatus = "RESOLVED"
	CaseUnresolved       CaseStatus = "UNRESOLVED"
	CaseDeclined         CaseStatus = "DECLINED"
	CaseWithdrawn        CaseStatus = "WITHDRAWN"
)

// AllCaseStatuses lists every status in contract order.
var AllCaseStatuses = []CaseStatus{
	CaseSubmitted, CaseReceived, CaseAccepted, CaseInProgress, CaseWaitingOnPatient,
	CaseResolved, CaseUnresolved, CaseDeclined, CaseWithdrawn,
}

// FinalCaseStatuses are the statuses a case never leaves.
var FinalCaseStatuses = []CaseStatus{CaseResolved, CaseUnresolved, CaseDeclined, CaseWithdrawn}

// caseTransitions is the contract's transition table: the statuses each status
// may move to. Final statuses have none.
var caseTransitions = map[CaseStatus][]CaseStatus{
	CaseSubmitted:        {CaseReceived, CaseDeclined, CaseWithdrawn},
	CaseReceived:         {CaseAccepted, CaseDeclined, CaseWaitingOnPatient, CaseWithdrawn},
	CaseAccepted:         {CaseInProgress, CaseWithdrawn},
	CaseInProgress:       {CaseWaitingOnPatient, CaseResolved, CaseUnresolved, CaseWithdrawn},
	CaseWaitingOnPatient: {CaseReceived, CaseInProgress, CaseUnresolved, CaseWithdrawn},
}

// IsValid reports whether s is one of AllCaseStatuses.
func (s CaseStatus) IsValid() bool { return oneOf(s, AllCaseStatuses) }

// IsFinal reports whether s is RESOLVED, UNRESOLVED, DECLINED or WITHDRAWN.
func (s CaseStatus) IsFinal() bool { return oneOf(s, FinalCaseStatuses) }

// CanMoveTo reports whether a case in status s may move to next when the
// caller has role: the move must be in the transition table, only a PATIENT
// withdraws, and only an ADVOCATE or ADMIN makes the other moves. Whether the
// caller is the case's patient or one of its organization's advocates is the
// service's check.
func (s CaseStatus) CanMoveTo(next CaseStatus, role Role) bool {
	if !oneOf(next, caseTransitions[s]) {
		return false
	}
	if next == CaseWithdrawn {
		return role == RolePatient
	}
	return role == RoleAdvocate || role == RoleAdmin
}

// FhirTaskStatus returns the FHIR Task.status of a case in status s, from the
// value set of the HL7 SDOH Clinical Care guide (which has no "received").
func (s CaseStatus) FhirTaskStatus() string {
	switch s {
	case CaseSubmitted, CaseReceived:
		return "requested"
	case CaseAccepted:
		return "accepted"
	case CaseInProgress:
		return "in-progress"
	case CaseWaitingOnPatient:
		return "on-hold"
	case CaseResolved:
		return "completed"
	case CaseUnresolved:
		return "failed"
	case CaseDeclined:
		return "rejected"
	case CaseWithdrawn:
		return "cancelled"
	}
	return "requested"
}

// ContactMethod is how a patient prefers to be reached.
type ContactMethod string

// The contact methods of the contract.
const (
	ContactApp   ContactMethod = "APP"
	ContactPhone ContactMethod = "PHONE"
	ContactSMS   ContactMethod = "SMS"
	ContactEmail ContactMethod = "EMAIL"
)

// IsValid reports whether m is a known contact method.
func (m ContactMethod) IsValid() bool {
	return oneOf(m, []ContactMethod{ContactApp, ContactPhone, ContactSMS, ContactEmail})
}

// UrgentWithin is how close a deadline makes a case urgent.
const UrgentWithin = 14 * 24 * time.Hour

// Case is a patient's request for legal help and its life.
type Case struct {
	ID             uuid.UUID     `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	Reference      string        `gorm:"not null"`
	PatientID      uuid.UUID     `gorm:"type:uuid;not null"`
	IdempotencyKey string        `gorm:"not null"`
	Category       LegalCategory `gorm:"type:text;not null"`
	Description    string        `gorm:"not null"`
	Status         CaseStatus    `gorm:"type:text;not null"`
	Jurisdiction   string        `gorm:"not null"`
	Deadline       *Date
	// PreferredContact is how the patient wants to be reached, if they said.
	PreferredContact   *ContactMethod `gorm:"type:text"`
	HouseholdSize      *int
	MonthlyIncomeCents *int64
	// ZipCode is the ZIP code the patient gave, if any; Counties are its
	// counties (FIPS codes) inside Jurisdiction, empty without a ZIP code.
	ZipCode  *string
	Counties []string `gorm:"type:text[];serializer:textarray;not null"`
	// HealthSystemID is the health system whose partner the case goes to
	// first: the referring clinician's, or the patient's at intake.
	HealthSystemID *uuid.UUID `gorm:"type:uuid"`
	// OrganizationID is the legal-aid partner the case was routed to; nil
	// while no partner serves the jurisdiction and category.
	OrganizationID     *uuid.UUID `gorm:"type:uuid"`
	AssignedAdvocateID *uuid.UUID `gorm:"type:uuid"`
	// ReferralID is the referral the case was opened from, if any.
	ReferralID *uuid.UUID `gorm:"type:uuid"`
	// LegalHoldReason and LegalHoldAt are set while an ADMIN holds the case
	// (litigation, a subpoena): erasing the patient keeps its description
	// and messages.
	LegalHoldReason *string
	LegalHoldAt     *time.Time
	LegalHoldByID   *uuid.UUID `gorm:"column:legal_hold_by;type:uuid"`
	// Version increments on every change (optimistic concurrency).
	Version   int       `gorm:"not null"`
	CreatedAt time.Time `gorm:"not null"`
	UpdatedAt time.Time `gorm:"not null"`
}

// FhirTaskStatus returns the FHIR Task.status of the case.
func (c *Case) FhirTaskStatus() string { return c.Status.FhirTaskStatus() }

// Urgent reports whether the case's deadline is 14 days away or less (today
// in UTC counts as 0 days), or has already passed while the case is open.
func (c *Case) Urgent(now time.Time) bool {
	if c.Deadline == nil {
		return false
	}
	today := NewDate(now.UTC())
	if c.Deadline.Before(today.Time) {
		return !c.Status.IsFinal()
	}
	return !c.Deadline.After(today.Add(UrgentWithin))
}

// CaseEventKind is what a timeline event records.
type CaseEventKind string

// The event kinds of the contract.
const (
	EventCreated         CaseEventKind = "CREATED"
	EventStatusChanged   CaseEventKind = "STATUS_CHANGED"
	EventAssigned        CaseEventKind = "ASSIGNED"
	EventMessage         CaseEventKind = "MESSAGE"
	EventOutcomeRecorded CaseEventKind = "OUTCOME_RECORDED"
	// EventRouted: a case that waited for a partner was routed to one.
	EventRouted CaseEventKind = "ROUTED"
	// EventTransferred: an advocate passed the case to another partner.
	EventTransferred CaseEventKind = "TRANSFERRED"
	// EventDeadlineChanged: an advocate recorded, moved or cleared the
	// case's deadline (setCaseDeadline).
	EventDeadlineChanged CaseEventKind = "DEADLINE_CHANGED"
)

// IsValid reports whether k is a known kind.
func (k CaseEventKind) IsValid() bool {
	return oneOf(k, []CaseEventKind{EventCreated, EventStatusChanged, EventAssigned, EventMessage, EventOutcomeRecorded, EventRouted, EventTransferred, EventDeadlineChanged})
}

// CaseEvent is one entry of a case's timeline. Events are only ever appended;
// their ids are UUIDv7, so that events of the same instant keep their order.
type CaseEvent struct {
	ID         uuid.UUID     `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	CaseID     uuid.UUID     `gorm:"type:uuid;not null"`
	Kind       CaseEventKind `gorm:"type:text;not null"`
	FromStatus *CaseStatus   `gorm:"type:text"`
	ToStatus   *CaseStatus   `gorm:"type:text"`
	// Message is plain-language text for the reader: a status note, a message.
	Message *string
	// ActorID is who caused the event; nil for the system.
	ActorID          *uuid.UUID `gorm:"type:uuid"`
	ActorRole        *Role      `gorm:"type:text"`
	VisibleToPatient bool       `gorm:"not null"`
	CreatedAt        time.Time  `gorm:"not null"`
}

// OutcomeCode is what a closed case achieved for the patient.
type OutcomeCode string

// The outcome codes of the contract.
const (
	OutcomeEvictionPrevented         OutcomeCode = "EVICTION_PREVENTED"
	OutcomeHousingConditionsImproved OutcomeCode = "HOUSING_CONDITIONS_IMPROVED"
	OutcomeBenefitsObtained          OutcomeCode = "BENEFITS_OBTAINED"
	OutcomeBenefitsIncreased         OutcomeCode = "BENEFITS_INCREASED"
	OutcomeDebtRelieved              OutcomeCode = "DEBT_RELIEVED"
	OutcomeEmploymentIssueResolved   OutcomeCode = "EMPLOYMENT_ISSUE_RESOLVED"
	OutcomeEducationServicesObtained OutcomeCode = "EDUCATION_SERVICES_OBTAINED"
	OutcomeAdviceAndCounsel          OutcomeCode = "ADVICE_AND_COUNSEL"
	OutcomeReferredElsewhere         OutcomeCode = "REFERRED_ELSEWHERE"
	OutcomeOther                     OutcomeCode = "OTHER"
)

// AllOutcomeCodes lists every outcome code in contract order.
var AllOutcomeCodes = []OutcomeCode{
	OutcomeEvictionPrevented, OutcomeHousingConditionsImproved, OutcomeBenefitsObtained,
	OutcomeBenefitsIncreased, OutcomeDebtRelieved, OutcomeEmploymentIssueResolved,
	OutcomeEducationServicesObtained, OutcomeAdviceAndCounsel, OutcomeReferredElsewhere, OutcomeOther,
}

// IsValid reports whether c is one of AllOutcomeCodes.
func (c OutcomeCode) IsValid() bool { return oneOf(c, AllOutcomeCodes) }

// CaseOutcome is what a RESOLVED or UNRESOLVED case achieved; one per case,
// recording it again replaces it.
type CaseOutcome struct {
	CaseID uuid.UUID   `gorm:"type:uuid;primaryKey"`
	Code   OutcomeCode `gorm:"type:text;not null"`
	// BenefitAmountCents is money obtained or saved for the patient.
	BenefitAmountCents *int64
	Notes              *string
	// NotesVisibleToPatient marks the notes for the patient; otherwise they
	// are internal to the case's staff (see NotesFor).
	NotesVisibleToPatient bool       `gorm:"not null"`
	RecordedByID          *uuid.UUID `gorm:"type:uuid"`
	RecordedAt            time.Time  `gorm:"not null"`
}

// NotesFor returns the outcome's notes as a reader of role sees them: a
// PATIENT only notes marked for them, staff always.
func (o *CaseOutcome) NotesFor(role Role) *string {
	if role == RolePatient && !o.NotesVisibleToPatient {
		return nil
	}
	return o.Notes
}

// ConsentScope is what a patient agreed to share.
type ConsentScope string

// The consent scopes of the contract.
const (
	ConsentShareWithLegalPartner   ConsentScope = "SHARE_WITH_LEGAL_PARTNER"
	ConsentShareStatusWithReferrer ConsentScope = "SHARE_STATUS_WITH_REFERRER"
)

// ConsentTextVersions are the versions of the consent texts the apps show
// today, by scope; a Consent records the one the patient agreed to.
var ConsentTextVersions = map[ConsentScope]string{
	ConsentShareWithLegalPartner:   "share-with-legal-partner/2026-01",
	ConsentShareStatusWithReferrer: "share-status-with-referrer/2026-01",
}

// IsValid reports whether s is a known scope.
func (s ConsentScope) IsValid() bool {
	return oneOf(s, []ConsentScope{ConsentShareWithLegalPartner, ConsentShareStatusWithReferrer})
}

// Consent is a patient's recorded agreement to share, optionally about one
// case. A revoked consent keeps its row with RevokedAt set.
type Consent struct {
	ID          uuid.UUID    `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	PatientID   uuid.UUID    `gorm:"type:uuid;not null"`
	Scope       ConsentScope `gorm:"type:text;not null"`
	TextVersion string       `gorm:"not null"`
	CaseID      *uuid.UUID   `gorm:"type:uuid"`
	GrantedAt   time.Time    `gorm:"not null"`
	RevokedAt   *time.Time
}

// Active reports whether the consent stands (has not been revoked).
func (c *Consent) Active() bool { return c.RevokedAt == nil }

// RequestLegalHelpInput is what a patient gives to ask for legal help.
type RequestLegalHelpInput struct {
	IdempotencyKey     string
	Category           LegalCategory
	Description        string
	Jurisdiction       string
	Deadline           *Date
	PreferredContact   *ContactMethod
	ConsentToShare     bool
	HouseholdSize      *int
	MonthlyIncomeCents *int64
	// ZipCode is where the patient lives, optional: routing uses its county.
	ZipCode *string
}

// UpdateCaseStatusInput moves a case to another status.
type UpdateCaseStatusInput struct {
	CaseID           string
	Status           CaseStatus
	Note             *string
	VisibleToPatient *bool
	ExpectedVersion  *int
}

// CaseOutcomeInput records the outcome of a closed case.
type CaseOutcomeInput struct {
	CaseID             string
	Code               OutcomeCode
	BenefitAmountCents *int64
	Notes              *string
	// NotesVisibleToPatient shows the notes to the patient; default false.
	NotesVisibleToPatient *bool
}

// CaseQueueFilter narrows an advocate's queue.
type CaseQueueFilter struct {
	Status       []CaseStatus
	Category     *LegalCategory
	UrgentOnly   *bool
	AssignedToMe *bool
}

// CaseFilter narrows the ADMIN's list of every organization's cases
// (Query.cases); nil fields do not filter.
type CaseFilter struct {
	Status []CaseStatus
	// OrganizationID is the legal-aid organization the cases are routed to.
	OrganizationID *string
	Category       *LegalCategory
}

func init() {
	register(&Case{}, &CaseEvent{}, &CaseOutcome{}, &Consent{})
}

// FhirTaskStatusSQL returns a SQL expression, over the case status column
// expression status, that is the JSON string of the case's FHIR Task.status:
// the table of FhirTaskStatus, generated from it, for the compiled reads.
func FhirTaskStatusSQL(status string) string {
	var b strings.Builder
	b.WriteString("CASE " + status)
	for _, s := range AllCaseStatuses {
		fmt.Fprintf(&b, ` WHEN '%s' THEN '"%s"'`, s, s.FhirTaskStatus())
	}
	fmt.Fprintf(&b, ` ELSE '"%s"' END`, CaseStatus("").FhirTaskStatus())
	return b.String()
}

// UrgentSQL returns a SQL condition, over the column expressions deadline
// and status and a date expression today (the service clock's day in UTC),
// that holds when Case.Urgent does: the rule of Urgent, with its window
// (UrgentWithin) and the final statuses, for the compiled reads. A test holds
// the two to the same answers.
func UrgentSQL(deadline, status, today string) string {
	finals := make([]string, len(FinalCaseStatuses))
	for i, s := range FinalCaseStatuses {
		finals[i] = "'" + string(s) + "'"
	}
	days := int(UrgentWithin / (24 * time.Hour))
	return fmt.Sprintf("(%[1]s IS NOT NULL AND CASE WHEN %[1]s < %[3]s THEN %[2]s NOT IN (%[4]s) ELSE %[1]s <= %[3]s + %[5]d END)",
		deadline, status, today, strings.Join(finals, ", "), days)
}
