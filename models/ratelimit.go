package models

import (
	"time"

	"github.com/google/uuid"
)

// RateLimitLease is one of a bounded number of things held at once in a
// bucket across instances (a user's open websockets; internal/ratelimit).
type RateLimitLease struct {
	ID        uuid.UUID `gorm:"type:uuid;primaryKey"`
	Bucket    string    `gorm:"not null"`
	ExpiresAt time.Time `gorm:"not null"`
}

func init() { register(&RateLimitLease{}) }
