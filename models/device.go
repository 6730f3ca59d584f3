package models

import (
	"time"

	"github.com/google/uuid"
)

// DevicePlatform is the push service of a device.
type DevicePlatform string

// The platforms of the contract.
const (
	PlatformIOS     DevicePlatform = "IOS"
	PlatformAndroid DevicePlatform = "ANDROID"
)

// AllDevicePlatforms lists every platform in contract order.
var AllDevicePlatforms = []DevicePlatform{PlatformIOS, PlatformAndroid}

// IsValid reports whether p is one of AllDevicePlatforms.
func (p DevicePlatform) IsValid() bool { return oneOf(p, AllDevicePlatforms) }

// Device is a push token of one app install, registered by a signed-in user.
// Token is private: it is never logged or returned by the API.
type Device struct {
	ID     uuid.UUID `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	UserID uuid.UUID `gorm:"type:uuid;not null"`
	// SessionID is the login that registered (or last re-registered) the
	// token; logout drops the session's devices.
	SessionID  *uuid.UUID     `gorm:"type:uuid"`
	Platform   DevicePlatform `gorm:"not null"`
	Token      string         `gorm:"not null"`
	TokenHash  []byte         `gorm:"not null"`
	CreatedAt  time.Time      `gorm:"not null"`
	LastSeenAt time.Time      `gorm:"not null"`
}

func init() {
	register(&Device{})
}
