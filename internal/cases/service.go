// Package cases holds the rules of a patient's request for legal help: opening
// and routing it, its status machine, its timeline and messages, its outcome,
// the patient's consents, and who may see and change it. Every change and every
// read by someone other than the case's patient is audited in the transaction
// of the change.
package cases

import (
	"errors"
	"log/slog"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"mlp/internal/clock"
	"mlp/internal/live"
	"mlp/internal/notify"
	"mlp/internal/outbox"
	"mlp/internal/ratelimit"
	"mlp/internal/unit"
	"mlp/models"
)

// EntityCase is the audit log's entity type for cases.
const EntityCase = "Case"

// Service is the case service.
type Service struct {
	db      *gorm.DB
	clock   clock.Clock
	onFinal []FinalHook    // see OnFinal
	live    *live.Listener // see UseLive
	log     *slog.Logger
	// notifier and box write notifications and reminders (UseNotifier).
	notifier *notify.Notifier
	box      *outbox.Outbox
	limiter  *ratelimit.Limiter // see UseLimiter
}

// UseLimiter makes RequestLegalHelp count new cases against the patient's
// limit (ratelimit.Rules.RequestLegalHelpPerUser); without it nothing is
// limited.
func (s *Service) UseLimiter(l *ratelimit.Limiter) { s.limiter = l }

// NewService returns the case service; clk is the application's clock
// (every timestamp it writes, deadlines, urgency, the reference year).
func NewService(db *gorm.DB, clk clock.Clock) *Service {
	return &Service{db: db, clock: clk, log: slog.Default()}
}

// parseCaseID parses a GraphQL ID of a case; a malformed one is NOT_FOUND,
// like any case the caller cannot see.
func parseCaseID(id string) (uuid.UUID, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return uuid.Nil, models.NotFound("Case")
	}
	return u, nil
}

// newID returns a time-ordered UUIDv7, so that rows made in the same instant
// (a case's first events) keep their order in (created_at, id) indexes.
func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// lockCase reads case id in w's transaction with a row lock (FOR UPDATE
// when update, else FOR SHARE) through the visibility scope of w's principal.
// Errors: NOT_FOUND for a missing case or one the principal may not see.
func lockCase(w *unit.Work, id uuid.UUID, strength string) (*models.Case, error) {
	var c models.Case
	err := w.Tx.Clauses(clause.Locking{Strength: strength}).Scopes(Visible(w.By, "cases").Scope).Take(&c, "cases.id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, models.NotFound("Case")
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// Urgent reports whether case c is urgent now (see models.Case.Urgent).
func (s *Service) Urgent(c *models.Case) bool { return c.Urgent(s.clock.Now()) }
