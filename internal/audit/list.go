package audit

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/internal/auth"
	"mlp/internal/page"
	"mlp/models"
)

// RecordEach appends one entry per id inside tx with a single statement (the
// reads of a listed page of cases). No ids, no statement.
func RecordEach(tx *gorm.DB, actor *auth.Principal, action, entityType string, ids []uuid.UUID) error {
	if len(ids) == 0 {
		return nil
	}
	at := tx.NowFunc()
	es := make([]models.AuditEntry, len(ids))
	for i := range ids {
		es[i] = models.AuditEntry{Action: action, EntityType: entityType, EntityID: &ids[i], At: at}
		setActor(&es[i], actor)
	}
	return tx.Create(&es).Error
}

// Filter narrows the audit log; empty fields do not filter.
type Filter struct {
	EntityType *string
	EntityID   *string
	ActorID    *string
}

// Service reads the audit log.
type Service struct{ db *gorm.DB }

// NewService returns the audit log reader.
func NewService(db *gorm.DB) *Service { return &Service{db: db} }

// List returns audit entries, newest first, filtered by f. ADMIN only (Policy).
// Errors: UNAUTHENTICATED, BAD_USER_INPUT (entityId, actorId, first, after).
func (s *Service) List(ctx context.Context, f Filter, args page.Args) (page.Page[*models.AuditEntry], error) {
	var none page.Page[*models.AuditEntry]
	if _, err := Policy.Authorize(ctx, "List"); err != nil {
		return none, err
	}
	q := s.db.WithContext(ctx).Model(&models.AuditEntry{})
	if f.EntityType != nil {
		q = q.Where("entity_type = ?", *f.EntityType)
	}
	if f.EntityID != nil {
		id, err := uuid.Parse(*f.EntityID)
		if err != nil {
			return none, models.InvalidField("entityId", "This is not an ID.")
		}
		q = q.Where("entity_id = ?", id)
	}
	if f.ActorID != nil {
		id, err := uuid.Parse(*f.ActorID)
		if err != nil {
			return none, models.InvalidField("actorId", "This is not an ID.")
		}
		q = q.Where("actor_id = ?", id)
	}
	return page.Newest(q, args, "at", func(e *models.AuditEntry) (time.Time, uuid.UUID) { return e.At, e.ID })
}
