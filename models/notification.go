package models

import (
	"time"

	"github.com/google/uuid"
)

// Notification kinds written by the referrals work.
const (
	NotificationReferralClaimed = "REFERRAL_CLAIMED"
	NotificationReferralClosed  = "REFERRAL_CLOSED"
)

// Notification is something a user is told about. Titles and bodies carry no
// health information beyond what the recipient already knows (a clinician's
// own patient label).
type Notification struct {
	ID     uuid.UUID `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	UserID uuid.UUID `gorm:"type:uuid;not null"`
	// Kind is e.g. REFERRAL_CLAIMED.
	Kind       string     `gorm:"not null"`
	Title      string     `gorm:"not null"`
	Body       string     `gorm:"not null"`
	CaseID     *uuid.UUID `gorm:"type:uuid"`
	ReferralID *uuid.UUID `gorm:"type:uuid"`
	CreatedAt  time.Time  `gorm:"not null"`
	ReadAt     *time.Time
}

func init() {
	register(&Notification{})
}
