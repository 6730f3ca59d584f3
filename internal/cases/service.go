// Package cases holds the rules of a patient's request for legal help: opening
// and routing it, its status machine, its timeline and messages, its outcome,
// the patient's consents, and who may see and change it. Every change and every
// read by someone other than the case's patient is audited in the transaction
// of the change.
package cases

import (
	"errors"
	"log/slog"
	"mlp/internal/notify"
	"mlp/internal/outbox"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"mlp/internal/auth"
	"mlp/internal/live"
	"mlp/internal/ratelimit"
	"mlp/models"
)

// EntityCase is the audit log's entity type for cases.
const EntityCase = "Case"

// Service is the case service.
type Service struct {
	db      *gorm.DB
	now     func() time.Time
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

// NewService returns the case service; now is its clock (deadlines, urgency,
// the reference year).
func NewService(db *gorm.DB, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, now: now, log: slog.Default()}
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

// canRead reports whether p may see case c: its patient, an advocate of the
// organization it was routed to, or an ADMIN.
func canRead(p *auth.Principal, c *models.Case) bool {
	switch p.Role {
	case models.RolePatient:
		return c.PatientID == p.ID
	case models.RoleAdvocate:
		return p.InOrganization(c.OrganizationID)
	case models.RoleAdmin:
		return true
	}
	return false
}

// Visible is the visibility scope of cases, "the cases p may see", as a SQL
// condition on the cases row named alias, with ? placeholders and their
// values: its patient, an advocate of the organization it was routed to, or
// an ADMIN (canRead's rule, which a test holds it to). The case lists and the
// compiled reads (graph/compiled) take their WHERE from it.
func Visible(p *auth.Principal, alias string) (string, []any) {
	switch {
	case p == nil:
	case p.Role == models.RolePatient:
		return alias + ".patient_id = ?", []any{p.ID}
	case p.Role == models.RoleAdvocate && p.OrganizationID != nil:
		return alias + ".organization_id = ?", []any{*p.OrganizationID}
	case p.Role == models.RoleAdmin:
		return "TRUE", nil
	}
	return "FALSE", nil
}

// EventsVisible is the visibility scope of timeline events for a reader p
// who may see their case, as a SQL condition on the case_events row named
// alias: a PATIENT sees only events visible to patients, advocates and
// admins every event, nobody else any.
func EventsVisible(p *auth.Principal, alias string) string {
	switch {
	case p == nil:
	case p.Is(models.RolePatient):
		return alias + ".visible_to_patient"
	case p.Is(models.RoleAdvocate, models.RoleAdmin):
		return "TRUE"
	}
	return "FALSE"
}

// canWork reports whether p may work case c as staff: an advocate of its
// organization, or an ADMIN.
func canWork(p *auth.Principal, c *models.Case) bool {
	return p.Is(models.RoleAdmin) || (p.Is(models.RoleAdvocate) && p.InOrganization(c.OrganizationID))
}

// lockCase reads case id inside tx with a row lock (FOR UPDATE) and checks that
// p may read it. Errors: NOT_FOUND for a missing case or one p may not see.
func lockCase(tx *gorm.DB, p *auth.Principal, id uuid.UUID) (*models.Case, error) {
	var c models.Case
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&c, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, models.NotFound("Case")
	}
	if err != nil {
		return nil, err
	}
	if !canRead(p, &c) {
		return nil, models.NotFound("Case")
	}
	return &c, nil
}

// Urgent reports whether case c is urgent now (see models.Case.Urgent).
func (s *Service) Urgent(c *models.Case) bool { return c.Urgent(s.now()) }
