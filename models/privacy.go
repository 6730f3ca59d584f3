package models

import (
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

// SafeContact is how a patient may safely be reached ("call only after 6 pm,
// say you are from the clinic"); it is both the GraphQL SafeContact and
// SafeContactInput.
type SafeContact struct {
	Channels []ContactMethod
	// SafeHoursStart and SafeHoursEnd are "HH:MM", the patient's local time;
	// a window may pass midnight ("21:00" to "07:00").
	SafeHoursStart *string
	SafeHoursEnd   *string
	VoicemailOk    bool
	Note           *string
	// TimeZone is the IANA zone the patient chose (User.TimeZone), which
	// the safe hours are read in; nil: their latest case's state's main
	// zone. Output only (UpdateMyProfileInput.timeZone sets it).
	TimeZone *string
}

// SafeContactOf returns u's safe contact, nil when they set none.
func SafeContactOf(u *User) *SafeContact {
	if len(u.SafeContactChannels) == 0 {
		return nil
	}
	return &SafeContact{Channels: u.SafeContactChannels, SafeHoursStart: u.SafeHoursStart, SafeHoursEnd: u.SafeHoursEnd,
		VoicemailOk: u.SafeVoicemailOK, Note: u.SafeContactNote, TimeZone: u.TimeZone}
}

// Allows reports whether channel may be used to reach the patient.
func (s *SafeContact) Allows(channel ContactMethod) bool {
	return s == nil || oneOf(channel, s.Channels)
}

// WithinSafeHours reports whether local (the patient's local time) is inside
// the safe hours; always true without them. The push worker asks it before
// sending, and holds a push until it is true.
func (s *SafeContact) WithinSafeHours(local time.Time) bool {
	if s == nil || s.SafeHoursStart == nil || s.SafeHoursEnd == nil {
		return true
	}
	now := local.Format("15:04")
	from, to := *s.SafeHoursStart, *s.SafeHoursEnd
	if from <= to {
		return now >= from && now < to
	}
	return now >= from || now < to
}

// SafeFrom returns the first instant at or after now when a push may reach
// the patient: now inside their safe hours (or without any), else the next
// opening of the window, read on the wall clock of loc (the patient's time
// zone; a window may pass midnight, and a DST change moves the instant, not
// the local time).
func (s *SafeContact) SafeFrom(now time.Time, loc *time.Location) time.Time {
	local := now.In(loc)
	if s.WithinSafeHours(local) {
		return now
	}
	start, err := time.Parse("15:04", *s.SafeHoursStart)
	if err != nil {
		return now // the database's CHECK keeps HH:MM; never hold on a bad value
	}
	open := time.Date(local.Year(), local.Month(), local.Day(), start.Hour(), start.Minute(), 0, 0, loc)
	if !open.After(local) {
		open = time.Date(local.Year(), local.Month(), local.Day()+1, start.Hour(), start.Minute(), 0, 0, loc)
	}
	return open.UTC()
}

// Validate checks a safe contact given as input under field.
// Errors: BAD_USER_INPUT (field.channels, field.safeHoursStart, field.safeHoursEnd, field.note).
func (s *SafeContact) Validate(field string) error {
	if len(s.Channels) == 0 {
		return InvalidField(field+".channels", "Choose at least one way to reach you.")
	}
	for _, c := range s.Channels {
		if !c.IsValid() {
			return InvalidField(field+".channels", "Unknown contact channel.")
		}
	}
	for name, v := range map[string]*string{"safeHoursStart": s.SafeHoursStart, "safeHoursEnd": s.SafeHoursEnd} {
		if v == nil {
			continue
		}
		if t, err := time.Parse("15:04", *v); err != nil || t.Format("15:04") != *v {
			return InvalidField(field+"."+name, "Give a time as HH:MM, e.g. 18:00.")
		}
	}
	if (s.SafeHoursStart == nil) != (s.SafeHoursEnd == nil) {
		return InvalidField(field+".safeHoursEnd", "Give both the start and the end of the safe hours.")
	}
	if s.SafeHoursStart != nil && *s.SafeHoursStart == *s.SafeHoursEnd {
		return InvalidField(field+".safeHoursEnd", "The safe hours must end at another time than they start.")
	}
	s.Note = Trimmed(s.Note)
	if s.Note != nil && len([]rune(*s.Note)) > 500 {
		return InvalidField(field+".note", "Keep the note under 500 characters.")
	}
	return nil
}
