package models

import (
	"time"

	"github.com/google/uuid"
)

// Organization is a partner of the partnership: a health system or a legal-aid
// organization.
type Organization struct {
	ID           uuid.UUID        `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	Name         string           `gorm:"not null"`
	Kind         OrganizationKind `gorm:"type:text;not null"`
	ServiceAreas []string         `gorm:"type:text[];serializer:textarray;not null"`
	Categories   []LegalCategory  `gorm:"type:text[];serializer:textarray;not null"`
	Phone        *string
	Website      *string
	CreatedAt    time.Time `gorm:"not null"`
	UpdatedAt    time.Time `gorm:"not null"`
}

// User is an account: a patient who registered, or staff an admin created.
type User struct {
	ID                uuid.UUID `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	Email             string    `gorm:"not null"`
	PasswordHash      string    `gorm:"not null"`
	DisplayName       string    `gorm:"not null"`
	Role              Role      `gorm:"type:text;not null"`
	PreferredLanguage string    `gorm:"not null"`
	// DiscreetNotifications makes every push and in-app notification of
	// the user one generic text, for a phone that others see.
	DiscreetNotifications bool       `gorm:"not null"`
	OrganizationID        *uuid.UUID `gorm:"type:uuid"`
	// HealthSystemID is the HEALTH_SYSTEM a patient comes through: set when
	// they claim a referral, or chosen in the app (routing prefers its partner).
	HealthSystemID *uuid.UUID `gorm:"type:uuid"`
	// Safe contact (see SafeContact): no channels when not set.
	SafeContactChannels []ContactMethod `gorm:"type:text[];serializer:textarray;not null"`
	SafeHoursStart      *string
	SafeHoursEnd        *string
	SafeVoicemailOK     bool `gorm:"column:safe_voicemail_ok;not null"`
	SafeContactNote     *string
	// TimeZone is the IANA name of the user's own time zone (the clock of
	// their safe hours); nil means the main time zone of their latest
	// case's state.
	TimeZone *string
	// ErasedAt is when the user erased their account (deleteMyAccount).
	ErasedAt   *time.Time
	DisabledAt *time.Time
	CreatedAt  time.Time `gorm:"not null"`
	UpdatedAt  time.Time `gorm:"not null"`
}

// Disabled reports whether an admin has disabled the account.
func (u *User) Disabled() bool { return u.DisabledAt != nil }

// Session is one sign-in: a family of refresh tokens rotated from one login.
// Revoking it ends every token of the family, access tokens included.
type Session struct {
	ID        uuid.UUID `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	UserID    uuid.UUID `gorm:"type:uuid;not null"`
	CreatedAt time.Time `gorm:"not null"`
	ExpiresAt time.Time `gorm:"not null"`
	RevokedAt *time.Time
}

// RefreshToken is one single-use refresh token of a session, stored as a hash.
type RefreshToken struct {
	ID        uuid.UUID `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	SessionID uuid.UUID `gorm:"type:uuid;not null"`
	TokenHash []byte    `gorm:"not null"`
	CreatedAt time.Time `gorm:"not null"`
	ExpiresAt time.Time `gorm:"not null"`
	UsedAt    *time.Time
}

// UserFilter narrows the ADMIN's list of accounts (Query.users); nil fields
// do not filter.
type UserFilter struct {
	Role           *Role
	OrganizationID *string
	// Search is part of the email or display name, case-insensitive.
	Search *string
}

// PasswordResetToken is one password-reset link (package accounts): its
// token is HMAC-SHA256(key, Nonce) and only its SHA-256 is stored; it works
// once (UsedAt) until ExpiresAt.
type PasswordResetToken struct {
	ID        uuid.UUID `gorm:"type:uuid;primaryKey"`
	UserID    uuid.UUID `gorm:"type:uuid;not null"`
	Nonce     []byte    `gorm:"not null"`
	TokenHash []byte    `gorm:"not null"`
	CreatedAt time.Time `gorm:"not null"`
	ExpiresAt time.Time `gorm:"not null"`
	UsedAt    *time.Time
}

// RateLimitEvent is one counted attempt in a rate-limited bucket (failed
// logins for an email, referral claims of a patient).
type RateLimitEvent struct {
	ID     int64     `gorm:"primaryKey"`
	Bucket string    `gorm:"not null"`
	At     time.Time `gorm:"not null"`
}

// AuditEntry records who read or changed what. Rows are append-only.
type AuditEntry struct {
	ID        uuid.UUID  `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	ActorID   *uuid.UUID `gorm:"type:uuid"`
	ActorRole *Role      `gorm:"type:text"`
	// ActorOrganizationID is the organization the actor acted for (staff);
	// a case's access log shows it, never the person.
	ActorOrganizationID *uuid.UUID `gorm:"type:uuid"`
	Action              string     `gorm:"not null"`
	EntityType          string     `gorm:"not null"`
	EntityID            *uuid.UUID `gorm:"type:uuid"`
	At                  time.Time  `gorm:"not null"`
}

// AuditLink is one link of the audit trail's hash chain: entry EntryID is
// the Seq-th, and Hash = SHA-256(PrevHash || its content). The database
// writes links after the entry's transaction commits (see internal/audit).
type AuditLink struct {
	Seq      int64     `gorm:"primaryKey;autoIncrement:false"`
	EntryID  uuid.UUID `gorm:"type:uuid;not null"`
	PrevHash []byte    `gorm:"not null"`
	Hash     []byte    `gorm:"not null"`
}

// TableName is audit_chain.
func (AuditLink) TableName() string { return "audit_chain" }

// AuditUnchained marks an audit entry written but not chained yet, with
// the id of the transaction that wrote it (xid8); the sequencer deletes the
// mark when it links the entry (see internal/audit).
type AuditUnchained struct {
	EntryID uuid.UUID `gorm:"type:uuid;primaryKey"`
	XID     uint64    `gorm:"column:xid;type:xid8;not null;default:pg_current_xact_id()"`
}

// TableName is audit_unchained.
func (AuditUnchained) TableName() string { return "audit_unchained" }

// AuditChainHead is the one row holding the chain's last link.
type AuditChainHead struct {
	ID   bool   `gorm:"primaryKey"`
	Seq  int64  `gorm:"not null"`
	Hash []byte `gorm:"not null"`
}

// TableName is audit_chain_head.
func (AuditChainHead) TableName() string { return "audit_chain_head" }

func init() {
	register(&Organization{}, &User{}, &Session{}, &RefreshToken{}, &PasswordResetToken{}, &RateLimitEvent{}, &AuditEntry{}, &AuditLink{}, &AuditUnchained{}, &AuditChainHead{})
}
