// Package privacy holds what a patient controls about their data: who looked
// at their cases (the access log, read from the audit trail), the export of
// everything stored about them, the erasure of their account (and the legal
// hold that keeps a case's record through it), and how they may safely be
// contacted.
package privacy

import (
	"time"

	"gorm.io/gorm"
)

// Service is the privacy service.
type Service struct {
	db       *gorm.DB
	now      func() time.Time
	withdraw CaseWithdrawer // see UseCases
}

// NewService returns the privacy service; now is its clock.
func NewService(db *gorm.DB, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, now: now}
}
