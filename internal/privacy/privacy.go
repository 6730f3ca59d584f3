// Package privacy holds what a patient controls about their data: who looked
// at their cases (the access log, read from the audit trail), the export of
// everything stored about them, the erasure of their account (and the legal
// hold that keeps a case's record through it), and how they may safely be
// contacted.
package privacy

import (
	"gorm.io/gorm"

	"mlp/internal/clock"
)

// Service is the privacy service.
type Service struct {
	db       *gorm.DB
	clock    clock.Clock
	withdraw CaseWithdrawer // see UseCases
}

// NewService returns the privacy service; clk is the application's clock.
func NewService(db *gorm.DB, clk clock.Clock) *Service {
	return &Service{db: db, clock: clk}
}
